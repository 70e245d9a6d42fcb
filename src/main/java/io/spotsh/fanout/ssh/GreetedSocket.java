package io.spotsh.fanout.ssh;

import javax.net.SocketFactory;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A socket that is connected, and has heard the server's first byte (SSH servers speak first), before the node
 * takes a handshake permit; SSHJ then gets it already connected. A black-holed node (TCP accepted, nothing said)
 * thus spends its connect timeout without holding a permit, at the same time as the others' handshakes, and a
 * fan-out with dead nodes takes about the connect timeout instead of that plus the healthy nodes' handshakes.
 */
final class GreetedSocket extends Socket {
    private InputStream in;
    private final AtomicLong received = new AtomicLong();

    /** Only without a SOCKS proxy (see {@link SshSetup.DirectSockets}); with one, SSHJ connects as usual. */
    static final boolean APPLIES = SshSetup.DirectSockets.APPLIES;

    GreetedSocket() {
        super(Proxy.NO_PROXY);
    }

    /** How greeting failed: the TCP connect, or the wait for the server's first byte. */
    enum Stage { CONNECT, GREETING }

    private volatile Stage stage = Stage.CONNECT;

    Stage stage() {
        return stage;
    }

    /** Connects and waits for the server's first byte, both within {@code timeoutMillis}. */
    void greet(InetSocketAddress address, int timeoutMillis) throws IOException {
        long start = System.nanoTime();
        super.connect(address, timeoutMillis);
        stage = Stage.GREETING;
        long left = timeoutMillis - (System.nanoTime() - start) / 1_000_000;
        setSoTimeout((int) Math.max(1, left));
        InputStream raw = super.getInputStream();
        int first = raw.read();
        if (first < 0) {
            throw new EOFException("the server closed the connection before saying anything");
        }
        received.set(1);
        in = new Counting(new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) first}), raw), received);
    }

    /** Bytes received so far: the keepalives' measure of progress on the connection. */
    long received() {
        return received.get();
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (!isConnected()) {
            super.connect(endpoint, timeout);
        }
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return in != null ? in : super.getInputStream();
    }

    /** Counts what is read; the first byte, already counted, is read again from the sequence and not counted twice. */
    private static final class Counting extends FilterInputStream {
        private final AtomicLong count;
        private boolean first = true;

        Counting(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) {
            if (first) {
                first = false;
                n--;
            }
            count.addAndGet(n);
        }
    }

    /** Hands this socket to SSHJ: its connect is then a no-op and it reads the byte already heard first. */
    SocketFactory factory() {
        GreetedSocket socket = this;
        return new SocketFactory() {
            @Override
            public Socket createSocket() {
                return socket;
            }

            @Override
            public Socket createSocket(String host, int port) {
                return socket;
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
                return socket;
            }

            @Override
            public Socket createSocket(InetAddress host, int port) {
                return socket;
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
                return socket;
            }
        };
    }
}
