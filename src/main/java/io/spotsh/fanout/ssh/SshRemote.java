package io.spotsh.fanout.ssh;

import io.spotsh.fanout.Budget;
import io.spotsh.fanout.Cancellation;
import io.spotsh.fanout.FailureCause;
import io.spotsh.fanout.FailureStage;
import io.spotsh.fanout.FanoutException;
import io.spotsh.fanout.NodeOutput;
import io.spotsh.fanout.OutputListener;
import io.spotsh.fanout.Remote;
import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.resident.PushSession;
import io.spotsh.fanout.ssh.resident.ResidentShell;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.userauth.UserAuthException;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SSHJ implementation of {@link Remote}: one persistent connection to one node, opened on demand and used by
 * every later step (the in-process equivalent of OpenSSH's ControlPersist). Each command gets its own session
 * channel ({@link PushSession}); transfers get an SFTP channel on the same connection.
 *
 * <p>Blocking steps are bounded: the connect attempt by a watchdog that closes the socket after the connect
 * timeout, a running command by its timeout (TERM, then KILL, then the channel is closed), and all of them by the
 * fan-out's cancellation.
 */
final class SshRemote implements Remote {
    private static final long LIVENESS_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final OperatingSystemMXBean LOAD = ManagementFactory.getOperatingSystemMXBean();

    private final Target target;
    private final SshSetup setup;
    private final KeepAlives keepAlives;
    private final ScheduledExecutorService timers;
    private final Executor closer;
    private final Runnable onOpened;
    private volatile SSHClient client;
    private GreetedSocket greeted; // connected and greeted, waiting for a handshake permit
    private final ReentrantLock residentStart = new ReentrantLock();
    private volatile ResidentShell resident;
    private volatile boolean residentUnsupported; // the node's login shell is not a POSIX one
    private volatile SSHClient ranCommand; // the connection that has run a command: the next one starts the shell

    SshRemote(Target target, SshSetup setup, KeepAlives keepAlives, ScheduledExecutorService timers, Executor closer,
              Runnable onOpened) {
        this.target = target;
        this.setup = setup;
        this.keepAlives = keepAlives;
        this.timers = timers;
        this.closer = closer;
        this.onOpened = onOpened;
    }

    @Override
    public Target target() {
        return target;
    }

    @Override
    public boolean isConnected() {
        return alive(client);
    }

    private static boolean alive(SSHClient c) {
        return c != null && c.isConnected() && c.getTransport().isRunning() && c.isAuthenticated();
    }

    @Override
    public synchronized void greet(Budget budget) {
        if (!GreetedSocket.APPLIES || greeted != null || isConnected()) {
            return;
        }
        budget.checkRunning(target);
        int timeoutMillis = connectTimeoutMillis();
        GreetedSocket socket;
        try {
            socket = new GreetedSocket();
        } catch (IOException e) {
            throw networkFailure(e, false, timeoutMillis, "cannot connect: ");
        }
        try (Cancellation.Registration ignored = budget.token().onCancel(() -> closeQuietly(socket))) {
            socket.greet(new InetSocketAddress(target.host(), target.port()), timeoutMillis);
            greeted = socket;
        } catch (IOException e) {
            closeQuietly(socket);
            if (budget.token().isCancelled()) {
                throw budget.token().failure(target);
            }
            boolean greeting = socket.stage() == GreetedSocket.Stage.GREETING;
            throw networkFailure(e, greeting && e instanceof SocketTimeoutException, timeoutMillis,
                    greeting ? "SSH handshake failed: " : "cannot connect: ");
        }
    }

    /** The connect timeout, stretched on a machine under heavy load (see {@link Liveness#stretch}). */
    private int connectTimeoutMillis() {
        Duration timeout = setup.settings().connectTimeout();
        if (setup.settings().loadAwareTimeouts()) {
            timeout = Liveness.stretch(timeout, LOAD.getSystemLoadAverage(), LOAD.getAvailableProcessors());
        }
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    @Override
    public synchronized void connect(Budget budget) {
        if (isConnected()) {
            return;
        }
        budget.checkRunning(target);
        drop();
        client = open(budget);
        onOpened.run();
    }

    private SSHClient open(Budget budget) {
        int timeoutMillis = connectTimeoutMillis();
        HostKeyCheck check = setup.hostKeyCheck(target);
        SSHClient c = setup.newClient(check, timeoutMillis);
        GreetedSocket socket = greeted;
        greeted = null;
        if (socket != null) {
            c.setSocketFactory(socket.factory());
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = timers.schedule(() -> {
            timedOut.set(true);
            KeepAlives.closeSocket(c);
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        try (Cancellation.Registration ignored = budget.token().onCancel(() -> KeepAlives.closeSocket(c))) {
            c.connect(target.host(), target.port());
            c.auth(target.user(), setup.authMethods(target));
            c.getSocket().setSoTimeout(0); // from here on, keepalives notice a dead peer
            keepAlives.watch(c, socket != null ? socket::received : () -> 0);
            return c;
        } catch (IOException | RuntimeException e) {
            KeepAlives.closeSocket(c);
            closeQuietly(c);
            throw connectFailure(e, check, timedOut.get(), timeoutMillis, budget);
        } finally {
            watchdog.cancel(false);
        }
    }

    private FanoutException connectFailure(Exception e, HostKeyCheck check, boolean timedOut, int timeoutMillis,
                                           Budget budget) {
        if (e instanceof FanoutException f) {
            return f;
        }
        if (budget.token().isCancelled()) {
            return budget.token().failure(target);
        }
        if (check.refused()) {
            return new FanoutException(check.refusal(), target, FailureStage.HOSTKEY, FailureCause.HOST_KEY, false, e);
        }
        if (e instanceof UserAuthException && !timedOut) {
            return new FanoutException("authentication as '" + target.user() + "' refused: " + message(e)
                    + " (is the cluster key in the node's authorized_keys?)", target, FailureStage.AUTH, FailureCause.AUTH_REFUSED,
                    true, e);
        }
        return networkFailure(e, timedOut, timeoutMillis, "SSH handshake failed: ");
    }

    /**
     * A connect step that failed on the way to the server: the connect timeout ran out before the server spoke
     * ({@code silent}), the TCP connect was refused or timed out, the host is unreachable, or else
     * {@code otherwise} and the message (retryable).
     */
    private FanoutException networkFailure(Exception e, boolean silent, int timeoutMillis, String otherwise) {
        String seconds = String.format("%.1f s", timeoutMillis / 1000.0);
        if (timeoutMillis > setup.settings().connectTimeout().toMillis()) {
            seconds += String.format(" (the connect timeout stretched for load %.1f on %d cores)",
                    LOAD.getSystemLoadAverage(), LOAD.getAvailableProcessors());
        }
        if (silent) {
            return new FanoutException("no SSH handshake within " + seconds + " (host down, black-holed or overloaded)",
                    target, FailureStage.CONNECT, FailureCause.NO_HANDSHAKE, false, e);
        }
        Throwable root = rootCause(e);
        if (root instanceof ConnectException) {
            return new FanoutException("connection refused (sshd not running yet?)", target, FailureStage.CONNECT,
                    FailureCause.REFUSED, true, e);
        }
        if (root instanceof SocketTimeoutException) {
            return new FanoutException("TCP connect timed out after " + seconds, target, FailureStage.CONNECT,
                    FailureCause.CONNECT_TIMEOUT, false, e);
        }
        if (root instanceof UnknownHostException || root instanceof NoRouteToHostException) {
            return new FanoutException("cannot reach the host: " + message(root), target, FailureStage.CONNECT,
                    FailureCause.UNREACHABLE, false, e);
        }
        return new FanoutException(otherwise + message(e), target, FailureStage.CONNECT, FailureCause.HANDSHAKE_FAILED,
                true, e);
    }

    @Override
    public Exit exec(String command, NodeOutput output, Budget budget) {
        SSHClient c = connected();
        ResidentShell shell = residentShell(c, budget);
        if (shell != null) {
            Exit exit = execResident(shell, command, output, budget, c);
            if (exit != null) {
                return exit;
            } // null: the login shell turned out not to read commands (it ended unanswered); this one takes a session
        }
        PushSession session = new PushSession(c.getConnection(), output);
        try {
            session.start(command);
        } catch (IOException e) {
            dropIfBroken(c);
            throw new FanoutException("cannot open a session channel: " + message(e), target, FailureStage.EXEC,
                    FailureCause.CHANNEL, true, e);
        }
        try (Cancellation.Registration ignored = budget.token().onCancel(session::wake)) {
            if (!awaitEnd(session, c, budget)) {
                throw stop(session, c, budget);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            budget.token().cancel(FailureStage.CANCELLED, "interrupted");
            throw stop(session, c, budget);
        }
        if (!session.isOpened() && session.abandonIfNotSent()) {
            // refused, or the connection ended first: the command never went out, so this may be retried
            throw new FanoutException("cannot open a session channel: " + session.openFailure(), target, FailureStage.EXEC,
                    FailureCause.CHANNEL, true, session.error());
        }
        if (session.startFailure() != null) {
            closeLater(session);
            throw new FanoutException(session.startFailure(), target, FailureStage.EXEC, false, null);
        }
        return exitOf(session, c);
    }

    /**
     * Waits for the command's channel to close (or its start to fail), its timeout, or cancellation; true when it
     * closed or failed to start. Also looks at the connection every second: if SSHJ's reader thread died of an
     * Error (it only catches Exceptions), nothing would ever close the channel, and the node would hang the
     * fan-out; and a server that does not confirm the channel within the connect timeout loses the connection
     * (nothing was started, so the step is retried on a new one).
     */
    private boolean awaitEnd(PushSession session, SSHClient c, Budget budget) throws InterruptedException {
        boolean unlimited = budget.commandTimeoutNanos() == Budget.UNLIMITED;
        long start = System.nanoTime();
        long deadline = start + (unlimited ? 0 : budget.commandTimeoutNanos());
        long openTimeout = setup.settings().connectTimeout().toNanos();
        while (true) {
            long left = unlimited ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (session.awaitWake(Math.min(left, LIVENESS_NANOS))) {
                return true;
            }
            if (left <= LIVENESS_NANOS || budget.token().isCancelled()) {
                return false;
            }
            if (!c.getTransport().isRunning()) {
                dropIfSame(c);
                if (session.abandonIfNotSent()) {
                    throw new FanoutException("cannot open a session channel: the connection was lost", target,
                            FailureStage.EXEC, FailureCause.CHANNEL, true, null);
                }
                throw lost(c, "connection lost while the command ran", null);
            }
            if (!session.isOpened() && System.nanoTime() - start > openTimeout && session.abandonIfNotSent()) {
                dropIfSame(c);
                throw new FanoutException(String.format("cannot open a session channel: no answer within %.1f s",
                        openTimeout / 1e9), target, FailureStage.EXEC, FailureCause.CHANNEL, true, null);
            }
        }
    }

    /**
     * Ends a command that ran out of time or was cancelled: TERM, then (for a timeout, after a grace period) KILL,
     * then the channel is closed. A server that does not answer even the close loses the whole connection, so
     * the next step starts clean.
     */
    private FanoutException stop(PushSession session, SSHClient c, Budget budget) {
        boolean cancelled = budget.token().isCancelled();
        if (session.abandonIfNotSent()) {
            // the command never went out: nothing to signal; the channel is closed when the server confirms it
            return cancelled ? budget.token().failure(target) : new FanoutException(String.format(
                    "timed out after %.1f s before the server opened a channel", budget.commandTimeoutNanos() / 1e9),
                    target, FailureStage.TIMEOUT, FailureCause.COMMAND_TIMEOUT, false, null);
        }
        long grace = setup.settings().killGrace().toNanos();
        signal(session, Signal.TERM);
        if (!cancelled && !session.awaitFinished(grace)) {
            signal(session, Signal.KILL);
        }
        try {
            session.requestClose();
        } catch (IOException ignored) {
            // the connection is gone, which ends the channel too
        }
        if (!session.awaitFinished(grace)) {
            dropIfSame(c);
        }
        if (cancelled) {
            return budget.token().failure(target);
        }
        return new FanoutException(String.format("timed out after %.1f s (sent TERM%s)", budget.commandTimeoutNanos() / 1e9,
                session.isFinished() ? "" : ", KILL"), target, FailureStage.TIMEOUT, FailureCause.COMMAND_TIMEOUT, false, null);
    }

    private static void signal(PushSession session, Signal signal) {
        try {
            session.signal(signal);
        } catch (IOException ignored) {
            // the channel is already closing
        }
    }

    /**
     * The connection's resident shell, held for this command; null when the node runs this command in a session of
     * its own: it is the connection's first (a one-off command on a new connection is cheapest in a session, and
     * the shell starts with the second), the shell is busy with another command of this node (or being started by
     * it), it could not be started, or the node's login shell is not a POSIX one.
     */
    private ResidentShell residentShell(SSHClient c, Budget budget) {
        if (!setup.settings().residentShell() || residentUnsupported) {
            return null;
        }
        if (ranCommand != c) {
            ranCommand = c;
            return null;
        }
        ResidentShell shell = resident;
        if (shell != null && !shell.isBroken() && shell.isOn(c.getConnection())) {
            return shell.tryAcquire() ? shell : null;
        }
        if (!residentStart.tryLock()) {
            return null;
        }
        try {
            shell = resident;
            if (shell != null && !shell.isBroken() && shell.isOn(c.getConnection())) {
                return shell.tryAcquire() ? shell : null;
            }
            if (shell != null) {
                closeLater(shell);
                resident = null;
            }
            budget.checkRunning(target);
            ResidentShell fresh = new ResidentShell(c.getConnection());
            try {
                fresh.begin(); // the command follows the hello at once (see ResidentShell.begin)
            } catch (IOException e) {
                closeLater(fresh); // this command takes a session; the next tries again unless exec was refused
                if (fresh.wasRefused() && c.getTransport().isRunning()) {
                    residentUnsupported = true;
                }
                return null;
            }
            fresh.tryAcquire();
            resident = fresh;
            return fresh;
        } finally {
            residentStart.unlock();
        }
    }

    /**
     * Runs one command in the resident shell, bounded like a session's (see {@link #awaitEnd}); null when the shell
     * ended without answering its hello, so it never read the command.
     */
    private Exit execResident(ResidentShell shell, String command, NodeOutput output, Budget budget, SSHClient c) {
        ResidentShell.Job job;
        try {
            job = shell.send(command, output);
        } catch (IOException e) {
            shell.markBroken();
            shell.release();
            if (!shell.isAnswered() && c.getTransport().isRunning()) {
                // the shell went away before it read anything: this command takes a session
                residentUnsupported |= shell.endedUnanswered();
                closeLater(shell);
                return null;
            }
            throw sendFailed(c, e);
        }
        try (Cancellation.Registration ignored = budget.token().onCancel(job::wake)) {
            return awaitResident(shell, job, budget, c, System.nanoTime());
        }
    }

    /** The command could not be sent to the shell (it may have got part of it): not retried. */
    private FanoutException sendFailed(SSHClient c, IOException e) {
        dropIfBroken(c);
        return new FanoutException("cannot send the command to the node's shell: " + message(e), target,
                FailureStage.EXEC, false, e);
    }

    /**
     * Sends the command to the connection's resident shell when it is open, answered and idle, without waiting for
     * the end (see {@link Remote#start}); null otherwise. The shell is held until {@link Started#finish}.
     */
    @Override
    public Started start(String command, NodeOutput output, Budget budget) {
        SSHClient c = client;
        if (!setup.settings().residentShell() || residentUnsupported || !alive(c) || ranCommand != c
                || budget.token().isCancelled()) {
            return null;
        }
        ResidentShell shell = resident;
        if (shell == null || !shell.isAnswered() || shell.isBroken() || !shell.isOn(c.getConnection())
                || !shell.tryAcquire()) {
            return null;
        }
        long sent = System.nanoTime();
        ResidentShell.Job job;
        try {
            job = shell.send(command, output);
        } catch (IOException e) {
            shell.markBroken();
            shell.release();
            FanoutException failure = sendFailed(c, e);
            return new Started() {
                @Override
                public void onSettled(Runnable settled) {
                    settled.run();
                }

                @Override
                public boolean ended() {
                    return false;
                }

                @Override
                public Exit finish() {
                    throw failure;
                }
            };
        }
        // a cancellation while nobody waits on the job wakes it, so whoever watches it calls finish
        Cancellation.Registration woken = budget.token().onCancel(job::wake);
        return new Started() {
            @Override
            public void onSettled(Runnable settled) {
                job.onSettled(settled);
            }

            @Override
            public boolean ended() {
                return job.isDone();
            }

            /** Never null: only a shell that never answered its hello ends unanswered, and this one had. */
            @Override
            public Exit finish() {
                try (woken) {
                    return awaitResident(shell, job, budget, c, sent);
                }
            }
        };
    }

    /**
     * Waits for a command sent to the resident shell at {@code sent}: bounded and cancellable like a session's. The
     * caller has a cancellation wake the job meanwhile.
     */
    private Exit awaitResident(ResidentShell shell, ResidentShell.Job job, Budget budget, SSHClient c, long sent) {
        boolean unlimited = budget.commandTimeoutNanos() == Budget.UNLIMITED;
        long deadline = sent + (unlimited ? 0 : budget.commandTimeoutNanos());
        try {
            while (true) {
                long left = unlimited ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (job.awaitWake(Math.min(left, LIVENESS_NANOS))) {
                    shell.release();
                    return new Exit(job.status(), null);
                }
                if (shell.endedUnanswered() && c.getTransport().isRunning() && !budget.token().isCancelled()) {
                    residentUnsupported = true; // it exited: not a shell that can read commands on stdin
                    shell.markBroken();
                    shell.release();
                    closeLater(shell);
                    return null;
                }
                if (shell.isFinished() || !c.getTransport().isRunning()) {
                    // an exit status or signal says the shell itself ended; the connection then serves a new one
                    Integer exit = shell.getExitStatus();
                    String how = exit != null ? "exit " + exit : shell.getExitSignal() != null
                            ? "signal " + shell.getExitSignal() : null;
                    shell.markBroken();
                    shell.release();
                    dropIfBroken(c);
                    if (how == null) {
                        throw lost(c, "connection lost while the command ran", null);
                    }
                    throw new FanoutException("the node's shell ended (" + how + ") while the command ran", target,
                            FailureStage.EXEC, FailureCause.CONNECTION_LOST, false, null);
                }
                if (left <= LIVENESS_NANOS || budget.token().isCancelled()) {
                    throw stopResident(shell, job, c, budget);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            budget.token().cancel(FailureStage.CANCELLED, "interrupted");
            throw stopResident(shell, job, c, budget);
        }
    }

    /**
     * Ends a resident shell's command that ran out of time or was cancelled: TERM to the command's processes (the
     * shell's child, its subshell, and everything under it), then KILL after the grace period. The shell stays for
     * the next command once the command ended; one that would not end takes the shell with it (the channel is
     * closed).
     */
    private FanoutException stopResident(ResidentShell shell, ResidentShell.Job job, SSHClient c, Budget budget) {
        boolean cancelled = budget.token().isCancelled();
        long grace = setup.settings().killGrace().toNanos();
        boolean killed = false;
        signalChildren(c, shell.pid(), "TERM", grace);
        if (!job.awaitDone(grace)) {
            killed = true;
            signalChildren(c, shell.pid(), "KILL", grace);
            job.awaitDone(grace);
        }
        if (!job.isDone()) {
            shell.markBroken();
            closeLater(shell);
        }
        shell.release();
        if (cancelled) {
            return budget.token().failure(target);
        }
        return new FanoutException(String.format("timed out after %.1f s (sent TERM%s)", budget.commandTimeoutNanos() / 1e9,
                killed ? ", KILL" : ""), target, FailureStage.TIMEOUT, FailureCause.COMMAND_TIMEOUT, false, null);
    }

    /**
     * Signals every descendant of {@code pid} (not {@code pid} itself), in a session of its own. Children come from
     * the kernel's {@code /proc/PID/task/TID/children} lists, or pgrep where those are missing.
     */
    private void signalChildren(SSHClient c, int pid, String signal, long timeoutNanos) {
        // parents before children: a shell whose child died first would run its next line before its own signal
        String command = "spotsh_kids() { cat /proc/\"$1\"/task/*/children 2>/dev/null || pgrep -P \"$1\" 2>/dev/null; }; "
                + "spotsh_tree() { echo \"$1\"; for spotsh_c in $(spotsh_kids \"$1\"); do spotsh_tree \"$spotsh_c\"; done; }; "
                + "kill -" + signal + " $(for spotsh_c in $(spotsh_kids " + pid + "); do spotsh_tree \"$spotsh_c\"; done) "
                + "2>/dev/null; true";
        PushSession session = new PushSession(c.getConnection(), new NodeOutput(target, 0, OutputListener.NONE));
        try {
            session.start(command);
            if (!session.awaitFinished(timeoutNanos)) {
                session.abandonIfNotSent();
                session.requestClose();
            }
        } catch (IOException e) {
            // the connection is going away, which ends the shell and its commands' output with it
        }
    }

    private Exit exitOf(PushSession session, SSHClient c) {
        if (session.error() != null && session.getExitStatus() == null) {
            throw lost(c, "connection lost while the command ran: " + message(session.error()), session.error());
        }
        Signal signal = session.getExitSignal();
        return new Exit(session.getExitStatus(), signal == null ? null : signal.toString());
    }

    @Override
    public long upload(Path local, String remotePath, Budget budget) {
        return transfer(budget, "put " + local + " -> " + remotePath, sftp -> SftpTransfer.upload(sftp, local, remotePath));
    }

    @Override
    public long download(String remotePath, Path localDir, Budget budget) {
        return transfer(budget, "get " + remotePath + " -> " + localDir.resolve(target.name()), sftp -> SftpTransfer.download(sftp, remotePath, localDir.resolve(target.name())));
    }

    /** One SFTP channel for one transfer, closed (from another thread) on cancellation or timeout. */
    private long transfer(Budget budget, String what, SftpStep step) {
        SSHClient c = connected();
        SFTPClient sftp;
        try {
            sftp = c.newSFTPClient();
        } catch (IOException e) {
            dropIfBroken(c);
            throw new FanoutException("cannot start SFTP: " + message(e), target, FailureStage.TRANSFER,
                    FailureCause.TRANSFER, true, e);
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = budget.commandTimeoutNanos() == Budget.UNLIMITED ? null : timers.schedule(() -> {
            timedOut.set(true);
            closeLater(sftp);
        }, budget.commandTimeoutNanos(), TimeUnit.NANOSECONDS);
        try (Cancellation.Registration ignored = budget.token().onCancel(() -> closeLater(sftp))) {
            return step.run(sftp);
        } catch (IOException | RuntimeException e) {
            budget.checkRunning(target);
            if (timedOut.get()) {
                throw new FanoutException(String.format("transfer timed out after %.1f s", budget.commandTimeoutNanos() / 1e9),
                        target, FailureStage.TIMEOUT, FailureCause.COMMAND_TIMEOUT, false, e);
            }
            if (SftpTransfer.diskFull(e)) {
                throw new FanoutException(what + ": " + message(e), target, FailureStage.TRANSFER, FailureCause.DISK_FULL,
                        false, e);
            }
            if (!alive(c)) {
                throw lost(c, what + ": " + message(e), e);
            }
            throw new FanoutException(what + ": " + message(e), target, FailureStage.TRANSFER, FailureCause.TRANSFER,
                    false, e);
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            closeLater(sftp);
        }
    }

    private SSHClient connected() {
        SSHClient c = client;
        if (!alive(c)) {
            throw new FanoutException("the connection dropped", target, FailureStage.CONNECT, FailureCause.CONNECTION_LOST,
                    true, null);
        }
        return c;
    }

    /** Closing waits for the server's answer, so it happens off the caller's (or the canceller's) thread. */
    private void closeLater(AutoCloseable closeable) {
        closer.execute(() -> closeQuietly(closeable));
    }

    private void dropIfBroken(SSHClient c) {
        if (!alive(c)) {
            dropIfSame(c);
        }
    }

    private synchronized void dropIfSame(SSHClient c) {
        if (client == c) {
            drop();
        }
    }

    private synchronized void drop() {
        SSHClient c = client;
        client = null;
        resident = null; // it lives on the connection and ends with it
        if (c != null) {
            keepAlives.forget(c);
            KeepAlives.closeSocket(c);
            closeLater(c);
        }
    }

    @Override
    public synchronized void close() {
        drop();
        if (greeted != null) {
            closeQuietly(greeted);
            greeted = null;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is best effort; the socket is what matters and it is closed
        }
    }

    /**
     * The connection ended under a running step: named a dead peer when the keepalives gave it up (with why),
     * else a lost connection.
     */
    private FanoutException lost(SSHClient c, String what, Throwable e) {
        String note = c == null ? null : keepAlives.deathNote(c);
        if (note != null) {
            return new FanoutException(what + ": the peer is dead (" + note + ")", target, FailureStage.EXEC,
                    FailureCause.PEER_DEAD, false, e);
        }
        return new FanoutException(what, target, FailureStage.EXEC, FailureCause.CONNECTION_LOST, false, e);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String message(Throwable e) {
        return FanoutException.messageOf(e);
    }

    /** One step on an open SFTP client. */
    @FunctionalInterface
    private interface SftpStep {
        long run(SFTPClient sftp) throws IOException;
    }
}
