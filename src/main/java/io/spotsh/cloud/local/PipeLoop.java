package io.spotsh.cloud.local;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One thread that moves every local command's stdin, stdout and stderr: the daemon's ends of their pipes are
 * non-blocking and registered with one selector. A blocking read per pipe cost three threads a resident shell, and
 * at a thousand nodes each warm command woke three of them (a futex wake and a park a hop); here the bytes of all
 * the nodes that answered since the last look are moved in one wake.
 *
 * A child cannot be handed an open pipe by {@link ProcessBuilder}, so it opens the daemon's ends of its own through
 * {@code /proc/<daemon pid>/fd/<n>} (same user: allowed as for any process one may ptrace-read). That needs each
 * pipe end's descriptor number, which only the JDK's {@code sun.nio.ch.SelChImpl} tells: the daemon runs with
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} ({@link DaemonLauncher}).
 */
final class PipeLoop implements Closeable {
    /** What a registered pipe end does when the selector finds it ready. */
    interface Ready {
        void ready(SelectionKey key);
    }

    private static final Method FD_VAL = fdAccessor();
    private static final String OUR_FDS = "/proc/" + ProcessHandle.current().pid() + "/fd/";

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Reads land here first; only the loop thread uses it. */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private volatile boolean closed;

    PipeLoop() throws IOException {
        if (FD_VAL == null) {
            throw new IOException("the local cloud's SSH server needs the JVM option "
                    + "--add-exports java.base/sun.nio.ch=ALL-UNNAMED (it hands each command its pipes by descriptor)");
        }
        this.selector = Selector.open();
        this.thread = new Thread(this::loop, "local-ssh-streams");
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code /proc/<this process>/fd/<n>}: the path by which a child opens this pipe end of ours. */
    static String procPath(SelectableChannel end) {
        try {
            return OUR_FDS + FD_VAL.invoke(end);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the descriptor of a pipe: " + e, e);
        }
    }

    /** Registers a (non-blocking) pipe end; {@code ready} runs on the loop thread. Any thread. */
    void register(SelectableChannel end, int ops, Ready ready) {
        run(() -> {
            try {
                end.register(selector, ops, ready);
            } catch (ClosedChannelException gone) {
                // the command was destroyed before its pipe was looked at: nothing to move
            }
        });
    }

    /** Asks for {@code ops} on a registered end again (after a pause). Any thread. */
    void interest(SelectionKey key, int ops) {
        run(() -> {
            if (key.isValid()) {
                key.interestOps(ops);
            }
        });
    }

    /** Runs {@code task} on the loop thread. */
    void run(Runnable task) {
        if (onLoopThread()) {
            task.run();
        } else {
            later(task);
        }
    }

    /** Runs {@code task} on the loop thread once it is done with what it does now. Any thread. */
    void later(Runnable task) {
        tasks.add(task);
        if (!onLoopThread()) {
            selector.wakeup();
        }
    }

    boolean onLoopThread() {
        return Thread.currentThread() == thread;
    }

    /** The loop thread's read buffer, cleared. */
    ByteBuffer scratch() {
        return scratch.clear();
    }

    /** Closes a pipe end now: a closed end registered with the selector is only released at the selector's next look. */
    void close(SelectableChannel end) {
        try {
            end.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        if (end.isRegistered()) {
            selector.wakeup();
        }
    }

    private void loop() {
        try {
            while (!closed) {
                if (tasks.isEmpty()) {
                    selector.select();
                } else {
                    selector.selectNow(); // tasks the loop gave itself (later) wait for no wake-up
                }
                runTasks();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isValid()) {
                        try {
                            ((Ready) key.attachment()).ready(key);
                        } catch (RuntimeException e) {
                            // one command's failure must not stop every other node's streams
                            key.cancel();
                            System.err.println("local-ssh-streams: a command's stream failed: " + e);
                        }
                    }
                }
                selector.selectedKeys().clear();
                runTasks(); // what the streams' writes handed back (see LocalSshServer.IoThreads)
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                throw new IllegalStateException("the local cloud's stream loop stopped: " + e, e);
            }
        }
    }

    private void runTasks() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            try {
                task.run();
            } catch (RuntimeException e) {
                System.err.println("local-ssh-streams: " + e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        selector.close();
    }

    /** {@code SelChImpl.getFDVal}, tried once on a pipe; null when this JVM does not export it to us. */
    private static Method fdAccessor() {
        try {
            Method m = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            Pipe probe = Pipe.open();
            try {
                m.invoke(probe.source());
            } finally {
                probe.source().close();
                probe.sink().close();
            }
            return m;
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            return null;
        }
    }
}
