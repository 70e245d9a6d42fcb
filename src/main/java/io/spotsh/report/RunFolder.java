package io.spotsh.report;

import io.spotsh.common.BadInput;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One run's results folder, {@code results/<test>/<run>/}, as {@code compare} reads it: the cluster's figures
 * ({@code node=all} rows of {@code summary.csv}), how many nodes each role had (its {@code <role>-<n>} folders),
 * and the per-interval samples of YCSB's {@code -s} status lines in each node's {@code <phase>.out}.
 */
public final class RunFolder {
    /** A cluster figure: phase, role, operation, metric, unit identify it. */
    public record Figure(String phase, String role, String operation, String metric, String unit, double value) {
        List<String> key() {
            return List.of(phase, role, operation, metric, unit);
        }
    }

    private static final Pattern NODE_DIR = Pattern.compile("([A-Za-z][A-Za-z0-9_.]*)-(\\d+)");
    // "2026-03-14 09:12:13:402 10 sec: 71206 operations; 7120.6 current ops/sec; ... [INSERT: Count=..., Avg=4401.52, ...]"
    private static final Pattern STATUS = Pattern.compile("\\b(\\d+) sec: \\d+ operations; ([\\d.]+) current ops/sec;(.*)$");
    private static final Pattern OP_AVG = Pattern.compile("\\[([A-Z][A-Z0-9_-]*): Count=\\d+[^\\]]*?Avg=([\\d.]+)");

    private final Path dir;
    private final String test;
    private final String run;
    private final List<Figure> figures;
    private final Map<String, Integer> roles;

    private RunFolder(Path dir, String test, String run, List<Figure> figures, Map<String, Integer> roles) {
        this.dir = dir;
        this.test = test;
        this.run = run;
        this.figures = figures;
        this.roles = roles;
    }

    /** Reads a run folder; a missing folder or summary.csv, or one without cluster rows, is bad input. */
    public static RunFolder read(Path dir) {
        Path csv = dir.resolve("summary.csv");
        if (!Files.isRegularFile(csv)) {
            throw new BadInput(Files.isDirectory(dir) ? "no summary.csv in run folder " + dir
                    : "no run folder " + dir + " (expected results/<test>/<run>/ with a summary.csv)");
        }
        String test = null;
        String run = null;
        List<Figure> figures = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(in)) {
                test = r.get("test");
                run = r.get("run");
                if (r.get("node").equals("all")) {
                    figures.add(new Figure(r.get("phase"), r.get("role"), r.get("operation"), r.get("metric"),
                            r.get("unit"), number(r.get("value"), csv, r.getRecordNumber())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BadInput(csv + " is not a spotsh summary.csv: " + e.getMessage(), e);
        }
        if (figures.isEmpty()) {
            throw new BadInput(csv + " has no cluster rows (node=all): nothing to compare");
        }
        return new RunFolder(dir, test, run, figures, roles(dir));
    }

    private static double number(String text, Path csv, long record) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new BadInput(csv + " record " + record + ": value '" + text + "' is not a number");
        }
    }

    private static Map<String, Integer> roles(Path dir) {
        Map<String, Integer> roles = new TreeMap<>();
        for (Path node : nodeDirs(dir)) {
            Matcher m = NODE_DIR.matcher(node.getFileName().toString());
            if (m.matches()) {
                roles.merge(m.group(1), 1, Integer::sum);
            }
        }
        return roles;
    }

    private static List<Path> nodeDirs(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).filter(p -> NODE_DIR.matcher(p.getFileName().toString()).matches())
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public String test() {
        return test;
    }

    public String run() {
        return run;
    }

    /** {@code test/run}, as messages name a run. */
    public String name() {
        return test + "/" + run;
    }

    public List<Figure> figures() {
        return figures;
    }

    /** Nodes per role, counted from the {@code <role>-<n>} folders. */
    public Map<String, Integer> roles() {
        return roles;
    }

    /**
     * The per-interval samples of one phase's figure, or an empty list when the raw output has none (redis-benchmark's
     * CSV, a missing file): the cluster's throughput per interval (the nodes' current ops/sec summed over the
     * intervals every node reported), or an operation's average latency per node and interval in ms.
     */
    public List<Double> samples(Figure f) {
        List<Map<Long, Double>> perNode = new ArrayList<>();
        List<Double> latencies = new ArrayList<>();
        boolean throughput = f.metric().equals("throughput") && f.operation().equals("OVERALL");
        boolean avgLatency = f.metric().equals("avg_latency") && (f.unit().equals("ms") || f.unit().equals("us"));
        if (!throughput && !avgLatency) {
            return List.of();
        }
        for (Path node : nodeDirs(dir)) {
            if (!node.getFileName().toString().startsWith(f.role() + "-")) {
                continue;
            }
            Path out = output(node, f.phase());
            if (out == null) {
                continue;
            }
            Map<Long, Double> series = new HashMap<>();
            for (String line : lines(out)) {
                Matcher m = STATUS.matcher(line);
                if (!m.find()) {
                    continue;
                }
                series.put(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)));
                Matcher op = OP_AVG.matcher(m.group(3));
                while (op.find()) {
                    if (op.group(1).equals(f.operation())) {
                        // the status lines give microseconds
                        double us = Double.parseDouble(op.group(2));
                        latencies.add(f.unit().equals("ms") ? us / 1000 : us);
                    }
                }
            }
            perNode.add(series);
        }
        if (avgLatency) {
            return latencies;
        }
        if (perNode.isEmpty()) {
            return List.of();
        }
        // only intervals every node reported: a sum over some of the nodes would look like a drop
        Map<Long, Double> sum = new TreeMap<>(perNode.get(0));
        for (Map<Long, Double> other : perNode.subList(1, perNode.size())) {
            sum.keySet().retainAll(other.keySet());
            sum.replaceAll((sec, v) -> v + other.get(sec));
        }
        return new ArrayList<>(sum.values());
    }

    /** {@code <node>/results/<phase>.out} as Collector lays it out, or {@code <node>/<phase>.out}. */
    private static Path output(Path node, String phase) {
        for (Path p : List.of(node.resolve("results").resolve(phase + ".out"), node.resolve(phase + ".out"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The figures by key, in the summary's order. */
    Map<List<String>, Figure> byKey() {
        Map<List<String>, Figure> map = new LinkedHashMap<>();
        figures.forEach(f -> map.put(f.key(), f));
        return map;
    }
}
