package io.spotsh.types.redis;

import io.spotsh.common.BadInput;
import io.spotsh.types.Metric;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code redis-benchmark --csv} output: a header {@code "test","rps","avg_latency_ms","min_latency_ms",
 * "p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"} (Redis 7) and one row per command.
 * Redis 6 wrote rows of {@code "test","rps"} with no header; both are read. Lines that are not CSV rows
 * ({@code --cluster} prints the masters it found first) are skipped.
 */
final class BenchmarkCsv {
    /** Column → metric name; latency columns are milliseconds. */
    private static final Map<String, String> METRICS = Map.of(
            "rps", Metric.THROUGHPUT,
            "avg_latency_ms", "avg_latency",
            "min_latency_ms", "min_latency",
            "p50_latency_ms", "p50_latency",
            "p95_latency_ms", "p95_latency",
            "p99_latency_ms", "p99_latency",
            "max_latency_ms", "max_latency");
    private static final List<String> OLD_HEADER = List.of("test", "rps");

    private BenchmarkCsv() {
    }

    static List<Metric> parse(String output) {
        List<Metric> metrics = new ArrayList<>();
        List<String> header = null;
        String[] lines = output.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (!line.startsWith("\"")) {
                continue;
            }
            List<String> cells = cells(line, i + 1);
            if (cells.get(0).equals("test")) {
                header = cells;
                continue;
            }
            List<String> columns = header != null ? header : OLD_HEADER;
            if (cells.size() != columns.size()) {
                throw new BadInput("redis-benchmark output line " + (i + 1) + " has " + cells.size() + " fields, the header "
                        + columns.size() + ": " + line);
            }
            for (int c = 1; c < columns.size(); c++) {
                String metric = METRICS.get(columns.get(c));
                if (metric != null) {
                    metrics.add(new Metric(cells.get(0), metric, number(cells.get(c), i + 1, line),
                            metric.equals(Metric.THROUGHPUT) ? "ops/s" : "ms"));
                }
            }
        }
        return metrics;
    }

    private static List<String> cells(String line, int number) {
        try {
            List<CSVRecord> records = CSVFormat.DEFAULT.parse(new StringReader(line)).getRecords();
            return records.get(0).toList();
        } catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
            throw new BadInput("redis-benchmark output line " + number + " is not CSV: " + line);
        }
    }

    private static double number(String text, int line, String whole) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new BadInput("redis-benchmark output line " + line + ": '" + text + "' is not a number: " + whole);
        }
    }
}
