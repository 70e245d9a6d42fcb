package io.spotsh.fanout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The fan-out engine: runs a command, a transfer or a sysstat mark on many nodes at once and returns one result per
 * node. One failing node never stops the others. Each node is reached through a {@link Remote} from the
 * {@link Transport} (SSH: {@code io.spotsh.fanout.ssh.SshTransport}). Connections persist: the first use of a node
 * opens its connection, later fan-outs reuse it (kept alive, reopened when it dropped).
 *
 * <pre>{@code
 * FanoutSettings settings = FanoutSettings.builder().clusterKey(key).build();
 * try (Fanout fanout = new Fanout(settings, new SshTransport(settings))) {
 *     List<Target> nodes = List.of(new Target("data-1", "10.0.0.7", 22, "admin", "ssh-ed25519 AAAA..."));
 *     RunResult r = fanout.run(nodes, "uname -a", RunOptions.defaults().withListener(new PrefixedPrinter(System.out, nodes)));
 *     fanout.put(nodes, Path.of("workload.yaml"), "/tmp", RunOptions.defaults()).check();
 *     fanout.mark(nodes, "Workload A finished.", RunOptions.defaults());
 *     fanout.get(nodes, "/var/log/cassandra", Path.of("results"), RunOptions.defaults()); // results/data-1/cassandra
 * }
 * }</pre>
 *
 * {@link #cancel()} (the shell's Ctrl-C) stops every fan-out in progress from any thread; an interrupt of the
 * calling thread stops that caller's fan-out. Both return promptly with unfinished nodes marked cancelled, and the
 * connections stay usable.
 */
public final class Fanout implements AutoCloseable {
    private final FanoutSettings settings;
    private final Transport transport;
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService workers;
    private final Semaphore handshakes;
    private final Backoff backoff;
    private final Map<Target, Remote> remotes = new ConcurrentHashMap<>();
    private final Set<Cancellation> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionsOpened = new AtomicLong();
    private volatile boolean closed;
    /** How long a command sent without a worker may run before one watches it (see {@link #commands}). */
    private static final long WATCHED_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** An engine reaching its nodes through {@code transport}, which it closes when it closes. */
    public Fanout(FanoutSettings settings, Transport transport) {
        this.settings = settings;
        this.transport = transport;
        this.timers = new ScheduledThreadPoolExecutor(1, daemons("spotsh-fanout-timer"));
        this.timers.setRemoveOnCancelPolicy(true);
        this.workers = Executors.newCachedThreadPool(daemons("spotsh-fanout"));
        this.handshakes = new Semaphore(settings.maxHandshakes());
        this.backoff = new Backoff(settings.backoffBase(), settings.backoffMax());
    }

    /** Runs {@code command} on every node through its login shell. */
    public RunResult run(Collection<Target> targets, String command, RunOptions options) {
        RunResult result = commands(targets, options, "run: " + command, command, r -> r);
        return options.check() ? result.check() : result;
    }

    public RunResult run(Collection<Target> targets, String command) {
        return run(targets, command, RunOptions.defaults());
    }

    /** Copies a local file or directory to {@code remotePath} on every node (into it when it is a directory). */
    public RunResult put(Collection<Target> targets, Path local, String remotePath, RunOptions options) {
        RunResult result = fanOut(targets, options, RunResult.Kind.TRANSFER, "put: " + local + " -> " + remotePath,
                (remote, budget) -> StepRecorder.transfer(remote, () -> remote.upload(local, remotePath, budget)));
        return options.check() ? result.check() : result;
    }

    /** Copies {@code remotePath} (file or directory) from every node to {@code <localDir>/<node name>/}. */
    public RunResult get(Collection<Target> targets, String remotePath, Path localDir, RunOptions options) {
        RunResult result = fanOut(targets, options, RunResult.Kind.TRANSFER, "get: " + remotePath + " -> " + localDir,
                (remote, budget) -> StepRecorder.transfer(remote, () -> remote.download(remotePath, localDir, budget)));
        return options.check() ? result.check() : result;
    }

    /** Writes a sysstat comment ({@code sadc -C 'text' -}) on every node; see {@link SysstatMark}. */
    public RunResult mark(Collection<Target> targets, String text, RunOptions options) {
        String command = SysstatMark.command(text, settings.sadcPaths());
        RunResult raw = commands(targets, options, "mark: " + text, command,
                r -> SysstatMark.explain(r, settings.sadcPaths()));
        return options.check() ? raw.check() : raw;
    }

    /** Stops every fan-out in progress: running commands get TERM and their channels close. */
    public void cancel() {
        for (Cancellation token : running) {
            token.cancel(FailureStage.CANCELLED, "cancelled");
        }
    }

    /** Connections open now. */
    public int openConnections() {
        return (int) remotes.values().stream().filter(Remote::isConnected).count();
    }

    /** Connections opened since the engine started (reuse keeps this at one per node). */
    public long connectionsOpened() {
        return connectionsOpened.get();
    }

    /** Closes the connection of these nodes (e.g. terminated instances); a later use reconnects. */
    public void disconnect(Collection<Target> targets) {
        for (Target target : targets) {
            Remote remote = remotes.remove(target);
            if (remote != null) {
                remote.close();
            }
        }
    }

    /**
     * A command on every node. Where a node can take it at once ({@link Remote#start}: a warm connection's idle
     * resident shell) it is sent from this thread and its result made on the connection's reader thread as it ends,
     * so a warm fan-out to a thousand nodes costs no thread hand-offs per node; a command still running after
     * {@link #WATCHED_AFTER_NANOS} or its timeout (looked at that often) is handed to a worker, which watches it as
     * {@link Remote#exec} would (its timeout, the connection's liveness). Every other node's command runs whole on a
     * worker.
     */
    private RunResult commands(Collection<Target> targets, RunOptions options, String operation, String command,
                               UnaryOperator<NodeResult> explain) {
        List<Runnable> watches = new ArrayList<>();
        Launcher launch = (target, budget) -> {
            Remote remote = remote(target);
            StepRecorder recorder = new StepRecorder(remote, settings.outputTailBytes(), options.linesTo());
            Remote.Started started = recorder.start(command, budget);
            if (started == null) {
                return onWorker(() -> explain.apply(recorder.run(command, budget)), options);
            }
            CompletableFuture<NodeResult> result = new CompletableFuture<>();
            AtomicBoolean claimed = new AtomicBoolean();
            Runnable finish = () -> {
                try {
                    result.complete(finished(explain.apply(recorder.finish(started)), options));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            };
            Runnable settle = () -> {
                if (claimed.compareAndSet(false, true)) {
                    if (started.ended()) {
                        finish.run(); // on the reader thread that saw the end: nothing left to wait for
                    } else {
                        handOff(finish);
                    }
                }
            };
            synchronized (watches) {
                watches.add(settle);
            }
            started.onSettled(settle);
            return result;
        };
        // one timer for the fan-out, not one per node: what has not settled by then gets its worker (a settled
        // node's settle does nothing); a shorter command timeout is looked at in its own time
        long every = options.timeout() == null ? WATCHED_AFTER_NANOS
                : Math.max(1, Math.min(WATCHED_AFTER_NANOS, options.timeout().toNanos()));
        ScheduledFuture<?> watch = timers.scheduleWithFixedDelay(() -> {
            List<Runnable> all;
            synchronized (watches) {
                all = List.copyOf(watches);
            }
            all.forEach(Runnable::run);
        }, every, every, TimeUnit.NANOSECONDS);
        try {
            return launchEach(targets, options, RunResult.Kind.COMMAND, operation, launch);
        } finally {
            watch.cancel(false);
        }
    }

    /** Runs {@code finish} on a worker; an engine that closed meanwhile runs it here. */
    private void handOff(Runnable finish) {
        try {
            workers.execute(finish);
        } catch (RejectedExecutionException e) {
            finish.run();
        }
    }

    private RunResult fanOut(Collection<Target> targets, RunOptions options, RunResult.Kind kind, String operation,
                             NodeTask task) {
        return launchEach(targets, options, kind, operation,
                (target, budget) -> onWorker(() -> task.run(remote(target), budget), options));
    }

    /** One node's whole part, run on a worker. */
    private CompletableFuture<NodeResult> onWorker(Supplier<NodeResult> part, RunOptions options) {
        return CompletableFuture.supplyAsync(() -> finished(part.get(), options), workers);
    }

    private RunResult launchEach(Collection<Target> targets, RunOptions options, RunResult.Kind kind,
                                 String operation, Launcher launch) {
        if (closed) {
            throw new FanoutException("the fan-out engine is closed");
        }
        List<Target> nodes = List.copyOf(new LinkedHashSet<>(targets));
        Cancellation token = new Cancellation();
        running.add(token);
        if (Thread.currentThread().isInterrupted()) {
            token.cancel(FailureStage.CANCELLED, "interrupted");
        }
        long start = System.nanoTime();
        try {
            Budget budget = Budget.of(token, options.timeout());
            Duration grace = settings.killGrace().multipliedBy(2).plusSeconds(1);
            List<NodeResult> results = OnNodes.run(nodes, timers, token, options.deadline(), grace,
                    target -> launch.start(target, budget));
            return new RunResult(kind, operation, results, Duration.ofNanos(System.nanoTime() - start),
                    token.stage() == FailureStage.CANCELLED);
        } finally {
            running.remove(token);
        }
    }

    private static NodeResult finished(NodeResult result, RunOptions options) {
        if (options.listener() != null) {
            try {
                options.listener().finished(result);
            } catch (RuntimeException ignored) {
                // a listener's failure must not turn a node's result into a failure
            }
        }
        return result;
    }

    /** The node's remote: the transport's, limited, retried; made once per node and kept with its connection. */
    private Remote remote(Target target) {
        return remotes.computeIfAbsent(target, t -> new RetryingRemote(
                new LimitedRemote(
                        transport.open(t, timers, workers, connectionsOpened::incrementAndGet),
                        handshakes, settings.channelsPerCommand()),
                settings.retries(), backoff));
    }

    /** Closes every connection and stops the engine's threads. */
    @Override
    public void close() {
        closed = true;
        cancel();
        remotes.values().forEach(Remote::close);
        remotes.clear();
        transport.close();
        timers.shutdownNow();
        workers.shutdown();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            // small stacks: a fan-out to hundreds of nodes holds a thread per node
            Thread t = new Thread(null, r, prefix + "-" + n.incrementAndGet(), 256 * 1024);
            t.setDaemon(true);
            return t;
        };
    }

    /** One node's part of a fan-out. */
    @FunctionalInterface
    interface NodeTask {
        NodeResult run(Remote remote, Budget budget);
    }

    /** Starts one node's part of a fan-out; the future is its result. */
    @FunctionalInterface
    private interface Launcher {
        CompletableFuture<NodeResult> start(Target target, Budget budget);
    }
}
