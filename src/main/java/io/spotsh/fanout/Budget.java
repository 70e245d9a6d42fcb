package io.spotsh.fanout;

import java.time.Duration;

/**
 * What one node's step may spend: the fan-out's cancellation (which the overall deadline also trips) and the
 * per-command timeout.
 */
public record Budget(Cancellation token, long commandTimeoutNanos) {
    /** {@link #commandTimeoutNanos()} when commands may run without limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    static Budget of(Cancellation token, Duration commandTimeout) {
        return new Budget(token, commandTimeout == null ? UNLIMITED : commandTimeout.toNanos());
    }

    /** Throws the cancellation's failure when the fan-out has been stopped. */
    public void checkRunning(Target target) {
        if (token.isCancelled()) {
            throw token.failure(target);
        }
    }
}
