package io.spotsh.collect;

import io.spotsh.types.Metric;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code summary.csv}: one row per phase × node × metric as the load generator reported it, then per phase,
 * operation and metric one aggregated row over the nodes ({@code node} = {@code all}): throughput and counts are
 * summed (the clients ran at the same moment), a latency figure is the worst node's (percentiles do not add up),
 * a minimum the least; the {@code aggregate} column says which, and over how many nodes.
 */
public final class Summary {
    public static final List<String> COLUMNS = List.of("test", "run", "phase", "role", "node", "operation", "metric",
            "value", "unit", "aggregate");

    /** One figure of one node in one phase. */
    public record Row(String phase, String role, String node, Metric metric, String aggregate) {
    }

    private final String test;
    private final String run;
    private final List<Row> nodeRows = new ArrayList<>();

    public Summary(String test, String run) {
        this.test = test;
        this.run = run;
    }

    public void add(String phase, String role, String node, List<Metric> metrics) {
        for (Metric m : metrics) {
            nodeRows.add(new Row(phase, role, node, m, ""));
        }
    }

    /** The per-node rows. */
    public List<Row> nodeRows() {
        return List.copyOf(nodeRows);
    }

    /** Per phase, operation and metric: the sum of throughput, the worst of anything else, over the nodes. */
    public List<Row> aggregated() {
        Map<List<String>, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : nodeRows) {
            groups.computeIfAbsent(List.of(r.phase(), r.role(), r.metric().operation(), r.metric().metric(), r.metric().unit()),
                    k -> new ArrayList<>()).add(r);
        }
        List<Row> rows = new ArrayList<>();
        for (List<Row> group : groups.values()) {
            Row first = group.get(0);
            Metric m = first.metric();
            String how = aggregation(m);
            double value = switch (how) {
                // summed as decimals: 397614.31 + 389863.53 is 787477.84, not 787477.8400000001
                case "sum" -> group.stream().map(r -> java.math.BigDecimal.valueOf(r.metric().value()))
                        .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add).doubleValue();
                case "min" -> group.stream().mapToDouble(r -> r.metric().value()).min().orElse(0);
                default -> group.stream().mapToDouble(r -> r.metric().value()).max().orElse(0);
            };
            rows.add(new Row(first.phase(), first.role(), "all", new Metric(m.operation(), m.metric(), value, m.unit()),
                    how + " of " + group.size()));
        }
        return rows;
    }

    /**
     * How a figure adds up over nodes that ran at the same moment: throughput, operation and error counts are
     * summed; a minimum is the least; any other latency or time is the worst node's.
     */
    static String aggregation(Metric m) {
        if (m.isThroughput() || m.metric().equals("operations") || m.metric().equals("errors")) {
            return "sum";
        }
        return m.metric().startsWith("min") ? "min" : "max";
    }

    /** Writes the node rows then the aggregated rows. */
    public Path write(Path file) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(COLUMNS.toArray(String[]::new)).build().print(out)) {
            for (Row r : nodeRows) {
                print(csv, r);
            }
            for (Row r : aggregated()) {
                print(csv, r);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private void print(CSVPrinter csv, Row r) throws IOException {
        Metric m = r.metric();
        csv.printRecord(test, run, r.phase(), r.role(), r.node(), m.operation(), m.metric(), format(m.value()), m.unit(),
                r.aggregate());
    }

    static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
