package io.spotsh.fanout;

import io.spotsh.fanout.ssh.LoopbackNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keepalive rule through real SSH on loopback, with a relay between the engine and the node: a node behind a
 * slow link (its keepalive answers queue behind its output: late, but data keeps coming) stays alive; one behind
 * a relay that goes silent (a frozen or partitioned machine) is found dead and its result says so.
 */
class SlowOrDeadTest {
    @TempDir
    Path dir;

    @Test
    void aNodeThatAnswersLateButKeepsSendingIsNotDeclaredDead() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1);
             Relay relay = new Relay(cluster.node(1).target(), 100_000);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().keepAlive(Duration.ofMillis(200), 3))) {
            Target slow = relay.target(cluster.node(1).target());
            assertTrue(fanout.run(List.of(slow), "true").allOk());
            // 300 kB of output through a 100 kB/s link: each keepalive answer queues behind it for seconds, far
            // beyond 3 probes of 200 ms, while the output keeps arriving
            RunResult result = fanout.run(List.of(slow), "head -c 300000 /dev/zero | tr '\\0' x");
            assertTrue(result.allOk(), result.get("data-1").toString());
            assertEquals(300_000, result.get("data-1").getStdoutBytes());
            assertTrue(result.getDuration().toMillis() >= 2000, "the link really was slow: " + result.summary());
        }
    }

    @Test
    void aNodeThatGoesSilentIsFoundDeadAndTheResultSaysWhy() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1);
             Relay relay = new Relay(cluster.node(1).target(), 0);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().keepAlive(Duration.ofMillis(200), 3))) {
            Target node = relay.target(cluster.node(1).target());
            assertTrue(fanout.run(List.of(node), "true").allOk());
            var running = java.util.concurrent.CompletableFuture.supplyAsync(() -> fanout.run(List.of(node), "sleep 60"));
            Thread.sleep(500);
            relay.freeze();
            RunResult result = running.get(30, TimeUnit.SECONDS);

            NodeResult dead = result.get(node.name());
            assertFalse(dead.isOk());
            assertEquals(FailureStage.EXEC, dead.getPhase(), dead.toString());
            assertEquals(FailureCause.PEER_DEAD, dead.getFailureCause(), dead.toString());
            assertTrue(dead.getError().contains("no keepalive answer and nothing received for 3 probes"), dead.getError());
            assertTrue(result.summary().contains("exec: peer dead (keepalives unanswered) ×1"), result.summary());
        }
    }

    /** Forwards each connection to the node, each chunk {@code delayMillis} late; frozen, it forwards nothing. */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new ArrayList<>();
        private final Target to;
        private final long bytesPerSecond;
        private volatile boolean frozen;

        /** {@code bytesPerSecond}: the node-to-engine direction's bandwidth, 0 for unlimited. */
        Relay(Target to, long bytesPerSecond) throws IOException {
            this.to = to;
            this.bytesPerSecond = bytesPerSecond;
            Thread accept = new Thread(this::accept, "relay-accept");
            accept.setDaemon(true);
            accept.start();
        }

        Target target(Target node) {
            return new Target(node.name(), "127.0.0.1", server.getLocalPort(), node.user(), node.hostKey());
        }

        void freeze() {
            frozen = true;
        }

        private void accept() {
            try {
                while (true) {
                    Socket in = server.accept();
                    Socket out = new Socket();
                    try {
                        out.connect(new InetSocketAddress(to.host(), to.port()));
                    } catch (IOException e) {
                        in.close();
                        continue;
                    }
                    synchronized (sockets) {
                        sockets.add(in);
                        sockets.add(out);
                    }
                    pipe(in, out, 0);
                    pipe(out, in, bytesPerSecond);
                }
            } catch (IOException closed) {
                // the relay was closed
            }
        }

        /** A reader that queues all it reads and a writer that sends it on, at {@code rate} bytes a second (0: at once). */
        private void pipe(Socket from, Socket to, long rate) {
            LinkedBlockingQueue<byte[]> due = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[16384];
                try (InputStream in = from.getInputStream()) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        due.put(Arrays.copyOf(buffer, n));
                    }
                } catch (IOException | InterruptedException ignored) {
                    // closed
                }
            });
            Thread writer = new Thread(() -> {
                try (OutputStream out = to.getOutputStream()) {
                    while (true) {
                        byte[] chunk = due.take();
                        while (frozen) {
                            Thread.sleep(50); // a frozen machine: what was sent never arrives
                        }
                        for (int at = 0; at < chunk.length; at += 1024) {
                            int n = Math.min(1024, chunk.length - at);
                            out.write(chunk, at, n);
                            out.flush();
                            if (rate > 0) {
                                TimeUnit.NANOSECONDS.sleep(n * 1_000_000_000L / rate);
                            }
                        }
                    }
                } catch (IOException | InterruptedException ignored) {
                    // closed
                }
            });
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
