package io.spotsh.fanout;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Retries a step that failed before its command started (connect, key exchange, auth, channel open), with
 * jittered exponential backoff. A failure after the command may have started is never retried: running a command
 * twice is worse than reporting it failed.
 */
final class RetryingRemote implements Remote {
    private final Remote inner;
    private final int retries;
    private final Backoff backoff;

    RetryingRemote(Remote inner, int retries, Backoff backoff) {
        this.inner = inner;
        this.retries = retries;
        this.backoff = backoff;
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
        inner.greet(budget); // part of connect, which is what is retried
    }

    @Override
    public void connect(Budget budget) {
        retry(budget, () -> {
            inner.connect(budget);
            return null;
        });
    }

    @Override
    public Exit exec(String command, NodeOutput output, Budget budget) {
        return retry(budget, () -> inner.exec(command, output, budget));
    }

    /** Not retried: a command that was sent may have started. */
    @Override
    public Started start(String command, NodeOutput output, Budget budget) {
        return inner.start(command, output, budget);
    }

    @Override
    public long upload(Path local, String remotePath, Budget budget) {
        return retry(budget, () -> inner.upload(local, remotePath, budget));
    }

    @Override
    public long download(String remotePath, Path localDir, Budget budget) {
        return retry(budget, () -> inner.download(remotePath, localDir, budget));
    }

    private <T> T retry(Budget budget, Supplier<T> step) {
        for (int attempt = 0; ; attempt++) {
            try {
                return step.get();
            } catch (FanoutException e) {
                if (!e.retryable() || attempt >= retries || budget.token().isCancelled()) {
                    throw e;
                }
                if (budget.token().sleep(backoff.delayNanos(attempt))) {
                    throw budget.token().failure(target());
                }
            }
        }
    }

    @Override
    public void close() {
        inner.close();
    }
}
