package io.spotsh.workflow;

import io.spotsh.cli.Main;
import io.spotsh.cloud.CloudTests;
import io.spotsh.cloud.local.LocalProvider;
import io.spotsh.collect.Summary;
import io.spotsh.common.StateDir;
import io.spotsh.fanout.RunResult;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.report.Chromium;
import io.spotsh.shell.Session;
import io.spotsh.types.Sanity;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The redis test type on the real parts: the local cloud booting Redis on each data node from userdata, the
 * embedded registry, real redis-cli --cluster create and redis-benchmark, sysstat on every node, SSH collection.
 */
class RedisLocalTest {
    private static Path state;
    private static Path work;

    @BeforeAll
    static void tools() throws IOException {
        for (String tool : List.of("psql", "setsid", "redis-server", "redis-cli", "redis-benchmark")) {
            CloudTests.require(tool, "the redis test runs Redis on local nodes");
        }
        CloudTests.requireSadc();
        state = Files.createTempDirectory("spotsh-redis");
        work = Files.createTempDirectory("spotsh-redis-results");
    }

    @AfterAll
    static void stop() {
        CloudTests.stopLocal(state);
        CloudTests.delete(work);
    }

    /** The README's main command, as a user runs it: from nothing to summary.csv and zero instances left. */
    @Test
    void thePlanRunsFromNothingToASummaryAndNothingLeft() throws Exception {
        String name = "redis-plan-" + System.nanoTime();
        Path results = work.resolve("plan");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = spotsh(out, "-f", "scripts/plans/redis-local.groovy", name, results.toString());
        String log = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, log);
        assertTrue(log.contains("Sanity check of " + name + " passed"), log);
        assertTrue(log.contains("Terminated 8 instances of test " + name + "; 0 left running"), log);

        Path runDir = onlyRun(results.resolve(name));
        for (String node : List.of("data-1", "data-2", "data-3", "data-4", "data-5", "data-6", "client-1", "client-2")) {
            assertTrue(Files.isRegularFile(runDir.resolve(node).resolve("logs/spotsh-boot.log")), node + " boot log");
            try (Stream<Path> sa = Files.list(runDir.resolve(node).resolve("sysstat"))) {
                assertTrue(sa.anyMatch(p -> p.getFileName().toString().matches("sa\\d+")), node + " has no sysstat file");
            }
        }
        assertTrue(Files.isRegularFile(runDir.resolve("data-1/logs/redis/redis.log")));
        assertTrue(log.contains("Report: " + runDir.resolve("report.html")), log);
        theReportOpensInChromium(runDir);
        assertTrue(Files.size(runDir.resolve("client-2/results/read.out")) > 0);

        List<CSVRecord> rows;
        try (CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build()
                .parse(Files.newBufferedReader(runDir.resolve("summary.csv")))) {
            assertEquals(Summary.COLUMNS, csv.getHeaderNames());
            rows = csv.getRecords();
        }
        // 2 phases × (2 clients + the aggregate) × (7 figures redis-benchmark reports + the operations asked for),
        // then per phase its cost per million operations, spot and on demand, and the saving
        assertEquals(2 * 3 * 8 + 2 * 3, rows.size());
        for (String phase : List.of("load", "read")) {
            String operation = phase.equals("load") ? "SET" : "GET";
            double sum = 0;
            for (String node : List.of("client-1", "client-2")) {
                double rps = value(rows, phase, node, "throughput");
                assertTrue(rps > 0, phase + " " + node + " throughput " + rps);
                sum += rps;
                assertEquals(operation, row(rows, phase, node, "throughput").get("operation"));
                assertTrue(value(rows, phase, node, "p99_latency") >= value(rows, phase, node, "p50_latency"));
            }
            assertEquals(sum, value(rows, phase, "all", "throughput"), 0.01);
            assertEquals("sum of 2", row(rows, phase, "all", "throughput").get("aggregate"));
            assertEquals("ms", row(rows, phase, "all", "p99_latency").get("unit"));
            // redis-benchmark keeps no histogram: the cluster figure says what it is
            assertEquals("max of per-client p99 (2 nodes)", row(rows, phase, "all", "p99_latency").get("aggregate"));
            assertEquals(2.0 * value(rows, phase, "client-1", "operations"), value(rows, phase, "all", "operations"));
            double spot = value(rows, phase, "all", "usd_per_million_ops");
            double onDemand = value(rows, phase, "all", "usd_per_million_ops_on_demand");
            assertTrue(spot > 0 && onDemand > spot, phase + ": spot " + spot + ", on demand " + onDemand);
            double saving = value(rows, phase, "all", "spot_saving");
            assertEquals(100 * (1 - spot / onDemand), saving, 0.1, phase + " saving");
        }

        Set<String> archived = new HashSet<>();
        try (InputStream in = Files.newInputStream(runDir.resolveSibling(runDir.getFileName() + ".tar.gz"));
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                archived.add(e.getName());
            }
        }
        String top = runDir.getFileName().toString();
        assertTrue(archived.contains(top + "/summary.csv"), archived.toString());
        assertTrue(archived.contains(top + "/client-1/results/load.out"), archived.toString());

        try (Session session = session(new ByteArrayOutputStream())) {
            List<Map<String, Object>> runs = session.registry().sql("SELECT r.status, r.results_dir, r.summary_csv,"
                    + " (SELECT count(*) FROM spotsh.phases p WHERE p.run_id = r.id AND p.status = 'ok') AS phases"
                    + " FROM spotsh.runs r JOIN spotsh.tests t ON t.id = r.test_id WHERE t.name = ?", name);
            assertEquals(1, runs.size());
            assertEquals("collected", runs.get(0).get("status"));
            assertEquals(runDir.toString(), runs.get(0).get("results_dir"));
            assertEquals(2L, ((Number) runs.get(0).get("phases")).longValue());
            List<Map<String, Object>> listed = session.registry().runs(name);
            assertEquals(1, listed.size());
            assertTrue(String.valueOf(listed.get(0).get("phases")).matches("load ok \\d+\\.\\ds, read ok \\d+\\.\\ds"),
                    listed.toString());
            assertEquals(0, session.cluster().use(name).leaks().stream().filter(l -> name.equals(l.get("test"))).count());
        }
        try (LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
            assertEquals(0, local.tagged().stream().filter(i -> name.equals(i.test())).count());
        }
    }

    /** report.html of the run: every chart drawn with data and no script error, then made again by spotsh report. */
    private static void theReportOpensInChromium(Path runDir) throws Exception {
        String run = Files.readString(runDir.resolve("run.json"));
        assertTrue(run.contains("\"phases\"") && run.contains("\"load\"") && run.contains("\"instances\""), run);
        Chromium.require();
        Path html = runDir.resolve("report.html");
        Chromium.Page page = Chromium.open(html, Path.of("target/artifacts/report-redis-local.png"));
        assertEquals("ok", page.status(), "report.html's own check of its charts and errors");
        // timeline, load and read each with throughput and latency, heat map, 4 per-node charts
        assertEquals(1 + 2 * 2 + 1 + 4, page.charts());
        for (String node : List.of("data-1", "client-2")) {
            assertTrue(page.dom().contains("<option>" + node + "</option>"), node + " can be chosen");
        }
        Files.delete(html);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, spotsh(out, "report", runDir.toString()), out.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(html.toString()));
        assertEquals("ok", Chromium.open(html, Path.of("target/artifacts/report-redis-local-again.png")).status());
    }

    /** In the shell a failed check shows what is wrong and can be run again once the operator fixed it. */
    @Test
    void theSanityCheckFailsWhileADataNodeIsStoppedAndPassesOnceItIsBack() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String name = "redis-check-" + System.nanoTime();
        try (Session session = session(out)) {
            session.setInteractive(true);
            Cluster cluster = session.cluster();
            cluster.launch(Map.of("name", name, "type", "redis", "dataNodes", 3, "clientNodes", 1, "ttl", "20m",
                    "params", Map.of("requests", 20_000)));
            cluster.await(Map.of("every", "2s", "timeout", "4m"));
            cluster.configure();
            assertTrue(cluster.check().isOk(), out.toString(StandardCharsets.UTF_8));

            Node stopped = cluster.getNodes().getData().getAt(2);
            onDataNode(cluster, 2, "redis-cli -h \"$SPOTSH_PRIVATE_IP\" -p 6379 shutdown nosave || true");
            Sanity broken = cluster.check();
            assertFalse(broken.isOk());
            String problems = String.join("\n", broken.problems());
            assertTrue(problems.contains("data-2 (" + stopped.instanceId() + " " + stopped.ip() + "): no CLUSTER INFO"), problems);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("Fix what is wrong and call cluster.check() again"));

            // the operator's fix: start it again from its own configuration; it rejoins from its nodes.conf
            onDataNode(cluster, 2, "nohup redis-server \"$SPOTSH_ROOT/etc/redis/redis.conf\" </dev/null >/dev/null 2>&1 &");
            Sanity again = null;
            for (int i = 0; i < 60 && (again == null || !again.isOk()); i++) {
                Thread.sleep(500);
                again = cluster.check();
            }
            assertTrue(again.isOk(), again.toString());
            assertTrue(cluster.terminate().get("left").equals(0L));
        }
    }

    /** In a plan a failed check ends the plan (exit 1) after collecting what exists and tearing down. */
    @Test
    void aPlanStopsAtAFailedCheckCollectsAndTearsDown() throws Exception {
        String name = "redis-plan-check-" + System.nanoTime();
        Path plan = work.resolve("check.groovy");
        Files.writeString(plan, """
                cluster.launch(name: args[0], type: 'redis', dataNodes: 3, clientNodes: 1, ttl: '20m', params: [requests: 20000])
                cluster.await(timeout: '4m', every: '2s')
                cluster.configure()
                nodes.data.findAll { it.number == 3 }.run('. "$SPOTSH_ROOT/etc/spotsh/env"; redis-cli -h "$SPOTSH_PRIVATE_IP" shutdown nosave || true')
                cluster.check()
                cluster.workloads()
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = spotsh(out, "-f", plan.toString(), name);
        String log = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, log);
        assertTrue(log.contains("check.groovy:5"), log);
        assertTrue(log.contains("the cluster is not sane") && log.contains("data-3 ("), log);
        assertFalse(log.contains("Phase load started"), log);
        assertTrue(log.contains("0 left running"), log);
        Path runDir = onlyRun(Path.of("results").toAbsolutePath().resolve(name));
        try {
            assertTrue(Files.isRegularFile(runDir.resolve("data-3/logs/redis/redis.log")), "data-3's log is collected");
            assertTrue(Files.isRegularFile(runDir.resolve("summary.csv")));
        } finally {
            CloudTests.delete(Path.of("results").toAbsolutePath().resolve(name));
        }
    }

    /** A workload that fails on a client ends the plan, and what exists still comes home before the nodes go. */
    @Test
    void aFailingPhaseStillCollectsAndTearsDown() throws Exception {
        String name = "redis-phase-" + System.nanoTime();
        Path plan = work.resolve("phase.groovy");
        Path results = work.resolve("phase");
        Files.writeString(plan, """
                cluster.resultsDir = args[1]
                cluster.launch(name: args[0], type: 'redis', dataNodes: 3, clientNodes: 1, ttl: '20m', params: [requests: 20000])
                cluster.await(timeout: '4m', every: '2s')
                cluster.configure()
                cluster.check()
                nodes.data.run('. "$SPOTSH_ROOT/etc/spotsh/env"; redis-cli -h "$SPOTSH_PRIVATE_IP" shutdown nosave || true')
                cluster.workloads()
                cluster.collect()
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = spotsh(out, "-f", plan.toString(), name, results.toString());
        String log = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, log);
        assertTrue(log.contains("workload load failed on 1 of 1 client nodes: client-1"), log);
        assertFalse(log.contains("Phase read started"), log);
        assertTrue(log.contains("Terminated 4 instances of test " + name + "; 0 left running"), log);
        Path runDir = onlyRun(results.resolve(name));
        assertTrue(Files.isRegularFile(runDir.resolve("client-1/results/load.err")), "the failed phase's stderr came home");
        assertTrue(Files.isRegularFile(runDir.resolveSibling(runDir.getFileName() + ".tar.gz")));
        try (Session session = session(new ByteArrayOutputStream())) {
            assertEquals(List.of("failed"), session.registry().sql("SELECT p.status FROM spotsh.phases p JOIN spotsh.tests t"
                    + " ON t.id = p.test_id WHERE t.name = ? ORDER BY p.id", name).stream().map(r -> r.get("status")).toList());
        }
    }

    private static void onDataNode(Cluster cluster, int number, String command) {
        RunResult r = cluster.getNodes().getData().run(Map.of("quiet", true), "[ \"$(cat \"$SPOTSH_ROOT/etc/spotsh/node-number\")\" = "
                + number + " ] || exit 0; set -a; . \"$SPOTSH_ROOT/etc/spotsh/env\"; set +a; " + command);
        assertTrue(r.allOk(), r.toString());
    }

    private static Path onlyRun(Path testDir) throws IOException {
        try (Stream<Path> runs = Files.list(testDir)) {
            List<Path> dirs = runs.filter(Files::isDirectory).toList();
            assertEquals(1, dirs.size(), dirs.toString());
            return dirs.get(0);
        }
    }

    private static Map<String, String> row(List<CSVRecord> rows, String phase, String node, String metric) {
        return rows.stream().filter(r -> r.get("phase").equals(phase) && r.get("node").equals(node) && r.get("metric").equals(metric))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + phase + "/" + node + "/" + metric)).toMap();
    }

    private static double value(List<CSVRecord> rows, String phase, String node, String metric) {
        return Double.parseDouble(row(rows, phase, node, metric).get("value"));
    }

    private static int spotsh(ByteArrayOutputStream out, String... args) {
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        String[] all = Stream.concat(Stream.of("--state-dir", state.toString()), Stream.of(args)).toArray(String[]::new);
        return Main.run(all, InputStream.nullInputStream(), print, print, Map.of());
    }

    private static Session session(ByteArrayOutputStream out) {
        return new Session(new Session.Settings(new StateDir(state), RegistrySettings.embedded(state), "local", false,
                false, Map.of()), new io.spotsh.node.NodeUserData(new StateDir(state)), List.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }
}
