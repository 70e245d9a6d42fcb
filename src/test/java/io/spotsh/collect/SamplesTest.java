package io.spotsh.collect;

import groovy.json.JsonSlurper;
import io.spotsh.types.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** samples.jsonl: one parseable JSON object per summary row, with every label the issue lists. */
class SamplesTest {
    private static final List<String> LABELS = List.of("test", "run", "phase", "role", "node", "operation",
            "instance_type", "zone", "aggregate");

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void everySummaryRowIsOneSampleWithItsLabels() throws Exception {
        Summary s = new Summary("ring-3", "20261206-094000");
        s.add("load", "client", "client-1", List.of(new Metric("INSERT", "operations", 1_000_000, "ops"),
                new Metric("INSERT", "p99_latency", 4.2, "ms")));
        s.add("load", "client", "client-2", List.of(new Metric("INSERT", "operations", 1_500_000, "ops"),
                new Metric("INSERT", "p99_latency", 5.1, "ms")));
        s.add("run", "client", "client-1", List.of(new Metric("READ", "throughput", 900.5, "ops/s")));
        Instant loadEnd = Instant.parse("2026-12-06T09:30:00Z");
        Instant collected = Instant.parse("2026-12-06T09:45:00.250Z");
        s.addCost(new PhaseCost("load", loadEnd.minusSeconds(1800), loadEnd,
                List.of(new PhaseCost.RoleCost("data", 3, 1.5, 0.3, null))));
        RunFacts facts = new RunFacts(Map.of(
                "client-1", new RunFacts.Placement("m5d.xlarge", "us-east-1a"),
                "client-2", new RunFacts.Placement("m5d.xlarge", "us-east-1b")),
                Map.of("load", new PhaseCost("load", loadEnd.minusSeconds(1800), loadEnd, List.of())), collected);

        Path file = Samples.write(s, facts, dir.resolve("samples.jsonl"));

        List<String> lines = Files.readAllLines(file);
        List<Summary.Row> rows = s.rows();
        assertEquals(rows.size(), lines.size());
        assertEquals(5 + 3 + 1, rows.size());  // node rows, aggregates, the cost row
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> sample = (Map<String, Object>) new JsonSlurper().parseText(lines.get(i));
            Summary.Row row = rows.get(i);
            assertEquals(List.of("metric", "value", "unit", "timestamp", "labels"), List.copyOf(sample.keySet()), lines.get(i));
            assertEquals(row.metric().metric(), sample.get("metric"));
            assertEquals(row.metric().value(), ((Number) sample.get("value")).doubleValue(), 0.0);
            assertEquals(row.metric().unit(), sample.get("unit"));
            Map<String, Object> labels = (Map<String, Object>) sample.get("labels");
            assertEquals(LABELS, List.copyOf(labels.keySet()), lines.get(i));
            assertEquals(List.of("ring-3", "20261206-094000", row.phase(), row.role(), row.node(), row.metric().operation()),
                    LABELS.subList(0, 6).stream().map(labels::get).toList());
            // the phase's end where the registry has it, else the collection time
            double when = (row.phase().equals("load") ? loadEnd : collected).toEpochMilli() / 1000.0;
            assertEquals(when, ((Number) sample.get("timestamp")).doubleValue(), 0.0, lines.get(i));
        }
        Map<String, Object> first = (Map<String, Object>) ((Map<String, Object>) new JsonSlurper().parseText(lines.get(0))).get("labels");
        assertEquals(List.of("m5d.xlarge", "us-east-1a"), List.of(first.get("instance_type"), first.get("zone")));
        // the aggregate over two zones: one type, no single zone
        Map<String, Object> all = (Map<String, Object>) ((Map<String, Object>) new JsonSlurper().parseText(lines.get(5))).get("labels");
        assertEquals("all", all.get("node"));
        assertEquals("m5d.xlarge", all.get("instance_type"));
        assertNull(all.get("zone"));
        assertEquals("usd_per_million_ops", ((Map<String, Object>) new JsonSlurper().parseText(lines.get(8))).get("metric"));
    }
}
