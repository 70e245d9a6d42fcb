package io.spotsh.fanout;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Where the engine's {@link Remote}s come from: the one seam another transport plugs into. The engine asks for a
 * remote once per node, wraps it in its limits and retries ({@link LimitedRemote}, {@link RetryingRemote}) and keeps
 * it with its connection; it never sees what is underneath. The SSH one is {@code io.spotsh.fanout.ssh.SshTransport}:
 * <pre>{@code
 * new Fanout(settings, new SshTransport(settings))
 * }</pre>
 */
public interface Transport extends AutoCloseable {
    /**
     * A remote for one node, not connected yet.
     *
     * @param timers   the engine's timer thread, for watchdogs (a task must not block)
     * @param closer   runs clean-up that may block (closing a channel waits for the server) off the caller's thread
     * @param onOpened called each time the remote opens a connection
     */
    Remote open(Target target, ScheduledExecutorService timers, Executor closer, Runnable onOpened);

    /** Releases what the remotes share; the engine has closed every remote first. */
    @Override
    void close();
}
