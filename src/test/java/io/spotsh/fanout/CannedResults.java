package io.spotsh.fanout;

import java.time.Duration;
import java.util.List;

/**
 * Fan-out results made up for the tests of code that reads them (test types' sanity checks), without SSH. Lives in
 * this package because results are only ever built by the engine.
 */
public final class CannedResults {
    private CannedResults() {
    }

    /** A command that exited 0 with this output. */
    public static NodeResult ok(String name, String host, String stdout) {
        return exit(name, host, 0, stdout, "");
    }

    /** A command that exited with {@code status}: non-zero fails it, as the engine does. */
    public static NodeResult exit(String name, String host, int status, String stdout, String stderr) {
        NodeResult.Builder b = NodeResult.builder(target(name, host), Duration.ofMillis(120));
        b.exitStatus = status;
        b.stdout = stdout;
        b.stderr = stderr;
        b.stdoutBytes = stdout.length();
        b.stderrBytes = stderr.length();
        if (status != 0) {
            b.stage = FailureStage.EXEC;
            b.error = "exit status " + status;
        }
        return b.build();
    }

    /** A node the command never reached. */
    public static NodeResult unreachable(String name, String host, String error) {
        return NodeResult.failed(target(name, host), FailureStage.CONNECT, FailureCause.CONNECT_TIMEOUT, error, Duration.ofSeconds(10));
    }

    public static RunResult of(String command, List<NodeResult> results) {
        return new RunResult(RunResult.Kind.COMMAND, "run: " + command, results, Duration.ofMillis(150), false);
    }

    private static Target target(String name, String host) {
        return new Target(name, host, 22, "root", null);
    }
}
