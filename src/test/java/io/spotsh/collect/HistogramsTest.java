package io.spotsh.collect;

import io.spotsh.types.Metric;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Cluster-wide latency figures from the clients' HdrHistogram logs: the merge of three clients' logs, written as
 * YCSB writes them (HistogramLogWriter, several intervals each), gives exactly the percentiles of one histogram
 * of every sample together.
 */
class HistogramsTest {
    private static final List<String> LATENCIES = List.of("p50_latency", "p95_latency", "p99_latency", "p99.9_latency",
            "avg_latency", "min_latency", "max_latency");

    @TempDir
    Path dir;

    @Test
    void mergedPercentilesAreThoseOfTheUnionOfSamples() throws Exception {
        Random random = new Random(20);
        Histogram union = new Histogram(3);
        Summary summary = new Summary("ring-3", "20261206-094000");
        for (int client = 1; client <= 3; client++) {
            // each client its own spread (a slow third client), so the worst client's p99 is not the cluster's
            List<Histogram> intervals = new ArrayList<>();
            for (int interval = 0; interval < 4; interval++) {
                Histogram h = new Histogram(3);
                for (int i = 0; i < 5000; i++) {
                    long micros = 200 + (long) Math.abs(random.nextGaussian() * 1500 * client) + random.nextInt(50);
                    h.recordValue(micros);
                    union.recordValue(micros);
                }
                h.setStartTimeStamp(1_796_000_000_000L + interval * 1000L);
                h.setEndTimeStamp(1_796_000_000_000L + (interval + 1) * 1000L);
                intervals.add(h);
            }
            String node = "client-" + client;
            Path hdr = dir.resolve(node).resolve("run-READ.hdr");
            Files.createDirectories(hdr.getParent());
            try (PrintStream out = new PrintStream(Files.newOutputStream(hdr))) {
                HistogramLogWriter writer = new HistogramLogWriter(out);
                writer.outputLogFormatVersion();
                writer.outputStartTime(1_796_000_000_000L);
                writer.outputLegend();
                intervals.forEach(writer::outputIntervalHistogram);
            }
            Histogram own = Histograms.merge(intervals);
            summary.add("run", "client", node, LATENCIES.stream()
                    .map(m -> new Metric("READ", m, Histograms.millis(own, m), "ms")).toList());
            summary.addHistogram("run", node, "READ", Histograms.read(hdr));
        }

        Map<String, Summary.Row> all = summary.aggregated().stream()
                .collect(Collectors.toMap(r -> r.metric().metric(), Function.identity()));
        for (double p : new double[] {50, 95, 99, 99.9}) {
            String metric = "p" + Summary.format(p) + "_latency";
            assertEquals(union.getValueAtPercentile(p) / 1000.0, all.get(metric).metric().value(), 0.0, metric);
            assertEquals("merged histogram of 3 clients", all.get(metric).aggregate());
        }
        assertEquals(union.getMaxValue() / 1000.0, all.get("max_latency").metric().value(), 0.0);
        assertEquals(union.getMinValue() / 1000.0, all.get("min_latency").metric().value(), 0.0);
        assertEquals(union.getMean() / 1000.0, all.get("avg_latency").metric().value(), 1e-9);
        // the worst client's p99 is higher than the cluster's: what the old summary reported
        double worst = summary.nodeRows().stream().filter(r -> r.metric().metric().equals("p99_latency"))
                .mapToDouble(r -> r.metric().value()).max().orElseThrow();
        assertEquals(true, worst > all.get("p99_latency").metric().value());
    }

    @Test
    void aClientWithoutAHistogramLeavesTheWorstClientsFigureLabelledSo() {
        Histogram h = new Histogram(3);
        h.recordValue(1200);
        Summary summary = new Summary("t", "r");
        summary.add("run", "client", "client-1", List.of(new Metric("READ", "p99_latency", 1.2, "ms")));
        summary.add("run", "client", "client-2", List.of(new Metric("READ", "p99_latency", 3.4, "ms")));
        summary.addHistogram("run", "client-1", "READ", h);

        Summary.Row row = summary.aggregated().get(0);
        assertEquals(3.4, row.metric().value(), 0.0);
        assertEquals("max of per-client p99 (2 nodes)", row.aggregate());
    }
}
