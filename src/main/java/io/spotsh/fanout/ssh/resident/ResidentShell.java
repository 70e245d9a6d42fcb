package io.spotsh.fanout.ssh.resident;

import io.spotsh.common.ShellQuote;
import io.spotsh.fanout.NodeOutput;
import net.schmizz.sshj.connection.Connection;
import net.schmizz.sshj.connection.ConnectionException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One long-lived shell per connection that runs the node's commands one after another, the way Mitogen and
 * Ansible's pipelining avoid a process start per task: a command on an open connection then costs the node a fork
 * of this shell instead of a new session (sshd forking, setting the user up and starting the login shell).
 *
 * <p>The shell is the user's login shell when it is a POSIX one ({@code sh}, {@code dash}, {@code bash},
 * {@code ksh}, {@code mksh}, {@code zsh}), reading commands on stdin. Each command runs in a subshell with stdin from
 * {@code /dev/null} (as {@code ssh -n}), so {@code cd}, variables and {@code exit} do not leak into the next one;
 * the command is passed through {@code eval} as one quoted word, which is how {@code sh -c} would read it, so a
 * syntax error ends the command (status 2 in most shells) and not the shell. In dash, bash, busybox ash and ksh93
 * the subshell goes inside the quoted word too, behind {@code command eval}: the shell then parses the subshell
 * itself and the command's last simple command is exec'd in the subshell's place, one fork per command as in a
 * session ({@code eval} inside a subshell forks again). zsh ({@code command} finds no builtin there) and the
 * pdksh family (mksh exits on a syntax error even behind {@code command}) keep {@code eval} inside the subshell;
 * the shell says which it is when it starts.
 * When a command ends the shell prints markers (see {@link MarkerScanner}): its exit status on stdout and an end
 * mark on stderr, which also says that stream is complete. A command killed by a signal reports {@code 128 + n}, as
 * shells do. The shell's only child is the running command's subshell, so the shell's pid (sent once, when it
 * starts) is all it takes to find what a timed-out command started.
 *
 * <p>What a user sees differently from a session ({@code $$}, a background process's output, an unbalanced
 * {@code )}) is in README.md, "Running things on every node"; what it saves the node, in
 * scripts/bench/results/fanout.md.
 */
public final class ResidentShell extends PushChannel {
    /** Starts the login shell when it speaks POSIX sh; anything else exits 97 and the node keeps using sessions. */
    public static final String START = "case \"${SHELL##*/}\" in sh|dash|bash|ksh|ksh93|mksh|mksh-static|lksh|zsh|ash) exec \"$SHELL\" -s;; esac; exit 97";

    private static final SecureRandom NONCES = new SecureRandom();

    private final String prefix;
    /** What follows every command: its markers (see {@link #send}), the same for each. */
    private final String markers;
    private final MarkerScanner stdoutScanner;
    private final MarkerScanner stderrScanner;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Job job;
    private volatile boolean broken;
    private volatile boolean answered;
    private volatile int pid;
    private volatile boolean refused;
    private volatile boolean oneFork; // the shell runs "command eval '( command ) &'" safely (see the class comment)

    /** One command in flight: where its output goes and how far it got. */
    public static final class Job {
        final NodeOutput output;
        volatile Integer status;
        volatile boolean ended; // the end mark on stderr
        private final CountDownLatch done = new CountDownLatch(1);
        private final CountDownLatch woken = new CountDownLatch(1);
        private final AtomicBoolean settledOnce = new AtomicBoolean();
        private volatile Runnable settled;

        Job(NodeOutput output) {
            this.output = output;
        }

        /** The command's exit status once it ended, as {@code $?} says it ({@code 128 + n} for signal n). */
        public Integer status() {
            return status;
        }

        public boolean isDone() {
            return done.getCount() == 0;
        }

        /** Waits until the command ended or {@link #wake} was called; true when it ended. */
        public boolean awaitWake(long nanos) throws InterruptedException {
            woken.await(nanos, TimeUnit.NANOSECONDS);
            return isDone();
        }

        public boolean awaitDone(long nanos) {
            return await(done, nanos);
        }

        public void wake() {
            woken.countDown();
            settle();
        }

        /** Runs {@code r} once when the command ends or {@link #wake} is called (at once if that happened). */
        public void onSettled(Runnable r) {
            settled = r;
            if (woken.getCount() == 0) {
                settle();
            }
        }

        private void settle() {
            Runnable r = settled;
            if (r != null && settledOnce.compareAndSet(false, true)) {
                r.run();
            }
        }

        private void finishIfComplete() {
            if (status != null && ended) {
                done.countDown();
                woken.countDown();
                settle();
            }
        }
    }

    public ResidentShell(Connection connection) {
        super(connection);
        byte[] nonce = new byte[12];
        NONCES.nextBytes(nonce);
        prefix = "\037spotsh-" + HexFormat.of().formatHex(nonce) + " ";
        stdoutScanner = new MarkerScanner(prefix, this::stdout, this::marker);
        stderrScanner = new MarkerScanner(prefix, this::stderr, this::marker);
        String p = printfPrefix();
        markers = "; printf '" + p + "S%s\\n' \"$?\"; printf '" + p + "E\\n' >&2\n";
    }

    /**
     * Opens the channel, starts the shell and waits until it answers; false when the login shell is not a POSIX
     * one or the shell did not answer within {@code timeoutMillis} (the node then keeps a session per command).
     */
    public boolean start(long timeoutMillis) throws IOException, InterruptedException {
        begin();
        ready.await(timeoutMillis, TimeUnit.MILLISECONDS); // the shell's answer or the channel's end
        return answered && !isFinished();
    }

    /**
     * Opens the channel, starts the shell and sends it the hello without waiting for the answer: a command sent
     * next waits in the shell's stdin meanwhile, so a fan-out's first command in the shell costs no round trip (and
     * on a crowded machine no start timeout that would send the command to a session as well). Until the answer
     * came, commands go in the form every POSIX shell takes; a shell that ends unanswered ({@link #endedUnanswered})
     * read none of them.
     */
    public void begin() throws IOException {
        open();
        try {
            exec(START);
        } catch (ConnectionException e) {
            refused = true; // the server said no to the exec request itself (a channel refusal is open()'s)
            throw e;
        }
        // ksh93's KSH_VERSION starts with "Version"; the pdksh family's with "@(#)"; dash, bash and ash set neither
        String r = "printf '" + printfPrefix() + "R%s %s\\n' \"$$\"";
        String hello = "case ${ZSH_VERSION+zsh}${KSH_VERSION-} in ''|Version*) " + r + " fork1;; *) " + r
                + " fork2;; esac\n";
        OutputStream in = getOutputStream();
        in.write(hello.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Whether the shell answered the hello: from then on it reads what it is sent. */
    public boolean isAnswered() {
        return answered;
    }

    /** The shell ended before it answered the hello: not one that reads commands on stdin (START exits 97). */
    public boolean endedUnanswered() {
        return isFinished() && !answered;
    }

    /** The shell's pid on the node: the running command is its child. */
    public int pid() {
        return pid;
    }

    /** Whether this shell lives on {@code connection} (a reopened connection needs a new one). */
    public boolean isOn(Connection connection) {
        return conn == connection;
    }

    /** Whether the server refused to start the shell (it runs no commands but the ones it allows, say). */
    public boolean wasRefused() {
        return refused;
    }

    /** Takes the shell for one command; false when another command of this node has it. */
    public boolean tryAcquire() {
        return !broken && isOpen() && busy.compareAndSet(false, true);
    }

    public void release() {
        job = null;
        busy.set(false);
    }

    /** Sends one command; the caller holds the shell ({@link #tryAcquire}) and waits on the returned job. */
    public Job send(String command, NodeOutput output) throws IOException {
        Job j = new Job(output);
        job = j;
        // With the subshell inside the eval'd word the shell parses it, so the command's last simple command
        // replaces the subshell (an eval inside the subshell forks it again); "command" keeps a syntax error from
        // ending the shell, and when the eval failed there is no job to wait for.
        String run = oneFork
                ? "command eval " + ShellQuote.quote("( " + command + "\n) &") + " </dev/null && wait \"$!\""
                : "( eval " + ShellQuote.quote(command) + "\n) </dev/null & wait \"$!\"";
        String line = run + markers;
        OutputStream in = getOutputStream();
        in.write(line.getBytes(StandardCharsets.UTF_8));
        in.flush();
        return j;
    }

    /** The marker prefix as a printf format: the unit separator spelled as an octal escape. */
    private String printfPrefix() {
        return "\\037" + prefix.substring(1);
    }

    /** Marks the shell unusable (a command it ran could not be ended); the next command starts a new one. */
    public void markBroken() {
        broken = true;
    }

    public boolean isBroken() {
        return broken || !isOpen() || isFinished();
    }

    public boolean isFinished() {
        return closed.getCount() == 0;
    }

    @Override
    void received(boolean stdout, byte[] data, int offset, int length) {
        (stdout ? stdoutScanner : stderrScanner).write(data, offset, length);
    }

    private void stdout(byte[] data, int offset, int length) {
        Job j = job;
        if (j != null) {
            j.output.stdout(data, offset, length);
        }
    }

    private void stderr(byte[] data, int offset, int length) {
        Job j = job;
        if (j != null) {
            j.output.stderr(data, offset, length);
        }
    }

    private void marker(String body) {
        if (body.startsWith("R")) {
            readyMarker(body);
            return;
        }
        Job j = job;
        if (j == null || body.isEmpty()) {
            return;
        }
        try {
            switch (body.charAt(0)) {
                case 'S' -> {
                    j.status = Integer.valueOf(body.substring(1));
                    j.finishIfComplete();
                }
                case 'E' -> {
                    j.ended = true;
                    j.finishIfComplete();
                }
                default -> {
                    // not one of ours: ignored
                }
            }
        } catch (NumberFormatException e) {
            broken = true;
        }
    }

    /**
     * The shell's one answer at its start: its pid and how it forks. Apart from {@link #marker}, which runs for every
     * command's two markers: the JIT compiles that one without String.split inlined into it.
     */
    private void readyMarker(String body) {
        try {
            String[] fields = body.substring(1).split(" ");
            pid = Integer.parseInt(fields[0]);
            oneFork = fields.length > 1 && fields[1].equals("fork1");
            answered = true;
        } catch (NumberFormatException e) {
            broken = true;
        }
        ready.countDown();
    }

    @Override
    protected void finishOff() {
        super.finishOff();
        // null only when the transport died while SSHJ's constructor was still running
        if (closed != null) {
            closed.countDown();
            ready.countDown();
            Job j = job;
            if (j != null) {
                j.wake();
            }
        }
    }
}
