package io.spotsh.fanout;

import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Limits what costs: handshakes in flight across all nodes (CPU on both ends; sshd also drops connections past
 * {@code MaxStartups}) and channels open at once on this node's connection (sshd's {@code MaxSessions}). Commands on
 * open connections are not limited. Connects before each step when the connection is not open, which is how a
 * dropped connection is reopened transparently.
 */
final class LimitedRemote implements Remote {
    private static final long POLL_MILLIS = 100;

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
    public void connect(Budget budget) {
        if (inner.isConnected()) {
            return;
        }
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

    /** Waits for a permit, giving up when the fan-out is cancelled or its deadline passes. */
    private void acquire(Semaphore permits, Budget budget) {
        try {
            do {
                budget.checkRunning(target());
            } while (!permits.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            budget.token().cancel(Phase.CANCELLED, "interrupted");
            throw budget.token().failure(target());
        }
    }

    @Override
    public void close() {
        inner.close();
    }
}
