package io.spotsh.collect;

import groovy.json.JsonOutput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code samples.jsonl} beside {@code summary.csv}: one JSON object per summary row (node, aggregated and cost
 * rows), the shape PerfKitBenchmarker's samples have ({@code metric}, {@code value}, {@code unit},
 * {@code timestamp}, {@code labels}), so a tester can feed a run into the store they already use:
 *
 * <pre>{@code
 * {"metric":"p99_latency","value":4.2,"unit":"ms","timestamp":1796032512.5,"labels":{"test":"ring-6",
 *  "run":"20261128-101500","phase":"run","role":"client","node":"client-1","operation":"READ",
 *  "instance_type":"m5d.xlarge","zone":"us-east-1a","aggregate":""}}
 * }</pre>
 *
 * {@code timestamp} is in seconds since the epoch, as PerfKitBenchmarker's: the end of the row's phase as the
 * registry recorded it (the figure describes the phase up to then), else the run's collection time.
 * {@code instance_type} and {@code zone} are null where the registry does not know them (or, for a
 * {@code node=all} row, where its nodes differ).
 */
final class Samples {
    private Samples() {
    }

    static Path write(Summary summary, RunFacts facts, Path file) {
        Map<String, List<String>> nodesOfRole = new LinkedHashMap<>();
        for (Summary.Row r : summary.nodeRows()) {
            List<String> nodes = nodesOfRole.computeIfAbsent(r.role(), k -> new java.util.ArrayList<>());
            if (!nodes.contains(r.node())) {
                nodes.add(r.node());
            }
        }
        List<String> everyNode = nodesOfRole.values().stream().flatMap(List::stream).toList();
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Summary.Row r : summary.rows()) {
                RunFacts.Placement where = !r.node().equals("all") ? facts.placement(r.node())
                        : facts.placement(r.role().equals("all") ? everyNode : nodesOfRole.getOrDefault(r.role(), List.of()));
                out.write(JsonOutput.toJson(sample(summary, r, where, facts)));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static Map<String, Object> sample(Summary summary, Summary.Row r, RunFacts.Placement where, RunFacts facts) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("test", summary.test());
        labels.put("run", summary.run());
        labels.put("phase", r.phase());
        labels.put("role", r.role());
        labels.put("node", r.node());
        labels.put("operation", r.metric().operation());
        labels.put("instance_type", where.instanceType());
        labels.put("zone", where.zone());
        labels.put("aggregate", r.aggregate());
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("metric", r.metric().metric());
        sample.put("value", r.metric().value());
        sample.put("unit", r.metric().unit());
        sample.put("timestamp", facts.timestamp(r.phase()).toEpochMilli() / 1000.0);
        sample.put("labels", labels);
        return sample;
    }
}
