package io.spotsh.workflow;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * "Does it answer SSH?" without logging in: a TCP connect and the server's identification line
 * ({@code SSH-2.0-...}), many hosts at once, each bounded by a timeout. Cheap enough to ask every interval.
 */
final class SshProbe implements AutoCloseable {
    /** One host to ask. */
    record Target(String key, String host, int port) { }

    private final ExecutorService pool;
    private final Duration timeout;

    SshProbe(int parallel, Duration timeout) {
        this.pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "spotsh-ssh-probe");
            t.setDaemon(true);
            return t;
        });
        this.timeout = timeout;
    }

    /** The keys of the targets that answered with an SSH identification line. */
    Set<String> answering(Collection<Target> targets) throws InterruptedException {
        Set<String> answered = ConcurrentHashMap.newKeySet();
        Map<Target, Future<?>> running = new java.util.HashMap<>();
        for (Target t : targets) {
            running.put(t, pool.submit(() -> {
                if (answers(t.host(), t.port(), timeout)) {
                    answered.add(t.key());
                }
            }));
        }
        for (Future<?> f : running.values()) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                // a probe that failed is a host that did not answer
            }
        }
        return answered;
    }

    static boolean answers(String host, int port, Duration timeout) {
        try (Socket socket = new Socket()) {
            int ms = (int) timeout.toMillis();
            socket.connect(new InetSocketAddress(host, port), ms);
            socket.setSoTimeout(ms);
            InputStream in = socket.getInputStream();
            byte[] banner = new byte[4];
            int read = 0;
            while (read < 4) {
                int n = in.read(banner, read, 4 - read);
                if (n < 0) {
                    return false;
                }
                read += n;
            }
            return new String(banner, StandardCharsets.US_ASCII).equals("SSH-");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
