package io.spotsh.report;

import groovy.json.JsonSlurper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The model of {@code report.html}, built from a run folder alone so that {@code spotsh report <run-dir>} makes the
 * same file later: {@code run.json} (what the registry knew: test, type, sizing, provider, zones, parameters,
 * version, the node lifecycle, the phases, cost; written by {@code cluster.collect()}), {@code summary.csv} as it
 * is, each {@code <role>-<n>/} node's sysstat files and YCSB status lines. Time series are downsampled for display
 * (at most {@link #POINTS} points a node); the full data stays in the run folder.
 * <pre>
 * Path html = RunReport.write(Path.of("results/redis-1/run-1"));   // results/redis-1/run-1/report.html
 * </pre>
 */
public final class RunReport {
    /** The file written into the run folder. */
    public static final String FILE = "report.html";
    /** The most points a node's series keeps in the page: enough for a chart's width, small for 300 nodes. */
    static final int POINTS = 240;

    private static final Pattern NODE_DIR = Pattern.compile("([A-Za-z][A-Za-z0-9_.]*)-(\\d+)");
    // YCSB -s: "2026-03-14 09:12:13:402 10 sec: 71206 operations; 7120.6 current ops/sec; ..."
    private static final Pattern STATUS = Pattern.compile("\\b(\\d+) sec: \\d+ operations; ([\\d.]+) current ops/sec");

    private RunReport() {
    }

    /** Builds {@code report.html} in {@code runDir} and returns its path. */
    public static Path write(Path runDir) {
        Path html = runDir.resolve(FILE);
        Html.write(model(runDir), html);
        return html;
    }

    /** The page's data: run, summary, nodes (with their downsampled series), heat map, phases' throughput. */
    public static Map<String, Object> model(Path runDir) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("run", runJson(runDir));
        model.put("summary", summary(runDir.resolve("summary.csv")));
        List<Path> nodes = nodeDirs(runDir);
        List<Sysstat> stats = sysstat(nodes);
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (Sysstat s : stats) {
            if (!s.samples().isEmpty()) {
                from = Math.min(from, s.samples().get(0).epochSecond());
                to = Math.max(to, s.samples().get(s.samples().size() - 1).epochSecond());
            }
        }
        List<Map<String, Object>> nodeModels = new ArrayList<>();
        List<List<Object>> heat = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Path node = nodes.get(i);
            Sysstat s = stats.get(i);
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("name", node.getFileName().toString());
            n.put("error", s.error());
            n.put("phases", phasesRun(node));
            n.put("series", downsample(s.samples(), from, to));
            List<Map<String, Object>> comments = new ArrayList<>();
            for (Sysstat.Comment c : s.comments()) {
                comments.add(Map.of("t", c.epochSecond() * 1000, "text", c.text()));
            }
            n.put("comments", comments);
            n.put("throughput", throughput(node));
            nodeModels.add(n);
            heat.addAll(heatRow(i, s.samples(), from, to));
        }
        model.put("fields", Sysstat.FIELDS);
        model.put("nodes", nodeModels);
        model.put("heat", Map.of("from", from == Long.MAX_VALUE ? 0 : from * 1000, "step", step(from, to) * 1000,
                "buckets", from == Long.MAX_VALUE ? 0 : buckets(from, to), "cells", heat));
        return model;
    }

    private static Object runJson(Path runDir) {
        Path json = runDir.resolve("run.json");
        if (!Files.isRegularFile(json)) {
            return Map.of();  // a run collected before run.json existed: the page shows what the folder has
        }
        try {
            return new JsonSlurper().parseText(Files.readString(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + json + ": " + e.getMessage(), e);
        }
    }

    private static List<Map<String, String>> summary(Path csv) {
        List<Map<String, String>> rows = new ArrayList<>();
        if (!Files.isRegularFile(csv)) {
            return rows;
        }
        try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(in)) {
                rows.add(r.toMap());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
        }
        return rows;
    }

    private static List<Path> nodeDirs(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).filter(p -> NODE_DIR.matcher(p.getFileName().toString()).matches())
                    .sorted((a, b) -> {
                        Matcher x = NODE_DIR.matcher(a.getFileName().toString());
                        Matcher y = NODE_DIR.matcher(b.getFileName().toString());
                        x.matches();
                        y.matches();
                        int c = x.group(1).compareTo(y.group(1));
                        return c != 0 ? c : Integer.compare(Integer.parseInt(x.group(2)), Integer.parseInt(y.group(2)));
                    }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** sadf is a process per file: two at a time per core keeps 300 nodes within seconds. */
    private static List<Sysstat> sysstat(List<Path> nodes) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors() * 2));
        try {
            List<Future<Sysstat>> futures = new ArrayList<>();
            for (Path node : nodes) {
                futures.add(pool.submit(() -> {
                    try {
                        return Sysstat.readFolder(node.resolve("sysstat"));
                    } catch (RuntimeException e) {
                        // one unreadable file costs that node its charts, not the run its report
                        return Sysstat.unreadable(node.getFileName() + ": " + e.getMessage());
                    }
                }));
            }
            List<Sysstat> stats = new ArrayList<>();
            for (Future<Sysstat> f : futures) {
                stats.add(f.get());
            }
            return stats;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading sysstat files", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static long step(long from, long to) {
        return from == Long.MAX_VALUE ? 1 : Math.max(1, (to - from) / POINTS + 1);
    }

    private static int buckets(long from, long to) {
        return (int) ((to - from) / step(from, to)) + 1;
    }

    /** Averages samples into fixed buckets over the whole run: [t_ms, field values...] rows. */
    private static List<List<Object>> downsample(List<Sysstat.Sample> samples, long from, long to) {
        List<List<Object>> rows = new ArrayList<>();
        long step = step(from, to);
        int f = Sysstat.FIELDS.size();
        int i = 0;
        while (i < samples.size()) {
            long bucket = (samples.get(i).epochSecond() - from) / step;
            double[] sum = new double[f];
            int count = 0;
            while (i < samples.size() && (samples.get(i).epochSecond() - from) / step == bucket) {
                double[] v = samples.get(i).values();
                for (int k = 0; k < f; k++) {
                    sum[k] += v[k];
                }
                count++;
                i++;
            }
            List<Object> row = new ArrayList<>(f + 1);
            row.add((from + bucket * step) * 1000);
            for (int k = 0; k < f; k++) {
                row.add(Math.round(sum[k] / count * 10) / 10.0);
            }
            rows.add(row);
        }
        return rows;
    }

    /** Heat map cells [bucket, node index, CPU busy %] (user + system + iowait + steal). */
    private static List<List<Object>> heatRow(int node, List<Sysstat.Sample> samples, long from, long to) {
        List<List<Object>> cells = new ArrayList<>();
        for (List<Object> row : downsample(samples, from, to)) {
            long bucket = ((Long) row.get(0) / 1000 - from) / step(from, to);
            double busy = (Double) row.get(1) + (Double) row.get(2) + (Double) row.get(3) + (Double) row.get(4);
            cells.add(List.of(bucket, node, Math.round(busy * 10) / 10.0));
        }
        return cells;
    }

    /** The phases whose output this node has ({@code results/<phase>.out}): the nodes that took part. */
    private static List<String> phasesRun(Path node) {
        Path results = node.resolve("results");
        if (!Files.isDirectory(results)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(results)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".out"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + results + ": " + e.getMessage(), e);
        }
    }

    /** Per phase, YCSB's per-interval throughput [seconds into the phase, ops/s]; none for other tools' output. */
    private static Map<String, List<List<Object>>> throughput(Path node) {
        Map<String, List<List<Object>>> byPhase = new LinkedHashMap<>();
        for (String phase : phasesRun(node)) {
            List<List<Object>> points = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(node.resolve("results").resolve(phase + ".out"), StandardCharsets.ISO_8859_1)) {
                    Matcher m = STATUS.matcher(line);
                    if (m.find()) {
                        points.add(List.of(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2))));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + phase + ".out of " + node + ": " + e.getMessage(), e);
            }
            if (!points.isEmpty()) {
                byPhase.put(phase, points);
            }
        }
        return byPhase;
    }
}
