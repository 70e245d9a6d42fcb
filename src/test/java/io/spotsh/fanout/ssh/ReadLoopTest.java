package io.spotsh.fanout.ssh;

import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.crypto.SshCrypto;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.Feed;
import net.schmizz.sshj.transport.TransportImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void outputArrivingWhileAUserThreadHoldsTheWriteLockIsReadAndTheConnectionGoesBackToTheLoop() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1)) {
            SshSetup setup = new SshSetup(cluster.settings().build(), SshCrypto.parse("none"));
            SSHClient c = connect(setup, cluster.node(1).target());
            try {
                ReentrantLock writeLock = new Feed((TransportImpl) c.getTransport()).writeLock();
                long handed = ReadLoop.handedToReaders();
                long returned = ReadLoop.returnedToLoops();
                try (Session session = c.startSession()) {
                    Session.Command cmd = session.exec("echo first; sleep 0.5; echo second");
                    CountDownLatch held = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    Thread holder = new Thread(() -> {
                        writeLock.lock();
                        try {
                            held.countDown();
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            writeLock.unlock();
                        }
                    });
                    holder.start();
                    assertTrue(held.await(10, TimeUnit.SECONDS));
                    InputStream out = cmd.getInputStream();
                    assertEquals("first", readLine(out));
                    assertEquals("second", readLine(out), "read while the write lock is held");
                    assertTrue(writeLock.isLocked(), "the lock was held all along");
                    assertTrue(ReadLoop.handedToReaders() > handed, "the reader thread took the connection");
                    release.countDown();
                    holder.join(10_000);
                    cmd.join(10, TimeUnit.SECONDS);
                    assertEquals(0, cmd.getExitStatus());
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ReadLoop.returnedToLoops() == returned && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(ReadLoop.returnedToLoops() > returned, "back on the loop once the lock was free");
                try (Session session = c.startSession()) {
                    Session.Command cmd = session.exec("echo again");
                    assertEquals("again", readLine(cmd.getInputStream()));
                    cmd.join(10, TimeUnit.SECONDS);
                    assertEquals(0, cmd.getExitStatus());
                }
            } finally {
                c.disconnect();
            }
        }
    }

    @Test
    void aSocketClosedUnderTheLoopEndsTheTransportAndWhatWaitsOnIt() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1)) {
            SshSetup setup = new SshSetup(cluster.settings().build(), SshCrypto.parse("none"));
            SSHClient c = connect(setup, cluster.node(1).target());
            try (Session session = c.startSession()) {
                Session.Command cmd = session.exec("sleep 30");
                KeepAlives.closeSocket(c); // what the keepalives do to a node they gave up on
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (c.getTransport().isRunning() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertFalse(c.getTransport().isRunning(), "the transport ended");
                assertThrows(IOException.class, () -> {
                    int b = cmd.getInputStream().read();
                    if (b == -1) {
                        throw new IOException("ended");
                    }
                });
            } finally {
                c.disconnect();
            }
        }
    }

    @Test
    void writesAndReadsOfAMegabyteEachWayGoThroughTheLoop() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1)) {
            SshSetup setup = new SshSetup(cluster.settings().build(), SshCrypto.parse("none"));
            SSHClient c = connect(setup, cluster.node(1).target());
            try (Session session = c.startSession()) {
                Session.Command cmd = session.exec("cat");
                byte[] data = new byte[1 << 20];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) ('a' + i % 26);
                }
                Thread writer = new Thread(() -> {
                    try {
                        cmd.getOutputStream().write(data);
                        cmd.getOutputStream().flush();
                        cmd.getOutputStream().close();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                writer.start();
                byte[] back = cmd.getInputStream().readAllBytes();
                writer.join(10_000);
                assertEquals(data.length, back.length);
                assertEquals(new String(data, StandardCharsets.US_ASCII), new String(back, StandardCharsets.US_ASCII));
            } finally {
                c.disconnect();
            }
        }
    }
}
