package io.spotsh.cli;

import io.spotsh.report.Chromium;
import io.spotsh.report.Comparison;
import io.spotsh.report.RunFolder;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spotsh compare} on hand-made run folders (src/test/resources/fixtures/compare, see its README). */
class CompareTest {
    @TempDir
    Path dir;

    private String out;
    private String err;

    private int spotsh(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), Map.of("SPOTSH_HOME", dir.resolve("state").toString()));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    /** A copy of a fixture run, so compare.csv lands in the test's folder. */
    private Path run(String name) throws IOException {
        return copy(Path.of("src/test/resources/fixtures/compare", name), dir.resolve("results").resolve(name));
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return to;
    }

    private static Comparison.Row row(List<Comparison.Row> rows, String phase, String operation, String metric) {
        return rows.stream().filter(r -> r.phase().equals(phase) && r.operation().equals(operation)
                && r.metric().equals(metric)).findFirst().orElseThrow(() -> new AssertionError(phase + " " + operation
                + " " + metric + " missing from " + rows));
    }

    /** The shell's {@code cluster.compare} and {@code registry.compare}: the same rows, verdicts and refusal as the command. */
    @Test
    void theShellComparesTheSameWay() throws IOException {
        Path base = run("base");
        Path slower = run("slower");
        Path wider = run("wider");
        assertEquals(0, spotsh("-e", "cluster.compare('" + base + "', '" + slower + "')"
                + ".find { it.phase == 'run' && it.metric == 'throughput' }.verdict"), err);
        assertTrue(out.contains(Comparison.REGRESSION), out);
        assertTrue(Files.exists(slower.resolve("compare.csv")));
        assertEquals(2, spotsh("-e", "cluster.compare('" + base + "', '" + wider + "')"), out);
        assertTrue(err.contains("use --force"), err);
        assertEquals(0, spotsh("-e", "cluster.compare(force: true, '" + base + "', '" + wider + "').size() > 0"), err);
        assertTrue(out.contains("true"), out);
        // the registry object answers the same
        assertEquals(0, spotsh("-e", "registry.compare('" + base + "', '" + slower + "')"
                + ".find { it.phase == 'run' && it.metric == 'throughput' }.change_pct"), err);
        assertTrue(out.contains("-20.2"), out);
    }

    @Test
    void aSlowerRunShowsTheDeltasAndFlagsWhatExceedsTheNoise() throws IOException {
        Comparison c = Comparison.of(RunFolder.read(run("base")), RunFolder.read(run("slower")));
        List<Comparison.Row> rows = c.rows();
        assertEquals(6, rows.size(), c.table());

        Comparison.Row throughput = row(rows, "run", "OVERALL", "throughput");
        assertEquals(10040, throughput.a());
        assertEquals(8008, throughput.b());
        assertEquals(-20.24, (Double) throughput.toMap().get("change_pct"));
        assertEquals(Comparison.REGRESSION, throughput.verdict());
        assertEquals(6, throughput.samplesA(), "six 10 s intervals, summed over both clients");
        assertTrue(throughput.pValue() < Comparison.ALPHA, "p " + throughput.pValue());

        Comparison.Row read = row(rows, "run", "READ", "avg_latency");
        assertEquals(25.66, (Double) read.toMap().get("change_pct"));
        assertEquals(Comparison.REGRESSION, read.verdict(), "latency went up beyond noise");
        assertEquals(12, read.samplesA(), "six intervals of each client");

        Comparison.Row update = row(rows, "run", "UPDATE", "avg_latency");
        assertEquals(0.96, (Double) update.toMap().get("change_pct"));
        assertEquals(Comparison.NO_CHANGE, update.verdict(), "a change inside the interval spread is noise");
        assertTrue(update.pValue() >= Comparison.ALPHA, "p " + update.pValue());

        Comparison.Row load = row(rows, "load", "OVERALL", "throughput");
        assertEquals(-5.0, (Double) load.toMap().get("change_pct"));
        assertEquals("no interval samples: noise unknown", load.verdict(), "there is no load.out");
        assertNull(load.pValue());
        assertEquals("no interval samples: noise unknown", row(rows, "run", "READ", "p99_latency").verdict());
        assertEquals(Comparison.NO_CHANGE, row(rows, "run", "OVERALL", "runtime").verdict(), "60 s both times");
    }

    @Test
    void equalRunsAreNoChange() throws IOException {
        Path base = run("base");
        Path again = copy(base, dir.resolve("again"));
        assertEquals(0, spotsh("compare", base.toString(), again.toString()), err);
        Comparison c = Comparison.of(RunFolder.read(base), RunFolder.read(again));
        for (Comparison.Row r : c.rows()) {
            assertEquals(Comparison.NO_CHANGE, r.verdict(), r.toString());
            assertEquals(0.0, r.changePct(), r.toString());
        }
        assertFalse(out.contains("beyond noise"), out);
    }

    @Test
    void failOnExitsOneAndPrintsTheOffendingRowsOnly() throws IOException {
        Path a = run("base");
        Path b = run("slower");
        assertEquals(1, spotsh("compare", "--fail-on=throughput < -5%", a.toString(), b.toString()), err);
        String offending = out.substring(out.indexOf("rows cross --fail-on"));
        assertTrue(offending.startsWith("rows cross --fail-on 'throughput < -5%':"), out);
        List<String> lines = offending.lines().toList();
        assertEquals(4, lines.size(), "a header line, the table's two and one row: " + offending);
        assertTrue(lines.get(3).startsWith("run    client  OVERALL    throughput"), lines.get(3));
        assertTrue(lines.get(3).contains("-20.240"), lines.get(3));
        assertFalse(offending.contains("load"), "-5% exactly is not below -5%: " + offending);

        assertEquals(0, spotsh("compare", "--fail-on=throughput < -25%", a.toString(), b.toString()), err);
        assertEquals(1, spotsh("compare", "--fail-on", "READ.avg_latency > 20%", a.toString(), b.toString()), err);
    }

    @Test
    void theComparisonIsWrittenAsCsvBesideRunB() throws IOException {
        Path b = run("slower");
        assertEquals(0, spotsh("compare", run("base").toString(), b.toString()), err);
        assertTrue(out.contains("written " + b.resolve("compare.csv")), out);
        try (Reader in = Files.newBufferedReader(b.resolve("compare.csv"))) {
            List<CSVRecord> records = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build()
                    .parse(in).getRecords();
            assertEquals(6, records.size());
            CSVRecord throughput = records.get(1);
            assertEquals(List.of("ycsb-cmp/r1", "ycsb-cmp/r2", "run", "OVERALL", "throughput", "-20.24",
                    Comparison.REGRESSION), List.of(throughput.get("run_a"), throughput.get("run_b"),
                    throughput.get("phase"), throughput.get("operation"), throughput.get("metric"),
                    throughput.get("change_pct"), throughput.get("verdict")));
        }
    }

    @Test
    void runsOfDifferentSizesAreRefusedUnlessForced() throws IOException {
        Path a = run("base");
        Path b = run("wider");
        assertEquals(2, spotsh("compare", a.toString(), b.toString()));
        assertEquals("spotsh: compare: A ycsb-cmp/r1 ran on {client=2, data=2} nodes, B ycsb-cmp/r3 on"
                + " {client=2, data=3}; use --force to compare runs of different sizes\n", err);
        assertEquals("", out);
        assertEquals(0, spotsh("compare", "--force", a.toString(), b.toString()), err);
        assertTrue(out.contains("no change"), out);
    }

    @Test
    void badInputExitsTwoWithAClearMessage() throws IOException {
        Path a = run("base");
        assertEquals(2, spotsh("compare", a.toString(), dir.resolve("nowhere").toString()));
        assertTrue(err.startsWith("spotsh: no run folder " + dir.resolve("nowhere")), err);
        assertEquals(2, spotsh("compare", "--fail-on=throughput drops", a.toString(), a.toString()));
        assertTrue(err.startsWith("spotsh: --fail-on 'throughput drops': expected METRIC < N%"), err);
        assertEquals(2, spotsh("compare", a.toString()));
        assertTrue(err.contains("compare takes two run folders"), err);
    }

    /** compare.html beside compare.csv: self-contained, its own check 'ok' in headless Chromium, a chart per phase × operation. */
    @Test
    void theComparisonIsWrittenAsHtmlThatRendersFromDisk() throws Exception {
        Path b = run("slower");
        assertEquals(0, spotsh("compare", run("base").toString(), b.toString()), err);
        Path html = b.resolve("compare.html").toAbsolutePath();
        assertTrue(out.contains("written " + html), out);
        String text = Files.readString(html);
        assertFalse(text.matches("(?s).*(src|href)\\s*=\\s*[\"']?https?:.*"), "the page loads nothing from the network");
        assertTrue(text.contains("ycsb-cmp/r2") && text.length() > 1_000_000, "the data and echarts are inlined");
        Chromium.require();
        Chromium.Page page = Chromium.open(html, Path.of("target/artifacts/compare.png"));
        assertEquals("ok", page.status(), "the page's own check: every chart has data, no script failed");
        // load OVERALL, run OVERALL (throughput), run READ (avg and p99 latency), run UPDATE (avg latency)
        assertEquals(4, page.charts(), page.dom().length() + " chars of DOM");
        assertTrue(page.dom().contains("<tr class=\"regression\">"), "regressions are coloured");
        assertTrue(page.dom().contains("<tr class=\"no-change\">"), "no change is grey");
        assertTrue(page.dom().contains("<tr class=\"plain\">"), "noise unknown is plain");
        assertTrue(page.dom().contains("-20.24%"), "the change");
    }

    /** The shell writes compare.html beside compare.csv too. */
    @Test
    void theShellWritesTheHtmlToo() throws IOException {
        Path b = run("slower");
        assertEquals(0, spotsh("-e", "registry.compare('" + run("base") + "', '" + b + "').size()"), err);
        assertTrue(Files.size(b.resolve("compare.html")) > 1_000_000, "echarts is inlined");
        assertTrue((out + err).contains("compare.html"), out + err);
    }
}
