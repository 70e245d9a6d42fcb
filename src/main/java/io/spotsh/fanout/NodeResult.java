package io.spotsh.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened on one node: exit status (or signal), the tail of stdout and stderr, how long it took, and on
 * failure the stage that failed ({@link FailureStage}) with a reason. Transfers also carry the bytes moved. Immutable.
 */
public final class NodeResult {
    private final Target target;
    private final Integer exitStatus;
    private final String signal;
    private final String stdout;
    private final String stderr;
    private final long stdoutBytes;
    private final long stderrBytes;
    private final boolean truncated;
    private final long bytes;
    private final Duration duration;
    private final FailureStage stage;
    private final String error;
    private final FailureCause why;

    private NodeResult(Builder b) {
        this.target = b.target;
        this.exitStatus = b.exitStatus;
        this.signal = b.signal;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.stdoutBytes = b.stdoutBytes;
        this.stderrBytes = b.stderrBytes;
        this.truncated = b.truncated;
        this.bytes = b.bytes;
        this.duration = b.duration;
        this.stage = b.stage;
        this.error = b.error;
        this.why = b.why;
    }

    /** A node that failed before or outside its command: nothing ran, or what ran is unknown. */
    static NodeResult failed(Target target, FailureStage stage, FailureCause why, String error, Duration duration) {
        Builder b = new Builder(target, duration);
        b.stage = stage;
        b.why = why;
        b.error = error;
        return b.build();
    }

    static Builder builder(Target target, Duration duration) {
        return new Builder(target, duration);
    }

    /** This result with another failure, keeping the output (e.g. a clearer error for a known exit). */
    NodeResult withFailure(FailureStage newStage, String newError) {
        Builder b = toBuilder();
        b.stage = newStage;
        b.error = newError;
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder(target, duration);
        b.exitStatus = exitStatus;
        b.signal = signal;
        b.stdout = stdout;
        b.stderr = stderr;
        b.stdoutBytes = stdoutBytes;
        b.stderrBytes = stderrBytes;
        b.truncated = truncated;
        b.bytes = bytes;
        return b;
    }

    public Target getTarget() {
        return target;
    }

    public String getName() {
        return target.name();
    }

    public String getHost() {
        return target.host();
    }

    /** The command's exit status; null when it did not exit normally (signal, timeout, never started). */
    public Integer getExitStatus() {
        return exitStatus;
    }

    /** The signal that ended the command ({@code TERM}, {@code KILL}, ...), or null. */
    public String getSignal() {
        return signal;
    }

    /** The end of stdout (at most the engine's tail size; see {@link #getStdoutBytes()} for the full count). */
    public String getStdout() {
        return stdout;
    }

    public String getStderr() {
        return stderr;
    }

    public long getStdoutBytes() {
        return stdoutBytes;
    }

    public long getStderrBytes() {
        return stderrBytes;
    }

    /** Whether the kept stdout or stderr is only the end of what the node printed. */
    public boolean isTruncated() {
        return truncated;
    }

    /** Bytes transferred by put/get (0 for commands). */
    public long getBytes() {
        return bytes;
    }

    public Duration getDuration() {
        return duration;
    }

    public double getSeconds() {
        return duration.toNanos() / 1e9;
    }

    /** Transfer throughput in MB/s (10^6 bytes a second), 0 for commands. */
    public double getMegabytesPerSecond() {
        double seconds = getSeconds();
        return bytes == 0 || seconds <= 0 ? 0 : bytes / 1e6 / seconds;
    }

    /**
     * Where the node failed ({@link FailureStage}), or null when it succeeded. Named after the {@code phase} column of
     * {@link RunResult#table()} and {@link RunResult#toCsv()}, which print it, and read as {@code r.phase} in plans.
     */
    public FailureStage getPhase() {
        return stage;
    }

    /** Why it failed (without the node name), or null. */
    public String getError() {
        return error;
    }

    /**
     * Why it failed, in a few words, or null when it succeeded: {@code exit 3}, {@code signal KILL}, or a
     * {@link FailureCause} label such as {@code connection refused} or {@code peer dead (keepalives unanswered)}.
     * {@link RunResult#summary()} counts failures by phase and cause.
     */
    public String getCause() {
        if (isOk()) {
            return null;
        }
        if (stage == FailureStage.EXEC && why == null && exitStatus != null) {
            return "exit " + exitStatus;
        }
        if (stage == FailureStage.EXEC && why == null && signal != null) {
            return "signal " + signal;
        }
        return getFailureCause().label();
    }

    /** The {@link FailureCause} (EXIT or SIGNAL for a command's own failure), or null when it succeeded. */
    public FailureCause getFailureCause() {
        if (isOk()) {
            return null;
        }
        if (why != null) {
            return why;
        }
        if (stage == FailureStage.EXEC && exitStatus != null) {
            return FailureCause.EXIT;
        }
        if (stage == FailureStage.EXEC && signal != null) {
            return FailureCause.SIGNAL;
        }
        return FailureCause.of(stage);
    }

    public boolean isOk() {
        return stage == null;
    }

    /** {@code ok}, {@code exit 2}, {@code signal KILL}, or the failed stage. */
    public String getStatus() {
        if (isOk()) {
            return "ok";
        }
        if (exitStatus != null && stage == FailureStage.EXEC) {
            return "exit " + exitStatus;
        }
        if (signal != null && stage == FailureStage.EXEC) {
            return "signal " + signal;
        }
        return stage.label();
    }

    /** The last non-blank line of stderr, or of the error when there is no stderr. */
    public String getLastStderrLine() {
        String last = lastLine(stderr);
        return last.isEmpty() && error != null ? lastLine(error) : last;
    }

    static String lastLine(String text) {
        String trimmed = text == null ? "" : text.stripTrailing();
        int cut = trimmed.lastIndexOf('\n');
        return cut < 0 ? trimmed : trimmed.substring(cut + 1).strip();
    }

    /**
     * One line: {@code data-1 (10.0.0.7): exit 1 after 0.12 s; stderr: no such file}, {@code data-2 (10.0.0.8): ok in
     * 0.10 s}. The error shows when it says more than the status.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(target.name()).append(" (").append(target.host()).append("): ").append(getStatus())
                .append(String.format(isOk() ? " in %.2f s" : " after %.2f s", getSeconds()));
        if (bytes > 0) {
            s.append(String.format(", %d bytes", bytes));
        }
        // why, in a few words (the cause the summary counts), then the error's own words where they say more
        String cause = getCause();
        List<String> why = new ArrayList<>();
        if (cause != null && !cause.equals(getStatus()) && !cause.equals("exit " + exitStatus)) {
            why.add(cause);
        }
        if (error != null && !error.equals(getStatus()) && !error.equals("exit status " + exitStatus) && !error.equals(cause)) {
            why.add(error);
        }
        if (!why.isEmpty()) {
            s.append(" (").append(String.join(": ", why)).append(')');
        }
        String last = lastLine(stderr);
        if (!isOk() && !last.isEmpty()) {
            s.append("; stderr: ").append(last);
        }
        return s.toString();
    }

    /** Collects a result's parts; the engine fills in what it learned. */
    static final class Builder {
        private final Target target;
        private final Duration duration;
        Integer exitStatus;
        String signal;
        String stdout = "";
        String stderr = "";
        long stdoutBytes;
        long stderrBytes;
        boolean truncated;
        long bytes;
        FailureStage stage;
        String error;
        FailureCause why;

        private Builder(Target target, Duration duration) {
            this.target = target;
            this.duration = duration;
        }

        NodeResult build() {
            return new NodeResult(this);
        }
    }
}
