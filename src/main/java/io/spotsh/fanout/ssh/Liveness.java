package io.spotsh.fanout.ssh;

import java.time.Duration;

/**
 * Tells a slow node from a dead one, for one connection. A keepalive probe that is not answered by the next tick
 * counts as missed only if nothing at all arrived on the connection meanwhile: a node busy enough to answer late
 * (or a driver too busy to read the answer yet: bytes waiting unread count too) is sending, so it is alive. Only
 * {@code maxMisses} silent ticks in a row make it dead. Pure logic, driven by {@link KeepAlives}' ticks.
 */
final class Liveness {
    /** What to do at a tick: send a new probe, keep waiting for the last one, or give the connection up. */
    enum Verdict { PROBE, WAIT, DEAD }

    private final int maxMisses;
    private long received = -1;
    private boolean pending;
    private boolean unsent; // the last probe asked for could not be sent
    private int misses;

    Liveness(int maxMisses) {
        this.maxMisses = maxMisses;
    }

    /**
     * One tick.
     *
     * @param answered whether the last probe has been answered (false when none was sent)
     * @param received bytes received on the connection so far
     * @param unread   whether bytes are waiting in the socket that the client has not read yet
     */
    Verdict tick(boolean answered, long received, boolean unread) {
        boolean progress = unread || received != this.received;
        this.received = received;
        if (unsent) {
            // no answer could come: the round is silent unless something arrived, and the probe is asked for again
            unsent = false;
            misses = progress ? 0 : misses + 1;
            return misses >= maxMisses ? Verdict.DEAD : Verdict.PROBE;
        }
        if (!pending || answered) {
            misses = 0;
            pending = true;
            return Verdict.PROBE;
        }
        if (progress) {
            misses = 0; // slow, not dead: the answer is behind the data it is sending
            return Verdict.WAIT;
        }
        return ++misses >= maxMisses ? Verdict.DEAD : Verdict.WAIT;
    }

    /** A probe went out between ticks (a connection's first, when it is watched): the next tick looks for its answer. */
    void probing() {
        pending = true;
    }

    /**
     * The probe this tick asked for was not sent (a write held the connection, maybe one waiting on a node that
     * stopped reading): the next tick asks for one again, and counts the round as silent if nothing arrived.
     */
    void notSent() {
        unsent = true;
    }

    /** Silent ticks in a row so far. */
    int misses() {
        return misses;
    }

    /** Why a connection found dead was given up, for the node's result. */
    String deathNote(Duration interval) {
        double seconds = interval.multipliedBy(maxMisses).toMillis() / 1000.0;
        return String.format(seconds < 10 ? "no keepalive answer and nothing received for %d probes, %.1f s"
                : "no keepalive answer and nothing received for %d probes, %.0f s", maxMisses, seconds);
    }

    /**
     * The connect timeout on a machine under load: stretched by the load average per core beyond twice the cores
     * (at most 4 times), so an overloaded driver, or local nodes on an overloaded machine, are not taken for dead
     * ones; unchanged when the load is unknown (negative) or moderate.
     */
    static Duration stretch(Duration timeout, double loadAverage, int cores) {
        double factor = factor(loadAverage, cores);
        return factor == 1 ? timeout : Duration.ofMillis((long) (timeout.toMillis() * factor));
    }

    static double factor(double loadAverage, int cores) {
        if (loadAverage < 0 || cores < 1) {
            return 1;
        }
        return Math.max(1, Math.min(4, loadAverage / (2.0 * cores)));
    }
}
