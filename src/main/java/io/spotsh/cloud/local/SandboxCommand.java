package io.spotsh.cloud.local;

import org.apache.sshd.common.io.IoInputStream;
import org.apache.sshd.common.io.IoOutputStream;
import org.apache.sshd.common.io.IoReadFuture;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.AsyncCommand;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An SSH exec request or shell on a local instance: {@code /bin/sh -c COMMAND} (or an interactive {@code sh -i})
 * with its {@code root/} as HOME and working directory (as a root login on a node) and {@code SPOTSH_ROOT} set, in a
 * process group of its own. stdin, stdout and stderr are streamed both ways; the exit status goes back to the
 * client (128 + N for a process killed by signal N, as a shell reports it); a signal the client sends reaches
 * the whole process group. When the client goes away first the command's pipes are closed, as OpenSSH does
 * without a terminal: what ignores that (e.g. {@code nohup}) keeps running until the instance ends.
 *
 * The command's pipes are moved by the server's one {@link PipeLoop} thread and MINA's own I/O threads, never by a
 * thread of its own: the child first opens the daemon's ends of its three pipes by path, writes one byte on stdout
 * to say so (the daemon then closes its copies, so the pipes end when the command's side does), and execs the
 * command. A command that does not read its stdin holds the client back by the SSH window; a client that does not
 * read holds the command back by its pipe, as with OpenSSH.
 */
final class SandboxCommand implements AsyncCommand {
    /** Variables a client may pass (OpenSSH's usual AcceptEnv). */
    private static final List<String> ACCEPTED_ENV_PREFIXES = List.of("LANG", "LC_", "TERM");
    /** Opens the pipes ($1 stdin, $2 stdout, $3 stderr), says so on the new stdout, becomes the command. */
    private static final String WIRING = "exec <\"$1\" >\"$2\" 2>\"$3\" && printf . && shift 3 && exec \"$@\"";
    /** Output read from a pipe and not yet taken by the channel past which the pipe is not read (the command waits). */
    private static final int PAUSE_AT = 256 * 1024;

    private final LocalSshServer.Node node;
    private final String command;
    private final PipeLoop loop;
    private IoInputStream in;
    private IoOutputStream out;
    private IoOutputStream err;
    private ExitCallback exit;
    private volatile Process process;
    private Pipe stdinPipe;
    private Pipe stdoutPipe;
    private Pipe stderrPipe;
    private Output stdout;
    private Output stderr;
    private final AtomicBoolean unwired = new AtomicBoolean();
    /** The child opened its pipes, or the client was told it could not. */
    private final CompletableFuture<Void> wired = new CompletableFuture<>();
    /** What the wiring printed when it could not open the pipes (read when the child has exited). */
    private volatile String wiringError = "";

    /** {@code command} null is a shell. */
    SandboxCommand(LocalSshServer.Node node, String command, PipeLoop loop) {
        this.node = node;
        this.command = command;
        this.loop = loop;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        Process p;
        try {
            stdinPipe = Pipe.open();
            stdoutPipe = Pipe.open();
            stderrPipe = Pipe.open();
            stdinPipe.sink().configureBlocking(false);
            stdoutPipe.source().configureBlocking(false);
            stderrPipe.source().configureBlocking(false);
            List<String> argv = new ArrayList<>(List.of("setsid", "/bin/sh", "-c", WIRING, "sh",
                    PipeLoop.procPath(stdinPipe.source()), PipeLoop.procPath(stdoutPipe.sink()),
                    PipeLoop.procPath(stderrPipe.sink()), "/bin/sh"));
            argv.addAll(command == null ? List.of("-i") : List.of("-c", command));
            ProcessBuilder pb = new ProcessBuilder(argv).directory(node.sandbox().home().toFile())
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Map<String, String> vars = pb.environment();
            vars.clear();
            env.getEnv().forEach((name, value) -> {
                if (ACCEPTED_ENV_PREFIXES.stream().anyMatch(name::startsWith)) {
                    vars.put(name, value);
                }
            });
            vars.putAll(NodeProcesses.environment(node.id(), node.ip(), node.sandbox()));
            p = pb.start();
        } catch (IOException | RuntimeException e) {
            for (Pipe pipe : new Pipe[] {stdinPipe, stdoutPipe, stderrPipe}) {
                if (pipe != null) {
                    closeQuietly(pipe.source());
                    closeQuietly(pipe.sink());
                }
            }
            throw e;
        }
        process = p;
        node.sessions().add(NodeProcesses.sessionOf(p));
        env.addSignalListener((ch, signal) -> signal(signal));
        stdout = new Output(stdoutPipe.source(), out, true);
        stderr = new Output(stderrPipe.source(), err, false);
        loop.register(stdoutPipe.source(), SelectionKey.OP_READ, stdout);
        loop.register(stderrPipe.source(), SelectionKey.OP_READ, stderr);
        new Stdin(stdinPipe.sink()).readNext();
        CompletableFuture<Process> exited = p.onExit();
        exited.thenRun(() -> {
            // the child is gone: its ends of the pipes are closed, and ours must close too for the pipes to end; if it
            // never wired them (it could not open them), what it said about it is on its own stderr
            try (InputStream said = p.getErrorStream()) {
                wiringError = new String(said.readAllBytes(), StandardCharsets.UTF_8).strip();
            } catch (IOException ignored) {
                // nothing to tell
            }
            unwire();
        });
        CompletableFuture.allOf(stdout.done, stderr.done, wired, exited)
                .whenComplete((done, failure) -> exit.onExit(p.exitValue()));
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process p = process;
        if (p == null) {
            return;
        }
        // our copies of the child's ends stay until it has its own or is gone: closed now, their numbers could go to
        // another command's pipes before this child opened them by number
        loop.close(stdinPipe.sink());
        loop.close(stdoutPipe.source());
        loop.close(stderrPipe.source());
        stdout.done.complete(null);
        stderr.done.complete(null);
        wired.complete(null);
    }

    /**
     * stdout ended before the wiring's byte: the child could not open its pipes. What it said goes to the client's
     * stderr, which nothing else wrote to yet (the child never had it), so it is written directly.
     */
    private void wiringFailed() {
        String said = "spotsh local cloud: cannot connect the command's stdin, stdout and stderr: "
                + (wiringError.isEmpty() ? "the shell ended first" : wiringError) + "\n";
        try {
            err.writeBuffer(new ByteArrayBuffer(said.getBytes(StandardCharsets.UTF_8)))
                    .addListener(written -> wired.complete(null));
        } catch (IOException | RuntimeException closing) {
            wired.complete(null);
        }
    }

    /** Closes our copies of the child's ends of its pipes (once it has its own, or is gone). */
    private void unwire() {
        if (unwired.compareAndSet(false, true)) {
            closeQuietly(stdinPipe.source());
            closeQuietly(stdoutPipe.sink());
            closeQuietly(stderrPipe.sink());
        }
    }

    /** Sends a signal to the command's process group (its pid is the group id: it was started with setsid). */
    private void signal(Signal signal) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        try {
            NodeProcesses.signalGroup(p.pid(), signal.name());
        } catch (IOException e) {
            p.destroy();  // kill(1) missing: TERM to the shell at least
        }
    }

    /**
     * The channel's data into the command's stdin. The next read of the channel starts only once the pipe took all of
     * the last one, so the SSH window, not this daemon's heap, holds what a command does not read yet.
     */
    private final class Stdin implements PipeLoop.Ready {
        private final Pipe.SinkChannel pipe;
        private final ByteArrayBuffer buffer = new ByteArrayBuffer(16 * 1024, false);
        /** What the pipe has not taken of the last read; the loop writes it when the pipe has room. */
        private ByteBuffer left;
        /** The command closed its stdin: what else comes is dropped, as OpenSSH does. */
        private boolean broken;

        Stdin(Pipe.SinkChannel pipe) {
            this.pipe = pipe;
        }

        void readNext() {
            while (true) {
                buffer.clear(false);
                IoReadFuture read;
                try {
                    read = in.read(buffer);
                } catch (RuntimeException closed) {
                    loop.close(pipe);
                    return;
                }
                if (!read.isDone()) {
                    read.addListener(f -> {
                        if (take(f)) {
                            readNext();
                        }
                    });
                    return;
                }
                if (!take(read)) {
                    return;
                }
            }
        }

        /** Writes what a read brought; true when the pipe took it all (the next read may start). */
        private boolean take(IoReadFuture read) {
            if (read.getException() != null) {
                loop.close(pipe);  // the client's EOF, or the channel closed: the command sees the end of its input
                return false;
            }
            ByteBuffer bytes = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
            if (write(bytes)) {
                return true;
            }
            left = bytes;
            loop.register(pipe, SelectionKey.OP_WRITE, this);
            return false;
        }

        private boolean write(ByteBuffer bytes) {
            if (!broken) {
                try {
                    pipe.write(bytes);
                } catch (IOException e) {
                    broken = true;
                }
            }
            return broken || !bytes.hasRemaining();
        }

        @Override
        public void ready(SelectionKey key) {
            if (left == null || write(left)) {
                left = null;
                key.interestOps(0);
                readNext();
            }
        }
    }

    /**
     * A pipe of the command's output into the channel. The channel takes one write at a time: what the loop reads in
     * the meantime waits and goes in the next write, and past {@link #PAUSE_AT} bytes waiting the pipe is not read
     * until the channel caught up.
     */
    private final class Output implements PipeLoop.Ready {
        private final Pipe.SourceChannel pipe;
        private final IoOutputStream channel;
        /** stdout: its first byte is the wiring's, saying the child opened its pipes. */
        private boolean wiringByte;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private SelectionKey key;
        // guarded by this
        private ByteArrayBuffer waiting;
        private boolean writing;
        private boolean ended;
        private boolean paused;
        private boolean dropping;

        Output(Pipe.SourceChannel pipe, IoOutputStream channel, boolean wiringByte) {
            this.pipe = pipe;
            this.channel = channel;
            this.wiringByte = wiringByte;
        }

        @Override
        public void ready(SelectionKey key) {
            this.key = key;
            ByteBuffer bytes = loop.scratch();
            int n;
            try {
                n = pipe.read(bytes);
            } catch (IOException e) {
                n = -1;
            }
            if (n < 0) {
                key.cancel();
                closeQuietly(pipe);
                if (wiringByte) {
                    wiringByte = false;
                    wiringFailed();
                }
                end();
                return;
            }
            bytes.flip();
            if (wiringByte && bytes.hasRemaining()) {
                wiringByte = false;
                bytes.get();
                unwire();
                wired.complete(null);
            }
            if (bytes.hasRemaining() && offer(bytes)) {
                key.interestOps(0);
            }
        }

        /** Hands bytes to the channel or queues them behind the write in flight; true when the pipe should pause. */
        boolean offer(ByteBuffer bytes) {
            synchronized (this) {
                if (dropping) {
                    return false;
                }
                if (writing) {
                    if (waiting == null) {
                        waiting = new ByteArrayBuffer(Math.max(bytes.remaining(), 256), false);
                    }
                    int n = bytes.remaining(); // copied straight in (putBuffer(ByteBuffer) would prefix a length)
                    waiting.ensureCapacity(n);
                    bytes.get(waiting.array(), waiting.wpos(), n);
                    waiting.wpos(waiting.wpos() + n);
                    paused = waiting.available() >= PAUSE_AT;
                    return paused;
                }
                writing = true;
            }
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            send(new ByteArrayBuffer(copy));
            return false;
        }

        private void send(Buffer bytes) {
            IoWriteFuture write;
            try {
                write = channel.writeBuffer(bytes);
            } catch (IOException | RuntimeException closing) {
                drop();
                return;
            }
            write.addListener(this::written);
        }

        private void written(IoWriteFuture write) {
            if (!write.isWritten()) {
                drop();
                return;
            }
            Buffer next = null;
            boolean resume;
            boolean finished = false;
            synchronized (this) {
                if (waiting != null && waiting.available() > 0) {
                    next = waiting;
                    waiting = null;
                } else {
                    writing = false;
                    finished = ended;
                }
                resume = paused;
                paused = false;
            }
            if (resume) {
                loop.interest(key, SelectionKey.OP_READ);
            }
            if (next != null) {
                send(next);
            } else if (finished) {
                done.complete(null);
            }
        }

        /** The channel takes no more (it is closing): the output goes nowhere from now on, the pipe is still drained. */
        private void drop() {
            boolean resume;
            boolean finished;
            synchronized (this) {
                dropping = true;
                writing = false;
                waiting = null;
                resume = paused;
                paused = false;
                finished = ended;
            }
            if (resume) {
                loop.interest(key, SelectionKey.OP_READ);
            }
            if (finished) {
                done.complete(null);
            }
        }

        private void end() {
            boolean finished;
            synchronized (this) {
                ended = true;
                finished = !writing;
            }
            if (finished) {
                done.complete(null);
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }

    @Override
    public void setIoInputStream(IoInputStream in) {
        this.in = in;
    }

    @Override
    public void setIoOutputStream(IoOutputStream out) {
        this.out = out;
    }

    @Override
    public void setIoErrorStream(IoOutputStream err) {
        this.err = err;
    }

    @Override
    public void setInputStream(InputStream in) {
        // the asynchronous streams above are the ones used
    }

    @Override
    public void setOutputStream(OutputStream out) {
        // the asynchronous streams above are the ones used
    }

    @Override
    public void setErrorStream(OutputStream err) {
        // the asynchronous streams above are the ones used
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }
}
