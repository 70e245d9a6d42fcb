package io.spotsh.report;

import io.spotsh.common.BadInput;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Run A against run B, per phase × role × operation × metric of the cluster's figures: A, B, the change in %, and
 * whether it exceeds the runs' own noise. Noise is judged with a two-sided Mann-Whitney U (rank-sum) test of A's
 * per-interval samples against B's (commons-math3 {@link MannWhitneyUTest}, normal approximation; Mann &amp; Whitney
 * 1947): a change is beyond noise when p &lt; {@value #ALPHA}. A rank test rather than a t-test because interval
 * throughput is skewed by warm-up and stalls. Figures without interval samples (redis-benchmark, percentiles) say so.
 * <pre>
 * Comparison c = Comparison.of(RunFolder.read(a), RunFolder.read(b));
 * System.out.print(c.table());
 * c.writeCsv(b.resolve("compare.csv"));
 * c.writeHtml(b.resolve("compare.html"));
 * </pre>
 */
public final class Comparison {
    public static final double ALPHA = 0.05;
    /** Fewer samples than this per run give no verdict: the rank test needs a few to say anything. */
    static final int MIN_SAMPLES = 3;
    public static final List<String> COLUMNS = List.of("phase", "role", "operation", "metric", "unit", "a", "b",
            "change_pct", "verdict", "p_value", "samples_a", "samples_b");

    public static final String NO_CHANGE = "no change";
    public static final String REGRESSION = "regression beyond noise";
    public static final String IMPROVEMENT = "improvement beyond noise";
    public static final String NOISE_UNKNOWN = "no interval samples: noise unknown";
    public static final String ONLY_A = "only in A";
    public static final String ONLY_B = "only in B";

    /** One compared figure; {@code changePct} and {@code pValue} are null when they cannot be said. */
    public record Row(String phase, String role, String operation, String metric, String unit, Double a, Double b,
                      Double changePct, String verdict, Double pValue, int samplesA, int samplesB) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("phase", phase);
            m.put("role", role);
            m.put("operation", operation);
            m.put("metric", metric);
            m.put("unit", unit);
            m.put("a", a);
            m.put("b", b);
            m.put("change_pct", changePct == null ? null : round(changePct, 2));
            m.put("verdict", verdict);
            m.put("p_value", pValue == null ? null : round(pValue, 4));
            m.put("samples_a", samplesA);
            m.put("samples_b", samplesB);
            return m;
        }
    }

    private final RunFolder a;
    private final RunFolder b;
    private final List<Row> rows;

    private Comparison(RunFolder a, RunFolder b, List<Row> rows) {
        this.a = a;
        this.b = b;
        this.rows = rows;
    }

    /** What the registry knows of a run's test: its type and the node count per role it was sized for. */
    public record TestShape(String type, Map<String, Integer> sizing) {
    }

    /**
     * Refuses (bad input) runs of different test types or node counts per role: a comparison of unlike runs reads
     * as a regression. Runs of one test share its type and sizing, so only two tests are looked up ({@code shapes}
     * answers null for a test it does not know: then only the node folders are compared, and {@code warn} says so).
     */
    public static void requireAlike(RunFolder a, RunFolder b, java.util.function.Function<String, TestShape> shapes,
                                    java.util.function.Consumer<String> warn) {
        Map<String, Integer> sizeA = a.roles();
        Map<String, Integer> sizeB = b.roles();
        String typeA = null;
        String typeB = null;
        if (!java.util.Objects.equals(a.test(), b.test())) {
            TestShape ta = shapes.apply(a.test());
            TestShape tb = shapes.apply(b.test());
            if (ta != null && tb != null) {
                typeA = ta.type();
                typeB = tb.type();
                sizeA = java.util.Objects.requireNonNullElse(ta.sizing(), sizeA);
                sizeB = java.util.Objects.requireNonNullElse(tb.sizing(), sizeB);
            } else {
                warn.accept("test " + (ta == null ? a.test() : b.test())
                        + " is not in the registry: its type is not checked, only its node folders");
            }
        }
        if (!java.util.Objects.equals(typeA, typeB)) {
            throw new BadInput("compare: A " + a.name() + " is a " + typeA + " test, B " + b.name() + " a " + typeB
                    + " test; use --force to compare them anyway");
        }
        if (!sizeA.equals(sizeB)) {
            throw new BadInput("compare: A " + a.name() + " ran on " + sizeA + " nodes, B " + b.name() + " on " + sizeB
                    + "; use --force to compare runs of different sizes");
        }
    }

    public static Comparison of(RunFolder a, RunFolder b) {
        Map<List<String>, RunFolder.Figure> inA = a.byKey();
        Map<List<String>, RunFolder.Figure> inB = b.byKey();
        List<Row> rows = new ArrayList<>();
        for (var e : inA.entrySet()) {
            RunFolder.Figure fa = e.getValue();
            RunFolder.Figure fb = inB.get(e.getKey());
            rows.add(fb == null ? row(fa, fa.value(), null, ONLY_A, null, 0, 0) : compare(a, fa, b, fb));
        }
        for (var e : inB.entrySet()) {
            if (!inA.containsKey(e.getKey())) {
                rows.add(row(e.getValue(), null, e.getValue().value(), ONLY_B, null, 0, 0));
            }
        }
        return new Comparison(a, b, List.copyOf(rows));
    }

    private static Row compare(RunFolder a, RunFolder.Figure fa, RunFolder b, RunFolder.Figure fb) {
        List<Double> sa = a.samples(fa);
        List<Double> sb = b.samples(fb);
        if (fa.value() == fb.value()) {
            return row(fa, fa.value(), fb.value(), NO_CHANGE, null, sa.size(), sb.size());
        }
        if (sa.size() < MIN_SAMPLES || sb.size() < MIN_SAMPLES) {
            return row(fa, fa.value(), fb.value(), NOISE_UNKNOWN, null, sa.size(), sb.size());
        }
        double p = new MannWhitneyUTest().mannWhitneyUTest(array(sa), array(sb));
        String verdict = NO_CHANGE;
        if (p < ALPHA) {
            boolean up = fb.value() > fa.value();
            verdict = up == higherIsBetter(fa.metric()) ? IMPROVEMENT : REGRESSION;
        }
        return row(fa, fa.value(), fb.value(), verdict, p, sa.size(), sb.size());
    }

    /** Throughput and operation counts are better higher; latencies, times and errors lower. */
    static boolean higherIsBetter(String metric) {
        return metric.equals("throughput") || metric.equals("operations");
    }

    private static Row row(RunFolder.Figure f, Double a, Double b, String verdict, Double p, int na, int nb) {
        Double change = a == null || b == null ? null : a == 0 ? (b == 0 ? 0.0 : null) : (b - a) / Math.abs(a) * 100;
        return new Row(f.phase(), f.role(), f.operation(), f.metric(), f.unit(), a, b, change, verdict, p, na, nb);
    }

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Double round(double value, int places) {
        return java.math.BigDecimal.valueOf(value).setScale(places, java.math.RoundingMode.HALF_UP).doubleValue();
    }

    public RunFolder a() {
        return a;
    }

    public RunFolder b() {
        return b;
    }

    public List<Row> rows() {
        return rows;
    }

    /** The rows as maps (column → value), as the shell prints them. */
    public List<Map<String, Object>> maps() {
        return rows.stream().map(Row::toMap).toList();
    }

    public String table() {
        return table(rows);
    }

    public static String table(List<Row> rows) {
        Table t = new Table(COLUMNS);
        for (Row r : rows) {
            t.add(r.toMap().values().stream().map(v -> v == null ? "" : v).toArray());
        }
        return t.render();
    }

    /** compare.csv: the same columns as the table, with run A and run B named first, for the HTML report. */
    public Path writeCsv(Path file) {
        List<String> header = new ArrayList<>(List.of("run_a", "run_b"));
        header.addAll(COLUMNS);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).build().print(out)) {
            for (Row r : rows) {
                List<Object> cells = new ArrayList<>(List.of(a.name(), b.name()));
                r.toMap().values().forEach(v -> cells.add(v == null ? "" : v));
                csv.printRecord(cells);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /**
     * compare.html: the rows as a table with the change coloured by verdict and one bar chart of A against B per
     * phase × operation (throughput and latencies), echarts inlined: one file that opens from disk with no network.
     */
    public Path writeHtml(Path file) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("run_a", a.name());
        model.put("run_b", b.name());
        model.put("dir_a", a.dir().toString());
        model.put("dir_b", b.dir().toString());
        model.put("columns", COLUMNS);
        model.put("rows", maps());
        model.put("verdicts", Map.of("regression", REGRESSION, "improvement", IMPROVEMENT, "no_change", NO_CHANGE,
                "noise_unknown", NOISE_UNKNOWN));
        Html.write("compare.html", model, file);
        return file;
    }
}
