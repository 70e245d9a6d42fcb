package io.spotsh.fanout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The stop signal of one fan-out: set once, by {@link Fanout#cancel()}, an interrupt of the calling thread or the
 * overall deadline. Blocking steps register what unblocks them (close a socket, wake a waiting channel); those
 * callbacks run under this object's lock, so once a registration is closed its callback can no longer fire.
 * Callbacks must not block.
 */
public final class Cancellation {
    private final CountDownLatch latch = new CountDownLatch(1);
    private final List<Runnable> callbacks = new ArrayList<>();
    private volatile FailureStage stage;
    private volatile String reason;

    /** Stops the fan-out; the first call wins. Returns whether this call did it. */
    public synchronized boolean cancel(FailureStage why, String text) {
        if (stage != null) {
            return false;
        }
        reason = text;
        stage = why;
        latch.countDown();
        for (Runnable callback : List.copyOf(callbacks)) {
            try {
                callback.run();
            } catch (RuntimeException ignored) {
                // one failing unblock step must not keep the others from running
            }
        }
        callbacks.clear();
        return true;
    }

    public boolean isCancelled() {
        return stage != null;
    }

    /** {@link FailureStage#CANCELLED} or {@link FailureStage#TIMEOUT} (the overall deadline), null while running. */
    FailureStage stage() {
        return stage;
    }

    String reason() {
        return reason;
    }

    /** The cause a node stopped by this cancellation reports: the overall deadline, or cancelled. */
    FailureCause cause() {
        return stage == FailureStage.TIMEOUT ? FailureCause.DEADLINE : FailureCause.CANCELLED;
    }

    /** Runs {@code callback} on cancellation (at once if already cancelled) until the registration is closed. */
    public synchronized Registration onCancel(Runnable callback) {
        if (stage != null) {
            callback.run();
            return () -> { };
        }
        callbacks.add(callback);
        return () -> {
            synchronized (Cancellation.this) {
                callbacks.remove(callback);
            }
        };
    }

    /** Sleeps up to {@code nanos}; returns true (early) when cancelled. */
    boolean sleep(long nanos) {
        try {
            return latch.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** The failure a node reports when this cancellation stopped it. */
    public FanoutException failure(Target target) {
        return new FanoutException(reason, target, stage, cause(), false, null);
    }

    /** A registered callback; closing it removes the callback. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
