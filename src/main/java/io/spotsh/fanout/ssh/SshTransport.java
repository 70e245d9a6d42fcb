package io.spotsh.fanout.ssh;

import io.spotsh.fanout.FanoutSettings;
import io.spotsh.fanout.Remote;
import io.spotsh.fanout.Target;
import io.spotsh.fanout.Transport;
import io.spotsh.fanout.ssh.crypto.SshCrypto;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The engine's SSH transport (SSHJ): a {@link SshRemote} per node, one persistent connection each, sharing the keys,
 * the known_hosts file and the SSHJ configuration parsed once ({@link SshSetup}) and one keep-alive thread
 * ({@link KeepAlives}). Reads the cluster key, the user's keys and known_hosts now, so a bad key fails here, once.
 * <pre>{@code
 * FanoutSettings settings = FanoutSettings.builder().clusterKey(keyFile).build();
 * try (Fanout fanout = new Fanout(settings, new SshTransport(settings, SshCrypto.fromEnvironment()))) {
 *     fanout.run(nodes, "uptime");
 * }
 * }</pre>
 */
public final class SshTransport implements Transport {
    private final SshSetup setup;
    private final KeepAlives keepAlives;

    /** With every one of spotsh's own crypto pieces ({@link SshCrypto#ALL}). */
    public SshTransport(FanoutSettings settings) {
        this(settings, SshCrypto.ALL);
    }

    /** With the crypto pieces {@code crypto} keeps; SSHJ's own algorithms for the rest. */
    public SshTransport(FanoutSettings settings, SshCrypto crypto) {
        this.setup = new SshSetup(settings, crypto);
        this.keepAlives = new KeepAlives(settings.keepAlive(), settings.keepAliveMisses());
    }

    @Override
    public Remote open(Target target, ScheduledExecutorService timers, Executor closer, Runnable onOpened) {
        return new SshRemote(target, setup, keepAlives, timers, closer, onOpened);
    }

    @Override
    public void close() {
        keepAlives.close();
    }
}
