package io.spotsh.fanout.ssh;

import javax.net.SocketFactory;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A socket that is connected, and has heard the server's first byte (SSH servers speak first), before the node
 * takes a handshake permit; SSHJ then gets it already connected. A black-holed node (TCP accepted, nothing said)
 * thus spends its connect timeout without holding a permit, at the same time as the others' handshakes, and a
 * fan-out with dead nodes takes about the connect timeout instead of that plus the healthy nodes' handshakes.
 *
 * It is a {@link SocketChannel} behind a {@link Socket}: blocking through the handshake, then non-blocking once a
 * {@link ReadLoop} reads it. From then on its output stream writes to the channel itself: on a read loop's thread
 * or the keepalives' what does not fit is queued and written when the socket can take it (neither ever waits on one
 * node), on any other thread the write waits for the queue and then for room, as a blocking socket would, unless a
 * loop is decoding this connection's input meanwhile (it may need SSHJ's write lock, which that writer holds).
 */
final class GreetedSocket extends Socket {
    private final SocketChannel ch;
    private final Socket adaptor;
    private InputStream in;
    private final Out out = new Out();
    private final AtomicLong received = new AtomicLong();
    private volatile boolean nonBlocking;
    private volatile boolean loopTurn; // a read loop is decoding what this connection received
    private volatile boolean onLoop; // a read loop reads it now, not its reader thread
    private volatile Runnable onClose;
    private volatile Runnable onQueued = () -> { };

    /** Only without a SOCKS proxy (see {@link SshSetup.DirectSockets}); with one, SSHJ connects as usual. */
    static final boolean APPLIES = SshSetup.DirectSockets.APPLIES;

    GreetedSocket() throws IOException {
        super(Proxy.NO_PROXY);
        ch = SocketChannel.open();
        adaptor = ch.socket();
    }

    /** How greeting failed: the TCP connect, or the wait for the server's first byte. */
    enum Stage { CONNECT, GREETING }

    private volatile Stage stage = Stage.CONNECT;

    Stage stage() {
        return stage;
    }

    SocketChannel channel() {
        return ch;
    }

    /** Connects and waits for the server's first byte, both within {@code timeoutMillis}. */
    void greet(InetSocketAddress address, int timeoutMillis) throws IOException {
        long start = System.nanoTime();
        adaptor.connect(address, timeoutMillis);
        stage = Stage.GREETING;
        long left = timeoutMillis - (System.nanoTime() - start) / 1_000_000;
        adaptor.setSoTimeout((int) Math.max(1, left));
        InputStream raw = adaptor.getInputStream();
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

    /** Counts bytes a read loop read. */
    void receivedMore(int n) {
        received.addAndGet(n);
    }

    /** From here on a read loop reads the channel, and writes go through {@link Out} on the channel itself. */
    void nonBlocking() throws IOException {
        out.lock.lock(); // SSHJ's connecting thread may be writing its key exchange meanwhile
        try {
            ch.configureBlocking(false);
            nonBlocking = true;
        } finally {
            out.lock.unlock();
        }
    }

    /**
     * Set by a read loop while it decodes what this connection received, before it looks at SSHJ's write lock: a
     * writer holding that lock then does not wait for room (see {@link Out#write}), and a writer that already waits
     * for room holds the lock, so the loop hands the connection to its reader thread instead of decoding it.
     */
    void loopTurn(boolean on) {
        loopTurn = on;
    }

    /** Whether a read loop reads this connection now (not its reader thread); said by the loop. */
    boolean onLoop() {
        return onLoop;
    }

    void onLoop(boolean on) {
        onLoop = on;
    }

    /** Whether bytes written on a read loop's thread still wait to be sent. */
    boolean writesQueued() {
        return out.queued();
    }

    /** Sends what is queued as far as the socket takes it, unless another thread is writing; true when all is sent. */
    boolean flushQueued() throws IOException {
        return out.flushQueued();
    }

    /** The channel's output once it is non-blocking. */
    final class Out extends OutputStream {
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
        private volatile boolean queued;
        private Selector writable; // for a writer that waits for room

        GreetedSocket socket() {
            return GreetedSocket.this;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!nonBlocking) {
                lock.lock();
                try {
                    if (!nonBlocking) {
                        adaptor.getOutputStream().write(b, off, len);
                        return;
                    }
                } finally {
                    lock.unlock();
                }
            }
            ByteBuffer bytes = ByteBuffer.wrap(b, off, len);
            if (ReadLoop.mustNotWait()) {
                lock.lock();
                try {
                    if (queue.isEmpty()) {
                        ch.write(bytes);
                    }
                    enqueue(bytes);
                } finally {
                    lock.unlock();
                }
                return;
            }
            try {
                while (true) {
                    lock.lock();
                    try {
                        if (sendQueued() && ch.write(bytes) >= 0 && !bytes.hasRemaining()) {
                            return;
                        }
                        if (loopTurn) {
                            // this thread holds SSHJ's write lock, and a loop reading this connection may be about to
                            // wait for it (an answer to the node): waiting for room here would hold that loop, and all
                            // its connections, until the node reads again; the rest goes out when the socket takes it
                            enqueue(bytes);
                            return;
                        }
                    } finally {
                        lock.unlock();
                    }
                    awaitRoom();
                }
            } finally {
                closeSelector(); // kept for one write, not for the connection's life (its descriptors)
            }
        }

        /** Under the lock: queues what is left of {@code bytes}, after what is queued already. */
        private void enqueue(ByteBuffer bytes) {
            if (bytes.hasRemaining()) {
                queue.add(ByteBuffer.allocate(bytes.remaining()).put(bytes).flip());
                queued = true;
                onQueued.run();
            }
        }

        boolean queued() {
            return queued;
        }

        boolean flushQueued() throws IOException {
            if (!lock.tryLock()) {
                return false;
            }
            try {
                return sendQueued();
            } finally {
                lock.unlock();
            }
        }

        /** Under the lock: writes the queue's head while the socket takes it; true when the queue is empty. */
        private boolean sendQueued() throws IOException {
            while (!queue.isEmpty()) {
                ByteBuffer head = queue.peek();
                ch.write(head);
                if (head.hasRemaining()) {
                    return false;
                }
                queue.poll();
            }
            queued = false;
            return true;
        }

        private void awaitRoom() throws IOException {
            if (!ch.isOpen()) {
                throw new SocketException("Socket closed");
            }
            synchronized (this) {
                if (writable == null) {
                    writable = Selector.open();
                    ch.register(writable, SelectionKey.OP_WRITE);
                }
                writable.select(1000);
                writable.selectedKeys().clear();
            }
            if (!ch.isOpen()) {
                throw new SocketException("Socket closed");
            }
        }

        @Override
        public void flush() {
        }

        synchronized void closeSelector() throws IOException {
            if (writable != null) {
                writable.close();
                writable = null;
            }
        }
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (!adaptor.isConnected()) {
            adaptor.connect(endpoint, timeout);
        }
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return in != null ? in : adaptor.getInputStream();
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    /** Runs when a write on a read loop's thread left bytes queued. */
    void onQueued(Runnable action) {
        onQueued = action;
    }

    /** Runs after the socket is closed (by anyone). */
    void onClose(Runnable action) {
        onClose = action;
        if (!ch.isOpen()) {
            action.run();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            ch.close();
        } finally {
            out.closeSelector();
            Runnable action = onClose;
            if (action != null) {
                action.run();
            }
        }
    }

    // the rest of Socket, as the channel's own socket answers it
    @Override public boolean isConnected() { return adaptor.isConnected(); }
    @Override public boolean isClosed() { return !ch.isOpen(); }
    @Override public boolean isBound() { return adaptor.isBound(); }
    @Override public InetAddress getInetAddress() { return adaptor.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return adaptor.getLocalAddress(); }
    @Override public int getPort() { return adaptor.getPort(); }
    @Override public int getLocalPort() { return adaptor.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return adaptor.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return adaptor.getLocalSocketAddress(); }
    @Override public void setTcpNoDelay(boolean on) throws SocketException { adaptor.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return adaptor.getTcpNoDelay(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { adaptor.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws SocketException { return adaptor.getSoTimeout(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { adaptor.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return adaptor.getKeepAlive(); }
    @Override public void setSoLinger(boolean on, int linger) throws SocketException { adaptor.setSoLinger(on, linger); }
    @Override public int getSoLinger() throws SocketException { return adaptor.getSoLinger(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException { adaptor.setReceiveBufferSize(size); }
    @Override public int getReceiveBufferSize() throws SocketException { return adaptor.getReceiveBufferSize(); }
    @Override public void setSendBufferSize(int size) throws SocketException { adaptor.setSendBufferSize(size); }
    @Override public int getSendBufferSize() throws SocketException { return adaptor.getSendBufferSize(); }
    @Override public void shutdownInput() throws IOException { adaptor.shutdownInput(); }
    @Override public void shutdownOutput() throws IOException { adaptor.shutdownOutput(); }
    @Override public boolean isInputShutdown() { return adaptor.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return adaptor.isOutputShutdown(); }

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
