package net.schmizz.sshj.transport;

import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.command.AbstractCommandSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.SocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * spotsh's {@link Reader} through a real SSH server (Apache MINA on 127.0.0.1) and SSHJ: the decoder gets exactly
 * the pieces it asks for out of reads that may hold many packets, and bulk output across every packet size comes
 * through byte for byte.
 */
class ReaderTest {
    private SshServer server;
    /** The client socket's reads; while {@code gate} is closed, the client's reader waits before reading. */
    private final AtomicInteger reads = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    /** Counted down by the burst command once every piece it wrote was handed to the channel. */
    private final CountDownLatch written = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException, GeneralSecurityException {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256)));
        server.setPasswordAuthenticator((user, password, session) -> true);
        server.setCommandFactory((channel, command) -> new Pieces(command));
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.stop(true);
    }

    @Test
    void manySmallPacketsWaitingInTheSocketAreDecodedFromFewReads() throws Exception {
        int pieces = 400;
        try (SSHClient client = connect(); Session session = client.startSession()) {
            Session.Command command = session.exec("burst " + pieces);
            gate = new CountDownLatch(1); // the reader's next read waits until every packet is in the socket
            OutputStream in = command.getOutputStream();
            in.write('\n'); // the command writes its pieces once it read this
            in.flush();
            assertTrue(written.await(30, TimeUnit.SECONDS));
            int before = reads.get();
            gate.countDown();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread drainErr = new Thread(() -> copy(command.getErrorStream(), err));
            drainErr.start();
            copy(command.getInputStream(), out);
            drainErr.join(30_000);
            command.join(30, TimeUnit.SECONDS);
            assertEquals(0, command.getExitStatus());
            assertEquals(expected(pieces, "out"), out.toString());
            assertEquals(expected(pieces, "err"), err.toString());
            // each piece is a packet of its own (a flush each); read as asked (a block, then the rest) that is at
            // least two reads a packet (SSHJ's own reader: 1606 here), while a read of whatever waits takes in up to
            // GREEDY bytes of them at once
            int bytes = out.size() + err.size();
            int used = reads.get() - before;
            assertTrue(used < pieces, "reads after the gate opened: " + used + " for " + 2 * pieces + " packets of "
                    + bytes + " bytes of output in all");
        }
    }

    @Test
    void bulkOutputOfEverySizeAroundTheBufferComesThroughWhole() throws Exception {
        int[] sizes = {1, 15, 16, 17, Reader.GREEDY - 1, Reader.GREEDY, Reader.GREEDY + 1, 32 * 1024 - 1, 32 * 1024,
                32 * 1024 + 1, Reader.BUFFER_SIZE - 1, Reader.BUFFER_SIZE + 1, 3 * 1024 * 1024 + 7};
        try (SSHClient client = connect()) {
            for (int size : sizes) {
                try (Session session = client.startSession()) {
                    Session.Command command = session.exec("bulk " + size);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    copy(command.getInputStream(), out);
                    command.join(30, TimeUnit.SECONDS);
                    assertEquals(0, command.getExitStatus(), "bulk " + size);
                    assertArrayEquals(pattern(size), out.toByteArray(), "bulk " + size);
                }
            }
        }
    }

    private SSHClient connect() throws IOException {
        SSHClient client = new SSHClient();
        client.addHostKeyVerifier(new PromiscuousVerifier());
        client.setSocketFactory(new GatedSockets());
        client.connect("127.0.0.1", server.getPort());
        client.authPassword("tester", "any");
        return client;
    }

    private static String expected(int pieces, String stream) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            s.append(stream).append(' ').append(i).append('\n');
        }
        return s.toString();
    }

    /** Bytes that depend on their position, so a lost, doubled or misplaced piece shows. */
    private static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8) * 7);
        }
        return b;
    }

    private static void copy(InputStream in, OutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's commands: {@code burst N} (after a line on stdin, N small flushed pieces on each stream) and {@code bulk N}. */
    private final class Pieces extends AbstractCommandSupport {
        Pieces(String command) {
            super(command, null); // a thread of its own
        }

        @Override
        public void run() {
            String[] words = getCommand().split(" ");
            int n = Integer.parseInt(words[1]);
            OutputStream out = getOutputStream();
            try {
                if (words[0].equals("burst")) {
                    getInputStream().read();
                    OutputStream err = getErrorStream();
                    for (int i = 0; i < n; i++) {
                        out.write(("out " + i + "\n").getBytes());
                        out.flush();
                        err.write(("err " + i + "\n").getBytes());
                        err.flush();
                    }
                    written.countDown();
                } else {
                    byte[] bytes = pattern(n);
                    // odd-sized writes, so packet edges fall everywhere
                    int at = 0;
                    int step = 1;
                    while (at < n) {
                        int len = Math.min(step, n - at);
                        out.write(bytes, at, len);
                        out.flush();
                        at += len;
                        step = step > 100_000 ? 1 : step * 3 + 1;
                    }
                }
                onExit(0);
            } catch (IOException e) {
                onExit(1, e.toString());
            }
        }
    }

    /** Sockets whose reads are counted and wait while the gate is closed. */
    private final class GatedSockets extends SocketFactory {
        @Override
        public Socket createSocket() {
            return new Socket() {
                private InputStream gated;

                @Override
                public synchronized InputStream getInputStream() throws IOException {
                    if (gated == null) {
                        gated = new FilterInputStream(super.getInputStream()) {
                            @Override
                            public int read(byte[] b, int off, int len) throws IOException {
                                try {
                                    gate.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    throw new IOException(e);
                                }
                                reads.incrementAndGet();
                                return super.read(b, off, len);
                            }
                        };
                    }
                    return gated;
                }
            };
        }

        @Override
        public Socket createSocket(String host, int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
            throw new UnsupportedOperationException();
        }
    }
}
