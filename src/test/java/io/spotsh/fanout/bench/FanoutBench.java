package io.spotsh.fanout.bench;

import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.FanoutSettings;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.PrefixedPrinter;
import io.spotsh.fanout.RunOptions;
import io.spotsh.fanout.RunResult;
import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.SshTransport;
import io.spotsh.fanout.ssh.crypto.SshCrypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The spotsh side of {@code scripts/bench/fanout.sh}: runs one command on every node of a targets file through the
 * engine, printing each node's output as {@code name | line} on stdout (the script checks every node's output
 * arrived exactly once) and one timing line per run on stderr.
 *
 * <pre>
 * FanoutBench --targets FILE --key KEY --user USER --command CMD [--runs N] [--mode cold|warm|fresh]
 *             [--jit-warmup FILE [--jit-warmup-rounds R]] [--connect-timeout SECONDS] [--handshakes N] [--sessions]
 *             [--profile] [--line-by-line] [--crypto all|none|PIECES|-PIECES]
 * </pre>
 * Targets file: one node a line, {@code name host port key-type key-base64} (the host key as the node registered
 * it). Modes:
 * <ul>
 *   <li>{@code cold} (process-cold): one fan-out on new connections in a new JVM, timed from outside by
 *       {@code /usr/bin/time}, so JVM start-up is included;</li>
 *   <li>{@code warm} ({@code --warm}): the connections are opened and each node's resident shell started first
 *       (untimed: two commands, as the shell starts with a connection's second), then each run is timed inside
 *       the process: wall time and the process's own CPU time. {@code --sessions} turns the resident shell off:
 *       every command in a new session, as OpenSSH's ControlPersist runs it;</li>
 *   <li>{@code fresh} (connection-cold, process-warm): as in the shell, where the JVM is long up when
 *       {@code nodes.run} first opens connections. Each run opens new connections to every node and runs the
 *       command, timed inside the process (wall and the process's CPU over just that run); between runs every
 *       connection is closed (untimed, with a pause for the servers to wind down). The JIT is warmed, if at all,
 *       only on the different endpoints of {@code --jit-warmup}: R rounds of connections opened, the command run,
 *       connections closed. For a figure whose JIT has never seen these endpoints, measure one run per JVM.</li>
 * </ul>
 * {@code --profile} adds, on stderr, the process's time line (JVM start to main, engine set-up, fan-out) and its
 * CPU split by thread kind (compiler, GC, fan-out workers, SSH readers, ...) as {@code profile ...} lines.
 * {@code --line-by-line} flushes every line as the product does in a terminal (by default lines go out in blocks,
 * as when its stdout is a file). {@code --crypto} chooses spotsh's own SSH crypto pieces as {@link SshCrypto} reads
 * them ({@code none}, {@code -kex}, ...: the rest are SSHJ's own algorithms); without it, the product's choice
 * ({@code SPOTSH_SSH_CRYPTO}, by default all).
 */
public final class FanoutBench {
    private static final long PAUSE_BETWEEN_FRESH_RUNS_MS = 1500;
    private static final long PAUSE_AFTER_WARMUP_ROUND_MS = 300;

    private FanoutBench() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        long mainNanos = System.nanoTime();
        double cpuAtMain = Proc.selfCpuSeconds();
        Map<String, String> options = parse(args);
        boolean profile = options.containsKey("profile");
        String mode = options.containsKey("warm") ? "warm" : options.getOrDefault("mode", "cold");
        if (!List.of("cold", "warm", "fresh").contains(mode)) {
            throw new IllegalArgumentException("--mode is cold, warm or fresh: " + mode);
        }
        String user = require(options, "user");
        List<Target> targets = targets(Path.of(require(options, "targets")), user);
        List<Target> warmup = options.containsKey("jit-warmup") ? targets(Path.of(options.get("jit-warmup")), user) : List.of();
        FanoutSettings settings = FanoutSettings.builder()
                .clusterKey(Path.of(require(options, "key")))
                .userKeys(false)
                .kexAlgorithms(List.of("curve25519-sha256"))
                .connectTimeout(Duration.ofMillis(Math.round(Double.parseDouble(options.getOrDefault("connect-timeout", "10")) * 1000)))
                .maxHandshakes(Integer.parseInt(options.getOrDefault("handshakes", "64")))
                .residentShell(!options.containsKey("sessions"))
                .build();
        String command = require(options, "command");
        int runs = Integer.parseInt(options.getOrDefault("runs", "1"));
        // as the product prints nodes' lines when its stdout is a file (scripts/spotsh -f plan > file)
        PrefixedPrinter printer = new PrefixedPrinter(System.out, targets, options.containsKey("line-by-line"));
        boolean allOk = true;
        long closing = 0;
        SshCrypto crypto = options.containsKey("crypto") ? SshCrypto.parse(options.get("crypto")) : SshCrypto.fromEnvironment();
        try (Fanout fanout = new Fanout(settings, new SshTransport(settings, crypto))) {
            if (profile) {
                System.err.printf("profile timeline: jvm_to_main_s=%.3f main_cpu_s=%.2f setup_s=%.3f setup_cpu_s=%.2f%n",
                        Proc.uptimeSeconds() - (System.nanoTime() - mainNanos) / 1e9, cpuAtMain,
                        (System.nanoTime() - mainNanos) / 1e9, Proc.selfCpuSeconds() - cpuAtMain);
            }
            for (int i = 0; mode.equals("warm") && i < 2; i++) {
                if (!fanout.run(targets, "true", RunOptions.defaults().withQuiet(true)).allOk()) {
                    System.err.println("warm-up failed: not every node is reachable");
                    System.exit(2);
                }
            }
            int rounds = Integer.parseInt(options.getOrDefault("jit-warmup-rounds", "1"));
            for (int round = 1; mode.equals("fresh") && !warmup.isEmpty() && round <= rounds; round++) {
                if (!fanout.run(warmup, command, RunOptions.defaults().withQuiet(true)).allOk()) {
                    System.err.println("JIT warm-up failed: not every warm-up node is reachable");
                    System.exit(2);
                }
                fanout.disconnect(warmup);
                Thread.sleep(PAUSE_AFTER_WARMUP_ROUND_MS);
            }
            if (mode.equals("fresh") && !warmup.isEmpty()) {
                Thread.sleep(PAUSE_BETWEEN_FRESH_RUNS_MS);
            }
            for (int run = 1; run <= runs; run++) {
                if (mode.equals("fresh") && run > 1) {
                    fanout.disconnect(targets);
                    Thread.sleep(PAUSE_BETWEEN_FRESH_RUNS_MS);
                }
                Map<String, Double> threadsBefore = profile ? Proc.threadCpuByKind() : Map.of();
                if (profile) {
                    System.out.println("=== profile run " + run); // marks JVM logs on stdout (-XX:+PrintCompilation)
                    System.out.flush();
                }
                double cpuAtRun = Proc.selfCpuSeconds();
                long cpu = mode.equals("cold") ? 0 : Proc.preciseCpuNanos();
                double sys = Proc.selfSysSeconds();
                long start = System.nanoTime();
                RunResult result = fanout.run(targets, command, RunOptions.defaults().withListener(printer));
                printer.flush();
                double wallMs = (System.nanoTime() - start) / 1e6;
                double cpuMs = mode.equals("cold") ? Double.NaN : (Proc.preciseCpuNanos() - cpu) / 1e6;
                System.err.printf("run %d: wall_ms=%.1f cpu_ms=%.1f ok=%d failed=%d opened=%d%n", run, wallMs,
                        cpuMs, result.getOk().size(), result.getFailed().size(), fanout.connectionsOpened());
                if (profile) {
                    System.err.printf("profile run %d: fanout_s=%.3f fanout_cpu_s=%.2f (system %.2f) process_cpu_s=%.2f%n",
                            run, wallMs / 1000, Double.isNaN(cpuMs) ? Proc.selfCpuSeconds() - cpuAtRun : cpuMs / 1000,
                            Proc.selfSysSeconds() - sys, Proc.selfCpuSeconds());
                    for (Map.Entry<String, Double> e : Proc.threadCpuByKind().entrySet()) {
                        double delta = e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0.0);
                        if (delta >= 0.005) {
                            System.err.printf("profile run %d threads %-22s cpu_s=%.2f%n", run, e.getKey(), delta);
                        }
                    }
                }
                report(result);
                allOk &= result.allOk();
            }
            closing = System.nanoTime();
        }
        if (profile) {
            System.err.printf("profile close: close_s=%.3f process_cpu_s=%.2f%n", (System.nanoTime() - closing) / 1e9,
                    Proc.selfCpuSeconds());
        }
        printer.flush();
        System.exit(allOk ? 0 : 1);
    }

    /** The failed nodes by stage, then each failure: what the failure run of the benchmark reports. */
    private static void report(RunResult result) {
        if (result.allOk()) {
            return;
        }
        System.err.println(result.summary());
        for (NodeResult r : result.getFailed()) {
            System.err.println("FAILED " + r.getName() + " phase=" + r.getPhase() + " after " + String.format("%.2f s", r.getSeconds())
                    + ": " + r.getError());
        }
    }

    private static List<Target> targets(Path file, String user) throws IOException {
        List<Target> targets = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5) {
                targets.add(new Target(f[0], f[1], Integer.parseInt(f[2]), user, f[3] + " " + f[4]));
            }
        }
        return targets;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + args[i]);
            }
            String name = args[i].substring(2);
            boolean flag = name.equals("warm") || name.equals("profile") || name.equals("sessions")
                    || name.equals("line-by-line");
            options.put(name, flag ? "true" : args[++i]);
        }
        return options;
    }

    private static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }

    /**
     * The process's CPU: from {@code /proc} (Linux; 10 ms ticks, cheap, no management beans to load in a cold JVM)
     * for the profile, from the management bean (exact) for the timed runs inside the JVM. Per-thread figures
     * cover live threads only; threads that already ended show as "exited threads".
     */
    static final class Proc {
        private static final double TICK = 100.0; // USER_HZ on Linux

        private Proc() {
        }

        /**
         * The process's CPU time in nanoseconds (user + system, all threads) at the clock's resolution. Loads the
         * management classes on first use, so a process-cold run (timed from outside) does not call it.
         */
        static long preciseCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
        }

        static double selfCpuSeconds() {
            String[] f = statFields(Path.of("/proc/self/stat"));
            return f == null ? Double.NaN : (Long.parseLong(f[13]) + Long.parseLong(f[14])) / TICK;
        }

        /** The system (kernel) part of {@link #selfCpuSeconds()}. */
        static double selfSysSeconds() {
            String[] f = statFields(Path.of("/proc/self/stat"));
            return f == null ? Double.NaN : Long.parseLong(f[14]) / TICK;
        }

        /** Seconds since this process started. */
        static double uptimeSeconds() {
            try {
                String[] f = statFields(Path.of("/proc/self/stat"));
                double since = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0]);
                return since - Long.parseLong(f[21]) / TICK;
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }

        /**
         * CPU seconds of live threads grouped by kind: the JVM's own threads (compiler, GC, VM) by their native name
         * from {@code /proc}, Java threads (whose native name is just "java") by their Java name, numbers cut off.
         */
        static Map<String, Double> threadCpuByKind() {
            Map<String, Double> byKind = new TreeMap<>();
            double total = selfCpuSeconds();
            double live = 0;
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    String[] f = statFields(task.resolve("stat"));
                    if (f == null || f[1].equals("java")) {
                        continue;
                    }
                    double seconds = (Long.parseLong(f[13]) + Long.parseLong(f[14])) / TICK;
                    live += seconds;
                    byKind.merge(kind(f[1]), seconds, Double::sum);
                }
            } catch (IOException e) {
                return byKind;
            }
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                long nanos = info == null ? -1 : threads.getThreadCpuTime(info.getThreadId());
                if (nanos > 0) {
                    live += nanos / 1e9;
                    byKind.merge("java " + kind(info.getThreadName()), nanos / 1e9, Double::sum);
                }
            }
            byKind.put("(exited threads)", Math.max(0, total - live));
            return byKind;
        }

        private static String kind(String name) {
            return name.replaceAll("[0-9]+", "#").replaceAll("\\s+", " ").trim();
        }

        /** The fields of a stat file, the command name (field 2, in parentheses, may hold spaces) as one. */
        private static String[] statFields(Path stat) {
            try {
                String s = Files.readString(stat);
                int open = s.indexOf('('), close = s.lastIndexOf(')');
                String[] rest = s.substring(close + 2).split(" ");
                String[] f = new String[rest.length + 2];
                f[0] = s.substring(0, open).trim();
                f[1] = s.substring(open + 1, close);
                System.arraycopy(rest, 0, f, 2, rest.length);
                return f;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
