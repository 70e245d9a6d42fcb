package io.spotsh.report;

import io.spotsh.cloud.CloudTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * report.html from a run folder with real sysstat files (recorded here by sadc, read by sadf), a summary.csv with
 * YCSB status lines and a cost-per-million row, and a run.json; checked in headless Chromium.
 */
class RunReportTest {
    private static Path run;

    @BeforeAll
    static void runFolder() throws Exception {
        CloudTests.requireSadc();
        CloudTests.require("sadf", "report.html reads sysstat files with sadf -j");
        run = Files.createTempDirectory("spotsh-report").resolve("run-1");
        Instant start = Instant.now();
        for (String node : List.of("data-1", "client-1", "client-2")) {
            Path sa = run.resolve(node).resolve("sysstat");
            Files.createDirectories(sa);
            Path file = sa.resolve("sa01");
            sadc("-S", "DISK", "1", "3", file.toString());
            sadc("-C", "phase load start", file.toString());
        }
        for (String node : List.of("client-1", "client-2")) {
            Path results = Files.createDirectories(run.resolve(node).resolve("results"));
            Files.writeString(results.resolve("load.out"), "2026-03-14 09:12:13:402 1 sec: 700 operations; 700.0 current ops/sec; \n"
                    + "2026-03-14 09:12:14:402 2 sec: 1500 operations; 800.0 current ops/sec; \n");
        }
        Files.writeString(run.resolve("summary.csv"), """
                test,run,phase,role,node,operation,metric,value,unit,aggregate
                t,run-1,load,client,client-1,OVERALL,throughput,750,ops/s,
                t,run-1,load,client,client-2,OVERALL,throughput,760,ops/s,
                t,run-1,load,client,all,OVERALL,throughput,1510,ops/s,sum of 2
                t,run-1,load,client,client-1,INSERT,p99_latency,2.5,ms,
                t,run-1,load,client,client-2,INSERT,p99_latency,2.7,ms,
                t,run-1,load,client,all,INSERT,p99_latency,2.7,ms,max of 2
                t,run-1,load,client,all,OVERALL,usd_per_million_ops,0.0042,USD,spot price of 0.0100 instance-hours over 2260 operations
                t,run-1,load,client,all,OVERALL,usd_per_million_ops_on_demand,0.0126,USD,on-demand price of 0.0100 instance-hours over 2260 operations
                t,run-1,load,client,all,OVERALL,spot_saving,66.7,%,1 - spot / on-demand
                """);
        Instant end = Instant.now();
        Files.writeString(run.resolve("run.json"), "{\"test\":\"t\",\"run\":\"run-1\",\"type\":\"ycsb\",\"provider\":\"aws\",\"region\":\"us-east-1\",\"image\":\"ami-0123456789abcdef0\","
                + "\"sizing\":{\"data\":1,\"client\":2},\"phases\":[{\"name\":\"load\",\"status\":\"ok\",\"started_at\":\"" + start
                + "\",\"finished_at\":\"" + end + "\"},{\"name\":\"read\",\"status\":\"failed\",\"started_at\":\"" + end
                + "\",\"finished_at\":\"" + end.plusSeconds(1) + "\",\"message\":\"client-2 exit 1\"}],"
                + "\"events\":[{\"at\":\"" + start + "\",\"kind\":\"phase-affected\",\"role\":\"data\",\"instance_id\":\"i-lost1\","
                + "\"message\":\"phase load: data instance i-lost1 reclaimed in the interval " + start + " .. " + end + "\"}],"
                + "\"cost\":[{\"role\":\"total\",\"instances\":3,\"instance_hours\":0.01,\"usd\":0.001,\"on_demand_usd\":0.003,\"saving_pct\":66.7}]}");
    }

    @AfterAll
    static void clean() {
        if (run != null) {
            CloudTests.delete(run.getParent());
        }
    }

    private static void sadc(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/lib/sysstat/sadc"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "sadc " + List.of(args) + ": " + out);
    }

    @Test
    void sadfSamplesAndMarksComeBackPerNode() {
        Sysstat s = Sysstat.readFolder(run.resolve("data-1/sysstat"));
        assertTrue(s.samples().size() >= 2, "samples: " + s.samples().size());
        assertEquals(List.of("phase load start"), s.comments().stream().map(Sysstat.Comment::text).toList());
        double[] v = s.samples().get(0).values();
        assertTrue(v[0] + v[1] + v[2] + v[3] <= 100.5 && v[4] > 0, "cpu and memory: " + java.util.Arrays.toString(v));
        assertTrue(s.samples().get(1).epochSecond() > s.samples().get(0).epochSecond());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theModelHoldsEveryNodeTheHeatMapAndTheRun() {
        Map<String, Object> model = RunReport.model(run);
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) model.get("nodes");
        assertEquals(List.of("client-1", "client-2", "data-1"), nodes.stream().map(n -> n.get("name")).toList());
        assertEquals(List.of("load"), nodes.get(0).get("phases"));
        assertEquals(Map.of(), nodes.get(2).get("throughput"));
        assertFalse(((List<?>) nodes.get(2).get("series")).isEmpty());
        List<?> cells = (List<?>) ((Map<String, Object>) model.get("heat")).get("cells");
        assertTrue(cells.size() >= 3 * 2, "heat cells: " + cells.size());
        assertEquals("t", ((Map<String, Object>) model.get("run")).get("test"));
        assertEquals("ami-0123456789abcdef0", ((Map<String, Object>) model.get("run")).get("image"));
    }

    @Test
    void thePageRendersEveryChartWithDataAndNoErrorsFromDisk() throws Exception {
        Chromium.require();
        Path html = RunReport.write(run);
        String text = Files.readString(html);
        assertFalse(text.matches("(?s).*(src|href)=\"https?:.*"), "the page loads nothing from the network");
        Chromium.Page page = Chromium.open(html, Path.of("target/artifacts/report-unit.png"));
        assertEquals("ok", page.status(), "the page's own check");
        // timeline, throughput over time (OVERALL), latency (INSERT), heat map, 4 per-node charts
        assertEquals(1 + 2 + 1 + 4, page.charts());
        assertTrue(page.dom().contains("usd_per_million_ops"), "cost per million operations is shown");
        assertTrue(page.dom().contains("usd_per_million_ops_on_demand"), "the same on demand");
        assertTrue(page.dom().contains("Affected phases") && page.dom().contains("i-lost1"),
                "a phase that lost an instance while it ran is marked, with what it lost");
        assertTrue(page.dom().contains("spot_saving") && page.dom().contains("saving_pct"), "and the saving");
        assertTrue(page.dom().contains("ami-0123456789abcdef0"), "the node image the run booted is among the run facts");
    }

    @Test
    void spotshReportRefusesWhatIsNotARunFolderAndWritesTheReportOfOne() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        Path state = Files.createTempDirectory("spotsh-report-state");
        try {
            Path absent = run.resolveSibling("absent");
            assertEquals(io.spotsh.cli.ExitCodes.USAGE, io.spotsh.cli.Main.run(new String[] {"--state-dir", state.toString(),
                    "report", absent.toString()}, java.io.InputStream.nullInputStream(), print, print, Map.of()));
            assertTrue(out.toString().contains("no run folder " + absent), out.toString());
            Files.deleteIfExists(run.resolve(RunReport.FILE));
            assertEquals(0, io.spotsh.cli.Main.run(new String[] {"--state-dir", state.toString(), "report", run.toString()},
                    java.io.InputStream.nullInputStream(), print, print, Map.of()), out.toString());
            assertTrue(Files.size(run.resolve(RunReport.FILE)) > 1_000_000, "echarts is inlined");
            assertTrue(out.toString().contains(run.resolve(RunReport.FILE).toAbsolutePath().toString()), out.toString());
        } finally {
            CloudTests.delete(state);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNodeWithAnUnreadableSysstatFileLosesItsChartsNotTheReport() throws Exception {
        Path other = run.resolveSibling("run-2");
        Files.createDirectories(other.resolve("data-1/sysstat"));
        Files.copy(run.resolve("data-1/sysstat/sa01"), other.resolve("data-1/sysstat/sa01"));
        Files.createDirectories(other.resolve("data-2/sysstat"));
        Files.writeString(other.resolve("data-2/sysstat/sa01"), "not a sysstat file");
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) RunReport.model(other).get("nodes");
        assertEquals(null, nodes.get(0).get("error"));
        assertTrue(String.valueOf(nodes.get(1).get("error")).startsWith("data-2: sadf -j"), nodes.get(1).toString());
        assertEquals(List.of(), nodes.get(1).get("series"));
    }

    /** The page's own check is what the tests trust, so it must say when a script fails. */
    @Test
    void thePageSaysSoWhenAScriptFails() throws Exception {
        Chromium.require();
        Path html = RunReport.write(run);
        Path broken = run.resolveSibling("broken.html");
        String page = Files.readString(html);
        int end = page.lastIndexOf("</body>");
        Files.writeString(broken, page.substring(0, end) + "<script>console.error('boom'); null.x;</script>" + page.substring(end));
        String status = Chromium.open(broken, Path.of("target/artifacts/report-broken.png")).status();
        assertTrue(status.startsWith("error: ") && status.contains("boom") && status.contains("null"), status);
    }
}
