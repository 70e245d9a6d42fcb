package io.spotsh.fanout;

/**
 * The one exception family of the fan-out engine. A node-level failure names the node, its host and the stage
 * that failed; {@link CheckFailedException} lists every failed node of a fan-out. Messages never contain key
 * material.
 */
public class FanoutException extends RuntimeException {
    private final Target target;
    private final FailureStage stage;
    private final boolean retryable;
    private final FailureCause why;

    public FanoutException(String message) {
        this(message, null, null, false, null);
    }

    public FanoutException(String message, Throwable cause) {
        this(message, null, null, false, cause);
    }

    /**
     * @param retryable true only when the command certainly did not start (connect, key exchange, auth, channel
     *                  open), so trying again cannot run it twice
     */
    public FanoutException(String message, Target target, FailureStage stage, boolean retryable, Throwable cause) {
        this(message, target, stage, null, retryable, cause);
    }

    /** A node-level failure with its {@link FailureCause}, which the run's summary counts. */
    public FanoutException(String message, Target target, FailureStage stage, FailureCause why, boolean retryable,
                           Throwable cause) {
        super(target == null ? message : target.describe() + ": " + message, cause);
        this.target = target;
        this.stage = stage;
        this.retryable = retryable;
        this.why = why;
    }

    /** Why the node failed, or null when the failure site did not say (then its stage implies one). */
    public FailureCause why() {
        return why;
    }

    /** The node this failure belongs to, or null for an engine-level failure. */
    public Target target() {
        return target;
    }

    /** The stage that failed, or null for an engine-level failure. */
    public FailureStage stage() {
        return stage;
    }

    public boolean retryable() {
        return retryable;
    }

    /** An exception's message for a failure's reason: its class name when it has no message. */
    public static String messageOf(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** The message without the leading node name, for per-node tables. */
    public String reason() {
        String message = getMessage();
        String prefix = target == null ? "" : target.describe() + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
