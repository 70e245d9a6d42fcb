package io.spotsh.fanout.ssh;

import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.crypto.SshCrypto;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.Feed;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.global.KeepAliveHandler;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SSHJ connections read by {@link ReadLoop}, to a real SSH server on loopback: a connection whose write lock a user
 * thread holds (as a write waiting for room would) is still read, by its own reader thread, and goes back to the
 * loop afterwards; a socket closed under the loop ends the transport.
 */
class ReadLoopTest {
    @TempDir
    Path dir;

    private static SSHClient connect(SshSetup setup, Target target) throws IOException {
        GreetedSocket socket = new GreetedSocket();
        socket.greet(new InetSocketAddress(target.host(), target.port()), 10_000);
        SSHClient c = setup.newClient(setup.hostKeyCheck(target), 10_000);
        c.setSocketFactory(socket.factory());
        c.connect(target.host(), target.port());
        c.auth(target.user(), setup.authMethods(target));
        return c;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            line.append((char) b);
        }
        return line.toString();
    }

    /** A greeted socket, and the peer this test plays at its other end, which speaks first as SSH servers do. */
    private record Peer(GreetedSocket socket, Socket peer, ServerSocket server) implements AutoCloseable {
        static Peer greeting(byte[] hello) throws Exception {
            ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            GreetedSocket socket = new GreetedSocket();
            AtomicReference<IOException> failed = new AtomicReference<>();
            Thread greeter = new Thread(() -> {
                try {
                    socket.greet(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 10_000);
                } catch (IOException e) {
                    failed.set(e);
                }
            });
            greeter.start();
            Socket peer = server.accept();
            peer.getOutputStream().write(hello);
            greeter.join(10_000);
            if (failed.get() != null) {
                throw failed.get();
            }
            return new Peer(socket, peer, server);
        }

        @Override
        public void close() throws IOException {
            try (server; peer) {
                socket.close();
            }
        }
    }

    /** Sends {@code size} bytes through {@code cat} on the node from another thread, and checks they all come back. */
    private static void assertCatEchoes(SSHClient c, int size) throws Exception {
        try (Session session = c.startSession()) {
            Session.Command cmd = session.exec("cat");
            byte[] data = new byte[size];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) ('a' + i % 26);
            }
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    cmd.getOutputStream().write(data);
                    cmd.getOutputStream().flush();
                    cmd.getOutputStream().close();
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            writer.start();
            byte[] back = cmd.getInputStream().readAllBytes();
            writer.join(30_000);
            assertNull(failed.get());
            assertEquals(data.length, back.length);
            assertTrue(Arrays.equals(data, back), "the bytes came back as sent");
        }
    }

    /** Holds a connection's write lock on a thread of its own, as a write waiting for room would, until closed. */
    private static final class Holder implements AutoCloseable {
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        Holder(ReentrantLock lock) throws InterruptedException {
            CountDownLatch held = new CountDownLatch(1);
            thread = new Thread(() -> {
                lock.lock();
                try {
                    held.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    lock.unlock();
                }
            });
            thread.start();
            if (!held.await(10, TimeUnit.SECONDS)) {
                release.countDown(); // it lets go whenever it gets the lock
                throw new AssertionError("the write lock was not taken within 10 s");
            }
        }

        @Override
        public void close() throws InterruptedException {
            release.countDown();
            thread.join(10_000);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    @Test
    void outputArrivingWhileAUserThreadHoldsTheWriteLockIsReadAndTheConnectionGoesBackToTheLoop() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1)) {
            SshSetup setup = new SshSetup(cluster.settings().build(), SshCrypto.parse("none"));
            try (SSHClient c = connect(setup, cluster.node(1).target())) {
                ReentrantLock writeLock = Feed.writeLockOf(c.getTransport());
                GreetedSocket socket = (GreetedSocket) c.getSocket();
                Path flag = dir.resolve("lock-held");
                try (Session session = c.startSession()) {
                    // "second" comes only once the test says the lock is held, however late the holder gets it
                    Session.Command cmd = session.exec("echo first; while [ ! -e '" + flag
                            + "' ]; do sleep 0.02; done; echo second");
                    // the connection on its loop first (the handshake's writes may have handed it to its reader)
                    awaitTrue(socket::onLoop, "on the loop before the lock is taken");
                    long handed = ReadLoop.handedToReaders();
                    // released also when an assertion fails: closing the session needs the lock
                    try (Holder ignored = new Holder(writeLock)) {
                        InputStream out = cmd.getInputStream();
                        assertEquals("first", readLine(out));
                        Files.createFile(flag);
                        assertEquals("second", readLine(out), "read while the write lock is held");
                        assertTrue(writeLock.isLocked(), "the lock was held all along");
                        assertTrue(ReadLoop.handedToReaders() > handed, "the reader thread took the connection");
                    }
                    cmd.join(10, TimeUnit.SECONDS);
                    assertEquals(0, cmd.getExitStatus());
                }
                awaitTrue(socket::onLoop, "back on the loop once the lock was free");
                try (Session session = c.startSession()) {
                    Session.Command cmd = session.exec("echo again");
                    assertEquals("again", readLine(cmd.getInputStream()));
                    cmd.join(10, TimeUnit.SECONDS);
                    assertEquals(0, cmd.getExitStatus());
                }
            }
        }
    }

    @Test
    void aSocketClosedUnderTheLoopEndsTheTransportAndWhatWaitsOnIt() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1)) {
            SshSetup setup = new SshSetup(cluster.settings().build(), SshCrypto.parse("none"));
            try (SSHClient c = connect(setup, cluster.node(1).target()); Session session = c.startSession()) {
                Session.Command cmd = session.exec("sleep 30");
                KeepAlives.closeSocket(c); // what the keepalives do to a node they gave up on
                awaitTrue(() -> !c.getTransport().isRunning(), "the transport ended");
                assertThrows(IOException.class, () -> {
                    int b = cmd.getInputStream().read();
                    if (b == -1) {
                        throw new IOException("ended");
                    }
                });
            }
        }
    }

    @Test
    void writesAndReadsOfAMegabyteEachWayGoThroughTheLoop() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1)) {
            SshSetup setup = new SshSetup(cluster.settings().build(), SshCrypto.parse("none"));
            try (SSHClient c = connect(setup, cluster.node(1).target())) {
                assertCatEchoes(c, 1 << 20);
            }
        }
    }

    @Test
    void aWriterHoldingTheWriteLockQueuesInsteadOfWaitingForRoomWhileALoopDecodesTheConnection() throws Exception {
        try (Peer p = Peer.greeting(new byte[] {'S'})) {
            GreetedSocket socket = p.socket();
            Socket peer = p.peer();
            socket.nonBlocking();
            OutputStream out = socket.getOutputStream();
            // the peer stops reading (a node that froze): far more than the socket buffers hold
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) i;
            }
            socket.loopTurn(true);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 16; i++) {
                        out.write(chunk);
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            writer.start();
            writer.join(30_000);
            assertFalse(writer.isAlive(), "the write returned while the loop decoded, instead of waiting for room");
            assertNull(failed.get());
            assertTrue(socket.writesQueued(), "what did not fit is queued");
            socket.loopTurn(false);

            // the peer reads again: everything arrives, in order, as the queue is flushed
            AtomicLong got = new AtomicLong();
            AtomicReference<String> wrong = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try (InputStream in = peer.getInputStream()) {
                    byte[] buf = new byte[65536];
                    for (int n; got.get() < 16L << 20 && (n = in.read(buf)) > 0; ) {
                        for (int k = 0; k < n; k++) {
                            if (buf[k] != (byte) ((got.get() + k) % (1 << 20))) {
                                wrong.compareAndSet(null, "byte " + (got.get() + k));
                            }
                        }
                        got.addAndGet(n);
                    }
                } catch (IOException e) {
                    wrong.compareAndSet(null, e.toString());
                }
            });
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!socket.flushQueued() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            reader.join(30_000);
            assertEquals(16L << 20, got.get());
            assertNull(wrong.get());
            assertFalse(socket.writesQueued());
        }
    }

    @Test
    void aWriteHoldingAConnectionDoesNotHoldTheKeepalivesOfTheOthers() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2);
             KeepAlives keepAlives = new KeepAlives(Duration.ofMillis(200), 3)) {
            SshSetup setup = new SshSetup(cluster.settings().build(), SshCrypto.parse("none"));
            try (SSHClient stuck = connect(setup, cluster.node(1).target());
                 SSHClient healthy = connect(setup, cluster.node(2).target());
                 Holder ignored = new Holder(Feed.writeLockOf(stuck.getTransport()))) {
                keepAlives.watch(stuck, () -> 0);
                keepAlives.watch(healthy, () -> 0);
                awaitTrue(() -> keepAlives.deathNote(stuck) != null, "nothing came back and no probe could be sent: dead");
                assertNull(keepAlives.deathNote(healthy), "the other connection's probes were answered meanwhile");
                assertTrue(healthy.isConnected() && healthy.getTransport().isRunning());
            }
        }
    }

    @Test
    void aConnectionsFirstKeepaliveProbeGoesOutWhenItIsWatchedNotAnIntervalLater() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1);
             KeepAlives keepAlives = new KeepAlives(Duration.ofHours(1), 3)) {
            AtomicInteger probes = new AtomicInteger();
            SshServer server = cluster.node(1).server();
            List<RequestHandler<ConnectionService>> handlers = new ArrayList<>(server.getGlobalRequestHandlers());
            handlers.replaceAll(h -> h instanceof KeepAliveHandler ? new KeepAliveHandler() {
                @Override
                public Result process(ConnectionService service, String request, boolean wantReply, Buffer buffer)
                        throws Exception {
                    Result result = super.process(service, request, wantReply, buffer);
                    if (result != Result.Unsupported) {
                        probes.incrementAndGet();
                    }
                    return result;
                }
            } : h);
            server.setGlobalRequestHandlers(handlers);
            SshSetup setup = new SshSetup(cluster.settings().build(), SshCrypto.parse("none"));
            try (SSHClient c = connect(setup, cluster.node(1).target())) {
                assertEquals(0, probes.get(), "no probe before the connection is watched");
                keepAlives.watch(c, () -> 0);
                // the interval is an hour: only the probe sent on watching can arrive
                awaitTrue(() -> probes.get() == 1, "the server got the first probe");
                assertNull(keepAlives.deathNote(c));
                assertTrue(c.isConnected() && c.getTransport().isRunning());
            }
        }
    }

    @Test
    void aKeyExchangeTheServerStartsInTheMiddleOfABulkTransferEndsAndTheBytesArriveIntact() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1)) {
            // the server re-keys every 256 KiB it sends or receives, while a user thread writes and the loop reads
            CoreModuleProperties.REKEY_BYTES_LIMIT.set(cluster.node(1).server(), 256L * 1024);
            SshSetup setup = new SshSetup(cluster.settings().build(), SshCrypto.parse("none"));
            try (SSHClient c = connect(setup, cluster.node(1).target())) {
                AtomicInteger keyExchanges = new AtomicInteger();
                cluster.node(1).server().getActiveSessions().forEach(session -> session.addSessionListener(new SessionListener() {
                    @Override
                    public void sessionEvent(org.apache.sshd.common.session.Session s, Event event) {
                        if (event == Event.KeyEstablished) {
                            keyExchanges.incrementAndGet();
                        }
                    }
                }));
                assertCatEchoes(c, 4 << 20);
                assertTrue(keyExchanges.get() >= 8, "the server re-keyed during the transfer: " + keyExchanges.get());
            }
        }
    }

    @Test
    void bytesWaitingOnANonBlockingSocketShowAsUnreadForTheKeepalives() throws Exception {
        try (Peer p = Peer.greeting("SSH-2.0-test\r\n".getBytes(StandardCharsets.US_ASCII))) {
            GreetedSocket socket = p.socket();
            Socket peer = p.peer();
            // the identification line is read through the stream, as SSHJ reads it, before a loop takes over
            assertEquals("SSH-2.0-test\r", readLine(socket.getInputStream()));
            socket.nonBlocking();
            assertEquals(0, socket.getInputStream().available());
            peer.getOutputStream().write(new byte[] {1, 2, 3});
            awaitTrue(() -> {
                try {
                    return socket.getInputStream().available() == 3;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "three bytes unread");
        }
    }
}
