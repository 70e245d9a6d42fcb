package io.spotsh.collect;

import io.spotsh.types.Metric;
import org.HdrHistogram.Histogram;
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
 * summed (the clients ran at the same moment); a latency figure comes from the clients' merged histograms when
 * every client kept one ({@code merged histogram of 3 clients}), else it is the worst client's, labelled as what it
 * is ({@code max of per-client p99 (2 nodes)}: percentiles do not add up); a minimum is the least. Last, per phase
 * with operation counts, what a million operations cost ({@code usd_per_million_ops}, see {@link #costRows()}).
 */
public final class Summary {
    public static final String USD_PER_MILLION_OPS = "usd_per_million_ops";
    public static final List<String> COLUMNS = List.of("test", "run", "phase", "role", "node", "operation", "metric",
            "value", "unit", "aggregate");

    /** One figure of one node in one phase. */
    public record Row(String phase, String role, String node, Metric metric, String aggregate) {
    }

    private final String test;
    private final String run;
    private final List<Row> nodeRows = new ArrayList<>();
    /** (phase, node, operation) → that client's latency histogram, in microseconds. */
    private final Map<List<String>, Histogram> histograms = new LinkedHashMap<>();
    private final Map<String, PhaseCost> costs = new LinkedHashMap<>();

    public Summary(String test, String run) {
        this.test = test;
        this.run = run;
    }

    public void add(String phase, String role, String node, List<Metric> metrics) {
        for (Metric m : metrics) {
            nodeRows.add(new Row(phase, role, node, m, ""));
        }
    }

    /** One client's latency histogram (microseconds) of one operation in one phase. */
    public void addHistogram(String phase, String node, String operation, Histogram histogram) {
        histograms.put(List.of(phase, node, operation), histogram);
    }

    /** What the phase's instances cost, for its {@code usd_per_million_ops} rows. */
    public void addCost(PhaseCost cost) {
        costs.put(cost.phase(), cost);
    }

    public String test() {
        return test;
    }

    public String run() {
        return run;
    }

    /** The per-node rows. */
    public List<Row> nodeRows() {
        return List.copyOf(nodeRows);
    }

    /**
     * Per phase, operation and metric over the nodes: the sum of throughput and counts; a latency figure from the
     * merged histograms when every node of the group has one, else the worst (or least, for a minimum) node's.
     */
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
            List<Histogram> kept = how.equals("sum") || !Histograms.gives(m) ? List.of() : group.stream()
                    .map(r -> histograms.get(List.of(r.phase(), r.node(), m.operation()))).filter(h -> h != null).toList();
            if (!kept.isEmpty() && kept.size() == group.size()) {
                double merged = Histograms.millis(Histograms.merge(kept), m.metric());
                rows.add(new Row(first.phase(), first.role(), "all", new Metric(m.operation(), m.metric(), merged, m.unit()),
                        "merged histogram of " + group.size() + " clients"));
                continue;
            }
            double value = switch (how) {
                // summed as decimals: 397614.31 + 389863.53 is 787477.84, not 787477.8400000001
                case "sum" -> group.stream().map(r -> java.math.BigDecimal.valueOf(r.metric().value()))
                        .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add).doubleValue();
                case "min" -> group.stream().mapToDouble(r -> r.metric().value()).min().orElse(0);
                default -> group.stream().mapToDouble(r -> r.metric().value()).max().orElse(0);
            };
            String label = how.equals("sum") ? "sum of " + group.size()
                    : how + " of per-client " + m.metric().replaceAll("_latency$", "") + " (" + group.size() + " nodes)";
            rows.add(new Row(first.phase(), first.role(), "all", new Metric(m.operation(), m.metric(), value, m.unit()),
                    label));
        }
        return rows;
    }

    /**
     * Per phase whose cost is known and whose nodes counted operations: {@code usd_per_million_ops}, the spot
     * price of every instance of the test (all roles: the servers are what is measured) over the phase's window,
     * divided by the phase's operations in millions; with the on-demand price of the same instance-hours and the
     * saving when the provider knows it. The window is the phase's, not the run's, so a long load does not make a
     * short read look dear. The operations are the summed {@code operations} rows of the phase's nodes,
     * YCSB's {@code CLEANUP} left out (it counts its threads' cleanup calls, not work asked of the servers).
     */
    public List<Row> costRows() {
        List<Row> rows = new ArrayList<>();
        for (PhaseCost cost : costs.values()) {
            double ops = nodeRows.stream().filter(r -> r.phase().equals(cost.phase())
                            && r.metric().metric().equals("operations") && !r.metric().operation().equals("CLEANUP"))
                    .mapToDouble(r -> r.metric().value()).sum();
            if (ops <= 0) {
                continue;  // redis-benchmark reports rates, not counts: no honest denominator
            }
            double hours = cost.roles().stream().mapToDouble(PhaseCost.RoleCost::instanceHours).sum();
            String over = String.format(java.util.Locale.ROOT, "%.4f instance-hours over %d operations", hours, (long) ops);
            rows.add(new Row(cost.phase(), "all", "all", new Metric("OVERALL", USD_PER_MILLION_OPS,
                    round(cost.spotUsd() * 1e6 / ops), "USD"), "spot price of " + over));
            Double onDemand = cost.onDemandUsd();
            if (onDemand != null) {
                rows.add(new Row(cost.phase(), "all", "all", new Metric("OVERALL", USD_PER_MILLION_OPS + "_on_demand",
                        round(onDemand * 1e6 / ops), "USD"), "on-demand price of " + over));
                rows.add(new Row(cost.phase(), "all", "all", new Metric("OVERALL", "spot_saving",
                        round(onDemand == 0 ? 0 : 100 * (1 - cost.spotUsd() / onDemand)), "%"), "1 - spot / on-demand"));
            }
        }
        return rows;
    }

    /** Six significant digits: a price per hour is not known better than that. */
    private static double round(double value) {
        return new java.math.BigDecimal(value).round(new java.math.MathContext(6)).doubleValue();
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

    /** Every row in file order: node rows, aggregated rows, cost rows. */
    public List<Row> rows() {
        List<Row> all = new ArrayList<>(nodeRows);
        all.addAll(aggregated());
        all.addAll(costRows());
        return all;
    }

    /** Writes the node rows, the aggregated rows, then the cost rows. */
    public Path write(Path file) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(COLUMNS.toArray(String[]::new)).build().print(out)) {
            for (Row r : rows()) {
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
