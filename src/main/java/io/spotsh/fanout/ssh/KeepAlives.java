package io.spotsh.fanout.ssh;

import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.ConnectionException;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps every open connection alive from one thread (SSHJ's own keepalive costs a thread per connection): every
 * interval each connection gets a {@code keepalive@openssh.com} request; any answer, even "unsupported", proves
 * the peer alive. After too many unanswered probes the socket is closed, so the next use reopens the connection
 * instead of hanging on a dead one.
 */
final class KeepAlives implements AutoCloseable {
    private final ScheduledExecutorService thread;
    private final int maxMisses;
    private final Map<SSHClient, Probe> watched = new ConcurrentHashMap<>();

    KeepAlives(Duration interval, int maxMisses) {
        this.maxMisses = maxMisses;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spotsh-keepalive");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        thread.scheduleWithFixedDelay(this::probeAll, millis, millis, TimeUnit.MILLISECONDS);
    }

    void watch(SSHClient client) {
        watched.put(client, new Probe());
    }

    void forget(SSHClient client) {
        watched.remove(client);
    }

    private void probeAll() {
        watched.forEach((client, probe) -> {
            if (!client.isConnected() || !client.getTransport().isRunning()) {
                watched.remove(client);
            } else if (probe.pending != null && !probe.pending.isDelivered()) {
                if (++probe.misses >= maxMisses) {
                    watched.remove(client);
                    closeSocket(client);
                }
            } else {
                probe.misses = 0;
                try {
                    probe.pending = client.getConnection().sendGlobalRequest("keepalive@openssh.com", true, new byte[0]);
                } catch (IOException e) {
                    watched.remove(client);
                    closeSocket(client);
                }
            }
        });
    }

    /** Closes the raw socket: immediate, never waits on the SSH layer; SSHJ's reader then fails everything open. */
    static void closeSocket(SSHClient client) {
        Socket socket = client.getSocket();
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    /** The last unanswered probe of one connection. */
    private static final class Probe {
        Promise<SSHPacket, ConnectionException> pending;
        int misses;
    }
}
