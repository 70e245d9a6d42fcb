package io.spotsh.fanout;

import io.spotsh.common.ShellQuote;

import java.util.List;

/**
 * {@code mark(text)}: a sysstat comment on every node, so recorded metrics show which phase of the test they
 * belong to. Runs {@code sadc -C 'text' -}: with neither interval nor count, sadc writes one comment record into
 * the current daily data file ({@code /var/log/sysstat/saDD} on Debian, {@code /var/log/sa/saDD} on RHEL), which
 * {@code sar -C} shows between the samples. sysstat keeps the first 63 bytes of a comment (checked with sysstat
 * 12.6: {@code sar -C} shows a 100-character comment cut there), so put what tells phases apart first.
 */
final class SysstatMark {
    private static final String MISSING = "spotsh: no sadc";
    private static final int MISSING_EXIT = 127;

    private SysstatMark() {
    }

    /** A POSIX sh command that runs the first sadc found, or reports that there is none. */
    static String command(String text, List<String> sadcPaths) {
        if (text == null || text.isBlank() || text.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
            throw new FanoutException("a mark is one non-empty line of text: '" + text + "'");
        }
        StringBuilder sh = new StringBuilder("for s in");
        for (String path : sadcPaths) {
            sh.append(' ').append(ShellQuote.quote(path));
        }
        sh.append("; do if [ -x \"$s\" ]; then ")
                // a local node keeps its own sysstat files under its root (see userdata.sh.tmpl, step metrics)
                .append("f=-; if [ -n \"${SPOTSH_ROOT:-}\" ]; then f=\"$SPOTSH_ROOT/var/log/sysstat\"; mkdir -p \"$f\"; fi; ")
                .append("exec \"$s\" -L -C ").append(ShellQuote.quote(text)).append(" \"$f\"; fi; done; ")
                .append("echo ").append(ShellQuote.quote(MISSING)).append(" >&2; exit ").append(MISSING_EXIT);
        return sh.toString();
    }

    /** Turns the "no sadc" exit into an error that says what to do. */
    static NodeResult explain(NodeResult result, List<String> sadcPaths) {
        if (!result.isOk() && Integer.valueOf(MISSING_EXIT).equals(result.getExitStatus())
                && result.getStderr().contains(MISSING)) {
            return result.withFailure(FailureStage.EXEC, "sysstat is not installed on " + result.getName() + " (no "
                    + String.join(", ", sadcPaths) + "): apt-get install sysstat / bake it into the AMI");
        }
        return result;
    }
}
