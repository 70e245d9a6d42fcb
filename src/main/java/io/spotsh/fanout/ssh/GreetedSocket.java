package io.spotsh.fanout.ssh;

import javax.net.SocketFactory;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * A socket that is connected, and has heard the server's first byte (SSH servers speak first), before the node
 * takes a handshake permit; SSHJ then gets it already connected. A black-holed node (TCP accepted, nothing said)
 * thus spends its connect timeout without holding a permit, at the same time as the others' handshakes, and a
 * fan-out with dead nodes takes about the connect timeout instead of that plus the healthy nodes' handshakes.
 */
final class GreetedSocket extends Socket {
    private InputStream in;

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
        in = new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) first}), raw);
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
