package io.spotsh.fanout.bench;

import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.FanoutSettings;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.PrefixedPrinter;
import io.spotsh.fanout.RunOptions;
import io.spotsh.fanout.RunResult;
import io.spotsh.fanout.Target;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The spotsh side of {@code scripts/bench/fanout.sh}: runs one command on every node of a targets file through the
 * engine, printing each node's output as {@code name | line} on stdout (the script checks every node's output
 * arrived exactly once) and one timing line per run on stderr.
 *
 * <pre>
 * FanoutBench --targets FILE --key KEY --user USER --command CMD [--runs N] [--warm] [--connect-timeout SECONDS]
 * </pre>
 * Targets file: one node a line, {@code name host port key-type key-base64} (the host key as the node registered
 * it). Cold: one fan-out on new connections, timed from outside by {@code /usr/bin/time}. Warm: the connections are
 * opened first (untimed), then each run is timed inside the process: wall time and the process's own CPU time.
 */
public final class FanoutBench {
    private FanoutBench() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = parse(args);
        List<Target> targets = targets(Path.of(require(options, "targets")), require(options, "user"));
        FanoutSettings settings = FanoutSettings.builder()
                .clusterKey(Path.of(require(options, "key")))
                .userKeys(false)
                .kexAlgorithms(List.of("curve25519-sha256"))
                .connectTimeout(Duration.ofMillis(Math.round(Double.parseDouble(options.getOrDefault("connect-timeout", "10")) * 1000)))
                .maxHandshakes(Integer.parseInt(options.getOrDefault("handshakes", "64")))
                .build();
        String command = require(options, "command");
        int runs = Integer.parseInt(options.getOrDefault("runs", "1"));
        boolean warm = options.containsKey("warm");
        PrintWriter out = new PrintWriter(new BufferedWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16));
        PrefixedPrinter printer = new PrefixedPrinter(out, null, targets, false);
        boolean allOk = true;
        try (Fanout fanout = new Fanout(settings)) {
            if (warm && !fanout.run(targets, "true", RunOptions.defaults().withQuiet(true)).allOk()) {
                System.err.println("warm-up failed: not every node is reachable");
                System.exit(2);
            }
            for (int run = 1; run <= runs; run++) {
                long cpu = warm ? cpuNanos() : 0;
                long start = System.nanoTime();
                RunResult result = fanout.run(targets, command, RunOptions.defaults().withListener(printer));
                out.flush();
                double wallMs = (System.nanoTime() - start) / 1e6;
                double cpuMs = warm ? (cpuNanos() - cpu) / 1e6 : Double.NaN;
                System.err.printf("run %d: wall_ms=%.1f cpu_ms=%.1f ok=%d failed=%d%n", run, wallMs, cpuMs,
                        result.getOk().size(), result.getFailed().size());
                report(result);
                allOk &= result.allOk();
            }
        }
        out.flush();
        System.exit(allOk ? 0 : 1);
    }

    /** The failed nodes by phase, then each failure: what the failure run of the benchmark reports. */
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

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
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
            boolean flag = name.equals("warm");
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
}
