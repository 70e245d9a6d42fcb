package io.spotsh.fanout;

import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Limits what costs: handshakes in flight across all nodes (CPU on both ends; sshd also drops connections past
 * {@code MaxStartups}) and channels open at once on this node's connection (sshd's {@code MaxSessions}). Commands on
 * open connections are not limited. Connects before each step when the connection is not open, which is how a
 * dropped connection is reopened transparently.
 */
final class LimitedRemote implements Remote {
    private final Remote inner;
    private final Semaphore handshakes;
    private final Semaphore channels;

    LimitedRemote(Remote inner, Semaphore handshakes, int maxChannels) {
        this.inner = inner;
        this.handshakes = handshakes;
        this.channels = new Semaphore(maxChannels);
    }

    @Override
    public Target target() {
        return inner.target();
    }

    @Override
    public boolean isConnected() {
        return inner.isConnected();
    }

    @Override
    public void greet(Budget budget) {
        inner.greet(budget);
    }

    /** Greets without a permit (a dead node's wait then overlaps the others' handshakes), then takes one. */
    @Override
    public void connect(Budget budget) {
        if (inner.isConnected()) {
            return;
        }
        inner.greet(budget);
        acquire(handshakes, budget);
        try {
            inner.connect(budget);
        } finally {
            handshakes.release();
        }
    }

    @Override
    public Exit exec(String command, NodeOutput output, Budget budget) {
        return onChannel(budget, () -> inner.exec(command, output, budget));
    }

    /** Only on an open connection with a channel permit free at once; the permit is held until finish. */
    @Override
    public Started start(String command, NodeOutput output, Budget budget) {
        if (!inner.isConnected() || !channels.tryAcquire()) {
            return null;
        }
        Started started;
        try {
            started = inner.start(command, output, budget);
        } catch (RuntimeException e) {
            channels.release();
            throw e;
        }
        if (started == null) {
            channels.release();
            return null;
        }
        return new Started() {
            @Override
            public void onSettled(Runnable settled) {
                started.onSettled(settled);
            }

            @Override
            public boolean ended() {
                return started.ended();
            }

            @Override
            public Exit finish() {
                try {
                    return started.finish();
                } finally {
                    channels.release();
                }
            }
        };
    }

    @Override
    public long upload(Path local, String remotePath, Budget budget) {
        return onChannel(budget, () -> inner.upload(local, remotePath, budget));
    }

    @Override
    public long download(String remotePath, Path localDir, Budget budget) {
        return onChannel(budget, () -> inner.download(remotePath, localDir, budget));
    }

    private <T> T onChannel(Budget budget, Supplier<T> step) {
        connect(budget);
        acquire(channels, budget);
        try {
            return step.get();
        } finally {
            channels.release();
        }
    }

    /**
     * Waits for a permit, giving up when the fan-out is cancelled or its deadline passes (which cancels it). The
     * wait is woken by the cancellation itself (an interrupt of this thread), not by polling: hundreds of nodes
     * queue here for the handshake permits, and waking each every few milliseconds to look cost real CPU.
     */
    private void acquire(Semaphore permits, Budget budget) {
        budget.checkRunning(target());
        if (permits.tryAcquire()) {
            return;
        }
        Thread waiter = Thread.currentThread();
        boolean acquired = false;
        try (Cancellation.Registration ignored = budget.token().onCancel(waiter::interrupt)) {
            permits.acquire();
            acquired = true;
        } catch (InterruptedException e) {
            // cancelled (the callback above), or interrupted by someone else, which cancels the fan-out as well
        }
        // the callback can no longer fire: an interrupt it set is cleared here, a foreign one is kept
        boolean interrupted = Thread.interrupted();
        if (acquired && !budget.token().isCancelled()) {
            if (interrupted) {
                waiter.interrupt();
            }
            return;
        }
        if (acquired) {
            permits.release();
        }
        if (!budget.token().isCancelled()) {
            budget.token().cancel(FailureStage.CANCELLED, "interrupted");
            waiter.interrupt();
        }
        throw budget.token().failure(target());
    }

    @Override
    public void close() {
        inner.close();
    }
}
