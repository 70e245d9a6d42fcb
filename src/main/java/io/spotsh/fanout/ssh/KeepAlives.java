package io.spotsh.fanout.ssh;

import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.transport.Feed;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Keeps every open connection alive from one thread (SSHJ's own keepalive costs a thread per connection): every
 * interval each connection gets a {@code keepalive@openssh.com} request; any answer, even "unsupported", proves
 * the peer alive, and so does any data arriving meanwhile ({@link Liveness}: a loaded node answers late but keeps
 * sending). After too many silent probes the socket is closed, so the next use reopens the connection instead of
 * hanging on a dead one, and the failure says why ({@link #deathNote}). The thread never waits on one connection:
 * a probe is not sent while a write holds the connection (it may be waiting for room on a node that stopped
 * reading), and a probe that does not fit in the socket is queued.
 */
final class KeepAlives implements AutoCloseable {
    private final ScheduledExecutorService thread;
    private final Duration interval;
    private final int maxMisses;
    private final Map<SSHClient, Probe> watched = new ConcurrentHashMap<>();
    private final Map<SSHClient, String> given = Collections.synchronizedMap(new WeakHashMap<>());

    KeepAlives(Duration interval, int maxMisses) {
        this.interval = interval;
        this.maxMisses = maxMisses;
        // a probe to a node that stopped reading is queued, not waited for: the thread serves every connection
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> ReadLoop.noWait(r, "spotsh-keepalive"));
        long millis = interval.toMillis();
        thread.scheduleWithFixedDelay(this::probeAll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Watches a connection; {@code received} counts the bytes it has received (0 when unknown). Its first probe goes
     * out now, not an interval later: the first round used to fall in the middle of a later fan-out, and its packets,
     * the first of their kind, made the JIT throw away SSHJ's compiled decoder and encoder, which every connection
     * shares (a class first loaded by the answer, a branch first taken by the request), so a warm fan-out ran them
     * half-compiled and paid for compiling them again (scripts/bench/results/readloop.md).
     */
    void watch(SSHClient client, LongSupplier received) {
        Probe probe = new Probe(new Liveness(maxMisses), received);
        if (send(client, probe)) {
            probe.liveness.probing();
        }
        watched.put(client, probe);
    }

    void forget(SSHClient client) {
        watched.remove(client);
    }

    /** Why this connection was given up as dead, or null when the keepalives did not end it. */
    String deathNote(SSHClient client) {
        return given.get(client);
    }

    private void probeAll() {
        watched.forEach((client, probe) -> {
            if (!client.isConnected() || !client.getTransport().isRunning()) {
                watched.remove(client);
                return;
            }
            boolean answered = probe.pending != null && probe.pending.isDelivered();
            switch (probe.liveness.tick(answered, probe.received.getAsLong(), unread(client))) {
                case PROBE -> send(client, probe);
                case DEAD -> {
                    watched.remove(client);
                    given.put(client, probe.liveness.deathNote(interval));
                    closeSocket(client);
                }
                case WAIT -> { }
            }
        });
    }

    /**
     * Sends a probe unless a write holds the connection, maybe waiting for room on a node that stopped reading: the
     * probe would wait with it, and every other connection's after it. One not sent is asked for again next round,
     * which is silent unless something arrives meanwhile. True when it went out; a connection that fails the write
     * is closed and no longer watched.
     */
    private boolean send(SSHClient client, Probe probe) {
        ReentrantLock writing = Feed.writeLockOf(client.getTransport());
        if (writing != null && !writing.tryLock()) {
            probe.pending = null;
            probe.liveness.notSent();
            return false;
        }
        try {
            probe.pending = client.getConnection().sendGlobalRequest("keepalive@openssh.com", true, new byte[0]);
            return true;
        } catch (IOException e) {
            watched.remove(client);
            closeSocket(client);
            return false;
        } finally {
            if (writing != null) {
                writing.unlock();
            }
        }
    }

    private static boolean unread(SSHClient client) {
        Socket socket = client.getSocket();
        try {
            return socket != null && !socket.isClosed() && socket.getInputStream().available() > 0;
        } catch (IOException e) {
            return false;
        }
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

    /** The liveness of one connection and its last probe. */
    private static final class Probe {
        final Liveness liveness;
        final LongSupplier received;
        Promise<SSHPacket, ConnectionException> pending;

        Probe(Liveness liveness, LongSupplier received) {
            this.liveness = liveness;
            this.received = received;
        }
    }
}
