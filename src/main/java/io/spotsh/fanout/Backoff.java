package io.spotsh.fanout;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in [0, min(max, base * 2^n)], so hundreds
 * of nodes retrying after the same hiccup spread out instead of returning in lockstep.
 */
final class Backoff {
    private final long baseNanos;
    private final long maxNanos;

    Backoff(Duration base, Duration max) {
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
    }

    long delayNanos(int attempt) {
        long ceiling = baseNanos << Math.min(attempt, 20);
        if (ceiling <= 0 || ceiling > maxNanos) {
            ceiling = maxNanos;
        }
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
