package io.spotsh.fanout.ssh;

import net.schmizz.sshj.transport.Feed;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.transport.TransportImpl;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads every connection of the fan-out on a few selector threads (one per core, at most 4) instead of SSHJ's reader
 * thread per connection: at a thousand nodes a warm command's two small answers woke two threads per node, and each
 * wake-up cost both the sender and spotsh a thread switch (scripts/bench/results/readloop.md has what it buys).
 *
 * <p>A loop must not wait on one connection. SSHJ writes from the reading thread (window adjustments, replies to the
 * server's requests, key exchange) under the write lock that a user thread holds while its write waits for room or
 * for a key exchange to end. So a loop reads a connection only while nobody holds that lock, and its own writes that
 * do not fit are queued ({@link GreetedSocket}). While the lock is held, the connection goes back to its own reader
 * thread, which SSHJ keeps anyway ({@code TransportImpl.isRunning} asks it {@code isAlive()}): that thread reads it
 * as SSHJ's reader would, waiting where SSHJ's would, and returns it to the loop once the lock is free and the
 * connection quiet. A loop does not hold the lock while it reads (SSHJ's key exchange waits on the reading thread
 * for the connecting thread's own write). A user write that takes the lock in the instant between the loop's look
 * and the loop's own write does not wait for room while the loop decodes that connection: it queues what does not
 * fit ({@link GreetedSocket#loopTurn}), so the loop waits for the lock at most for a write that never waits. Errors
 * end the transport on the reader thread, as in SSHJ.
 *
 * <p>{@code -Dspotsh.readLoop=false} keeps a reader thread per connection (for comparison in benchmarks).
 */
public final class ReadLoop {
    private static final boolean ON = Boolean.parseBoolean(System.getProperty("spotsh.readLoop", "true"));
    /** A connection its reader thread holds goes back to the loop after this long without anything to read. */
    private static final long QUIET_MILLIS = 50;
    private static final Loop[] LOOPS = new Loop[Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()))];
    private static final AtomicInteger NEXT = new AtomicInteger();
    /** Connections handed to their reader thread: how often the loops stepped aside. */
    private static final AtomicLong HANDED = new AtomicLong();

    private ReadLoop() {
    }

    /**
     * Called on SSHJ's reader thread in place of its reading: serves the connection until the transport ends it
     * (interrupting this thread) or reading fails; false when the connection is not a {@link GreetedSocket}'s or the
     * loop is off, and the caller reads as SSHJ does.
     */
    public static boolean serve(TransportImpl trans, OutputStream connectionOut, Thread reader) {
        if (!ON || !(connectionOut instanceof GreetedSocket.Out out)) {
            return false;
        }
        Conn conn = new Conn(out.socket(), new Feed(trans), reader);
        try {
            conn.socket.nonBlocking();
        } catch (IOException e) {
            if (!reader.isInterrupted()) {
                trans.die(e);
            }
            return true;
        }
        // a socket closed under the loop (keepalives ending a dead node) only cancels its key: nothing to read
        // would ever say so, so the close itself tells the reader thread, which ends the transport
        conn.socket.onClose(() -> {
            if (conn.failure == null) {
                conn.failure = new SocketException("Socket closed");
            }
            LockSupport.unpark(reader);
        });
        conn.loop = loop();
        // bytes queued by a loop's write are sent by whoever holds the connection: its loop, when the socket can
        // take them, or its reader thread
        conn.socket.onQueued(() -> conn.loop.wantWrite(conn));
        conn.loop.add(conn);
        try {
            while (!reader.isInterrupted()) {
                if (conn.failure != null) {
                    trans.die(conn.failure);
                    break;
                }
                if (conn.onReader) {
                    if (!readHere(conn, trans)) {
                        break;
                    }
                } else {
                    LockSupport.park(conn);
                }
            }
        } finally {
            conn.loop.remove(conn);
        }
        return true;
    }

    /**
     * Reads the connection on its reader thread until it is quiet with its write lock free (then hands it back to
     * the loop and returns true) or the transport ends (false).
     */
    private static boolean readHere(Conn conn, TransportImpl trans) {
        // a selector of its own while it holds the connection, not for its life: a thousand connections would each
        // keep its descriptors
        try (Selector own = Selector.open()) {
            SelectionKey key = conn.socket.channel().register(own, SelectionKey.OP_READ);
            while (!conn.reader.isInterrupted()) {
                key.interestOps(SelectionKey.OP_READ | (conn.socket.writesQueued() ? SelectionKey.OP_WRITE : 0));
                int ready = own.select(QUIET_MILLIS);
                own.selectedKeys().clear();
                if (conn.socket.writesQueued()) {
                    conn.socket.flushQueued();
                }
                if (!conn.feed.readable(conn.socket.channel(), conn.socket::receivedMore)) {
                    throw new TransportException("Broken transport; encountered EOF");
                }
                if (ready == 0 && !conn.socket.writesQueued() && !conn.feed.writeLock().isLocked()) {
                    conn.onReader = false;
                    conn.loop.add(conn);
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            if (!conn.reader.isInterrupted()) {
                trans.die(e);
            }
            return false;
        }
    }

    static long handedToReaders() {
        return HANDED.get();
    }

    /** Whether this thread's writes must not wait for room: a read loop's, or the keepalives' ({@link #noWait}). */
    static boolean mustNotWait() {
        return Thread.currentThread() instanceof NoWaitThread;
    }

    /** A thread whose writes to a connection never wait for room: what does not fit is queued. */
    static Thread noWait(Runnable r, String name) {
        return new NoWaitThread(r, name);
    }

    private static class NoWaitThread extends Thread {
        NoWaitThread(Runnable r, String name) {
            super(r, name);
            setDaemon(true);
        }
    }


    private static synchronized Loop loop() {
        int i = Math.floorMod(NEXT.getAndIncrement(), LOOPS.length);
        if (LOOPS[i] == null) {
            LOOPS[i] = new Loop("spotsh-ssh-read-" + i);
        }
        return LOOPS[i];
    }

    /** One connection and who reads it. */
    private static final class Conn {
        final GreetedSocket socket;
        final Feed feed;
        final Thread reader;
        Loop loop;
        SelectionKey key; // the loop's; only the loop's thread uses it
        volatile boolean onReader; // the reader thread reads it (its write lock was taken)
        volatile Exception failure; // what ended it on the loop; the reader thread ends the transport

        Conn(GreetedSocket socket, Feed feed, Thread reader) {
            this.socket = socket;
            this.feed = feed;
            this.reader = reader;
        }
    }

    private static final class LoopThread extends NoWaitThread {
        final Loop loop;

        LoopThread(Loop loop, String name) {
            super(loop, name);
            this.loop = loop;
        }
    }

    private static final class Loop implements Runnable {
        private final Selector selector;
        private final Queue<Conn> added = new ConcurrentLinkedQueue<>();
        private final Queue<Conn> removed = new ConcurrentLinkedQueue<>();
        private final Queue<Conn> writes = new ConcurrentLinkedQueue<>();

        Loop(String name) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException("cannot open a selector: " + e.getMessage(), e);
            }
            new LoopThread(this, name).start();
        }

        /** A new connection, or one its reader thread read meanwhile and gives back. */
        void add(Conn c) {
            added.add(c);
            selector.wakeup();
        }

        void remove(Conn c) {
            removed.add(c);
            selector.wakeup();
        }

        void wantWrite(Conn c) {
            if (Thread.currentThread() instanceof LoopThread t && t.loop == this) {
                setWrite(c);
            } else {
                writes.add(c);
                selector.wakeup();
            }
        }

        private void setWrite(Conn c) {
            SelectionKey k = c.key;
            if (k != null && k.isValid() && !c.onReader) {
                k.interestOps(k.interestOps() | SelectionKey.OP_WRITE);
            }
        }

        @Override
        public void run() {
            while (true) {
                try {
                    turn();
                } catch (IOException | RuntimeException e) {
                    // select(2) itself failing, or a key cancelled under it: not any one connection's end, and the
                    // loop must go on for the others
                }
            }
        }

        private void turn() throws IOException {
            selector.select();
            for (Conn c; (c = removed.poll()) != null; ) {
                if (c.key != null) {
                    c.key.cancel();
                    c.key = null;
                }
            }
            for (Conn c; (c = added.poll()) != null; ) {
                attach(c);
            }
            for (Conn c; (c = writes.poll()) != null; ) {
                setWrite(c);
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                Conn c = (Conn) k.attachment();
                if (k.isValid() && c.key == k && !c.onReader && c.failure == null) {
                    serve(c, k);
                }
            }
        }

        private void attach(Conn c) {
            if (c.reader.isInterrupted() || !c.socket.channel().isOpen()) {
                return;
            }
            try {
                int ops = SelectionKey.OP_READ | (c.socket.writesQueued() ? SelectionKey.OP_WRITE : 0);
                if (c.key != null && c.key.isValid()) {
                    c.key.interestOps(ops);
                } else {
                    c.key = c.socket.channel().register(selector, ops, c);
                }
                c.socket.onLoop(true);
            } catch (ClosedChannelException | CancelledKeyException e) {
                fail(c, e);
            }
        }

        private void serve(Conn c, SelectionKey k) {
            try {
                if (k.isWritable() && c.socket.flushQueued()) {
                    k.interestOps(SelectionKey.OP_READ);
                }
                if (!k.isReadable()) {
                    return;
                }
                // said before the look at the lock: a writer that takes it after the look does not then wait for
                // room while holding it (GreetedSocket.Out), and one that took it before is seen here
                c.socket.loopTurn(true);
                if (c.feed.writeLock().isLocked()) {
                    // a user thread is writing, maybe waiting for room or for a key exchange: the reader thread
                    // takes the connection, and waits where SSHJ's reader would
                    k.interestOps(0);
                    c.onReader = true;
                    c.socket.onLoop(false);
                    HANDED.incrementAndGet();
                    LockSupport.unpark(c.reader);
                    return;
                }
                if (!c.feed.readable(c.socket.channel(), c.socket::receivedMore)) {
                    fail(c, new TransportException("Broken transport; encountered EOF"));
                }
            } catch (Exception e) {
                fail(c, e);
            } finally {
                c.socket.loopTurn(false);
            }
        }

        private void fail(Conn c, Exception e) {
            c.socket.onLoop(false);
            if (c.key != null) {
                c.key.cancel();
                c.key = null;
            }
            c.failure = e;
            LockSupport.unpark(c.reader);
        }
    }
}
