package io.spotsh.cli;

import io.spotsh.common.BadInput;
import io.spotsh.script.ScriptError;

/**
 * The one place exit codes are decided, for the shell, {@code -f}, {@code -e} and every subcommand:
 * <ul>
 *   <li>0 — success</li>
 *   <li>1 — the plan threw at run time (the message names plan file and line)</li>
 *   <li>2 — usage error, bad input (also when spotsh finds it inside a plan, before launching anything),
 *   or the plan does not compile (nothing in it ran)</li>
 *   <li>3 — the provider has no node images ({@code spotsh image ...} on the local cloud)</li>
 *   <li>130 — interrupted (Ctrl-C / SIGINT)</li>
 *   <li>143 — ended by SIGTERM (the JVM's 128 + 15, after the teardown hook collected what exists and terminated
 *   the test's instances)</li>
 * </ul>
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int NO_IMAGES = 3;
    public static final int INTERRUPTED = 130;

    static final String TABLE = """
            Exit codes:
              0    success
              1    the plan threw at run time (message names plan file and line)
              2    usage error, bad input (also found inside a plan, before launching), or the plan does not compile
              3    the provider has no node images (spotsh image on the local cloud: spotsh tools install instead)
              130  interrupted (Ctrl-C)
              143  ended by SIGTERM (what exists collected, the test's instances terminated)""";

    private ExitCodes() {
    }

    public static int of(Throwable t) {
        // before bad input, which it is a kind of: a script can tell "not on this cloud" from a typo
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.spotsh.workflow.ImageBaker.NoImages) {
                return NO_IMAGES;
            }
        }
        if (t instanceof ScriptError.Interrupted) {
            return INTERRUPTED;
        }
        if (t instanceof ScriptError.Compile || t instanceof UsageError || t instanceof IllegalArgumentException) {
            return USAGE;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BadInput) {
                return USAGE; // bad input found by spotsh inside a plan: nothing was launched
            }
        }
        return FAILED;
    }

    /** Bad input from the command line or environment: exit 2, one line, no stack trace. */
    public static final class UsageError extends RuntimeException {
        public UsageError(String message) {
            super(message);
        }
    }
}
