package io.spotsh.types.ycsb;

import io.spotsh.common.BadInput;
import io.spotsh.types.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.spotsh.types.ycsb.TypeTests.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The YCSB report parser on the fixtures, and the command line each client runs, executed by /bin/sh. */
class YcsbTest {
    @Test
    void loadReportOverallAndInsertInMilliseconds() {
        List<Metric> metrics = Ycsb.parse(fixture("ycsb/load-workloada-cassandra.txt"));
        assertEquals(List.of(
                new Metric("OVERALL", "runtime", 187.432, "s"),
                new Metric("OVERALL", "throughput", 8002.902385931965, "ops/s"),
                new Metric("CLEANUP", "operations", 32, "ops"),
                new Metric("CLEANUP", "avg_latency", 2.25171875, "ms"),
                new Metric("CLEANUP", "min_latency", 0.001, "ms"),
                new Metric("CLEANUP", "max_latency", 72.063, "ms"),
                new Metric("CLEANUP", "p50_latency", 0.003, "ms"),
                new Metric("CLEANUP", "p95_latency", 0.009, "ms"),
                new Metric("CLEANUP", "p99_latency", 72.063, "ms"),
                new Metric("INSERT", "operations", 1_500_000, "ops"),
                new Metric("INSERT", "avg_latency", 3.982448657333333, "ms"),
                new Metric("INSERT", "min_latency", 1.187, "ms"),
                new Metric("INSERT", "max_latency", 412.415, "ms"),
                new Metric("INSERT", "p50_latency", 3.477, "ms"),
                new Metric("INSERT", "p95_latency", 6.731, "ms"),
                new Metric("INSERT", "p99_latency", 11.903, "ms"),
                new Metric("INSERT", "errors", 0, "ops")), metrics);
    }

    @Test
    void runReportReadsUpdatesAndTheirErrors() {
        Map<String, Double> m = byName(Ycsb.parse(fixture("ycsb/run-workloada-cassandra.txt")));
        assertEquals(9914.864364655492, m.get("OVERALL throughput"));
        assertEquals(151.288, m.get("OVERALL runtime"));
        assertEquals(750_112, m.get("READ operations"));
        assertEquals(2.963184569717055, m.get("READ avg_latency"));
        assertEquals(0.498, m.get("READ min_latency"));
        assertEquals(305.919, m.get("READ max_latency"));
        assertEquals(2.607, m.get("READ p50_latency"));
        assertEquals(5.403, m.get("READ p95_latency"));
        assertEquals(9.575, m.get("READ p99_latency"));
        assertEquals(0, m.get("READ errors"));
        assertEquals(749_885, m.get("UPDATE operations"));
        assertEquals(3.127567239643412, m.get("UPDATE avg_latency"));
        assertEquals(9.887, m.get("UPDATE p99_latency"));
        assertEquals(3, m.get("UPDATE errors"));
        assertEquals(3, m.get("UPDATE-FAILED operations"));
        assertEquals(2001.5786666666667, m.get("UPDATE-FAILED avg_latency"));
        assertEquals(2002.943, m.get("UPDATE-FAILED max_latency"));
        assertEquals(32, m.get("CLEANUP operations"));
        // 2 overall + READ 8 + CLEANUP 7 + UPDATE 8 + UPDATE-FAILED 7; no GC sections, no per-operation throughput
        assertEquals(32, m.size(), m.keySet().toString());
        assertTrue(m.keySet().stream().noneMatch(k -> k.startsWith("TOTAL_GC")), m.keySet().toString());
        assertEquals(List.of("OVERALL throughput"), m.keySet().stream().filter(k -> k.endsWith("throughput")).toList());
    }

    /**
     * Output of a real run (LocalCassandraTest: 3 Cassandra 5.0.6 nodes, the cassandra-cql binding, 3000 records,
     * {@code measurementtype=hdrhistogram} with file output), read by the same parser: the result file, and stderr
     * and stdout together with the status lines and the binding's noise.
     */
    @Test
    void realHdrHistogramOutputOfTheCqlBinding() {
        Map<String, Double> m = byName(Ycsb.parse(fixture("ycsb/run-workloada-cassandra5-hdr.out")));
        assertEquals(282.5124776344289, m.get("OVERALL throughput"));
        assertEquals(10.619, m.get("OVERALL runtime"));
        assertEquals(1514, m.get("READ operations"));
        assertEquals(3.491, m.get("READ p50_latency"));
        assertEquals(49.663, m.get("READ p95_latency"));
        assertEquals(104.447, m.get("READ p99_latency"));
        assertEquals(0, m.get("READ errors"));
        assertEquals(1486, m.get("UPDATE operations"));
        assertEquals(2.273, m.get("UPDATE p50_latency"));
        assertEquals(96.703, m.get("UPDATE p99_latency"));
        assertEquals(4, m.get("CLEANUP operations"));
        assertEquals(Ycsb.parse(fixture("ycsb/run-workloada-cassandra5-hdr.out")),
                Ycsb.parse(fixture("ycsb/run-workloada-cassandra5-hdr-terminal.txt")), "the terminal's extra lines are skipped");
        Map<String, Double> load = byName(Ycsb.parse(fixture("ycsb/load-cassandra5-hdr.out")));
        assertEquals(3000, load.get("INSERT operations"));
        assertEquals(0, load.get("INSERT errors"));
        assertTrue(load.get("INSERT p50_latency") <= load.get("INSERT p95_latency")
                && load.get("INSERT p95_latency") <= load.get("INSERT p99_latency"), load.toString());
    }

    @Test
    void mongodbResultFileAlone() {
        Map<String, Double> m = byName(Ycsb.parse(fixture("ycsb/run-workloada-mongodb.txt")));
        assertEquals(15196.952504457773, m.get("OVERALL throughput"));
        assertEquals(98.704, m.get("OVERALL runtime"));
        assertEquals(750_040, m.get("READ operations"));
        assertEquals(1.8930871460188256, m.get("READ avg_latency"));
        assertEquals(749_960, m.get("UPDATE operations"));
        assertEquals(7.235, m.get("UPDATE p99_latency"));
        assertEquals(0, m.get("UPDATE errors"));
        assertEquals(0.0, m.get("CLEANUP min_latency"));
    }

    @Test
    void aReportLineWithoutANumberNamesItsLine() {
        String output = "YCSB Client 0.17.0\nLoading workload...\n[OVERALL], RunTime(ms), 10110\n[READ], Operations, lots\n";
        BadInput e = assertThrows(BadInput.class, () -> Ycsb.parse(output));
        assertTrue(e.getMessage().contains("line 4") && e.getMessage().contains("[READ], Operations, lots"), e.getMessage());
        assertThrows(BadInput.class, () -> Ycsb.parse("[READ], AverageLatency(us), NaN\n"));
        BadInput missing = assertThrows(BadInput.class, () -> Ycsb.parse("\n[OVERALL], Throughput(ops/sec)\n"));
        assertTrue(missing.getMessage().contains("line 2"), missing.getMessage());
    }

    @Test
    void skipsWhatIsNoReportAndKeepsPrecision() {
        String output = String.join("\n",
                "WARNING: sun.reflect.Reflection.getCallerClass is not supported. This will impact performance.",
                "[WARN] Couldn't read hdrhistogram.percentiles value: 'x', the default of '95,99' will be used.",
                "2026-03-14 09:12:13:402 10 sec: 12345 operations; 1234.5 current ops/sec; [READ: Count=12345, Max=9000, Min=120, Avg=300.5, 90=500, 99=900, 99.9=5000, 99.99=9000] ",
                "[OVERALL], RunTime(ms), 10110",
                "[OVERALL], Throughput(ops/sec), 9891.2",
                "[READ], Operations, 5000",
                "[READ], AverageLatency(us), 300.5",
                "[READ], 99.9PercentileLatency(us), 4711",
                "[READ], 0, 12",
                "[READ], Return=OK, 4990",
                "[READ], Return=NOT_FOUND, 7",
                "[READ], Return=ERROR, 3",
                "[SCAN], 95thPercentileLatency(ms), 4",
                "[SCAN], Return=0, 10",
                "[INSERT], Return=BATCHED_OK, 100");
        Map<String, Double> m = byName(Ycsb.parse(output));
        assertEquals(Map.of("OVERALL throughput", 9891.2, "OVERALL runtime", 10.11, "READ operations", 5000.0,
                "READ avg_latency", 0.3005, "READ p99.9_latency", 4.711, "READ errors", 10.0,
                "SCAN p95_latency", 4.0, "SCAN errors", 0.0, "INSERT errors", 0.0), m);
    }

    @Test
    void workloadLettersAreYcsbsCoreWorkloads() {
        assertEquals("f", new Ycsb.Settings("f", 1, 1, 1, 1).workload());
        BadInput e = assertThrows(BadInput.class, () -> new Ycsb.Settings("g", 1, 1, 1, 1));
        assertTrue(e.getMessage().contains("a, b, c, d, e, f"), e.getMessage());
        assertThrows(BadInput.class, () -> Ycsb.settings(Map.of("workload", "A", "recordcount", 1, "operationcount", 1,
                "threads", 1, "clientNodes", 1)));
    }

    @Test
    void defaultsGrowWithTheDataNodesAndClientNodesFollowsTheSizing() {
        Map<String, Object> d = Ycsb.defaults(Map.of("data", 6, "client", 2), 1_000_000);
        assertEquals(Map.of("workload", "a", "recordcount", 6_000_000L, "operationcount", 6_000_000L, "threads", 48,
                "clientNodes", 2), d);
        assertEquals(256, Ycsb.defaults(Map.of("data", 300, "client", 1), 10).get("threads"));
        Map<String, Object> given = new LinkedHashMap<>(d);
        given.put("clientNodes", 3);
        BadInput e = assertThrows(BadInput.class, () -> Ycsb.settings(given, Map.of("data", 6, "client", 2)));
        assertTrue(e.getMessage().contains("clientNodes follows the sizing (2 client nodes)"), e.getMessage());
    }

    /**
     * The command as a client node runs it, with a stand-in ycsb.sh that prints its arguments: client k of 3 loads
     * records [(k-1)R/3, kR/3) and runs its share of the operations; every record and operation is done once.
     */
    @Test
    void eachClientLoadsItsShareAndRunsItsShare(@TempDir Path home) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path launcher = Files.writeString(bin.resolve("ycsb.sh"), "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Ycsb.Settings s = new Ycsb.Settings("b", 1_000_001, 999_999, 24, 3);
        String load = Ycsb.command(Ycsb.Phase.LOAD, "cassandra-cql", s, "hosts", Map.of("cassandra.readconsistencylevel", "ONE"));
        String run = Ycsb.command(Ycsb.Phase.RUN, "mongodb", s, null, Map.of("mongodb.url", "mongodb://localhost:27017/ycsb"));
        long inserted = 0;
        long operations = 0;
        for (int client = 1; client <= 3; client++) {
            Map<String, String> env = Map.of("YCSB_HOME", home.toString(), "SPOTSH_NODE_NUMBER", String.valueOf(client),
                    "SPOTSH_DATA_IPS", "10.0.1.11 10.0.1.12 10.0.1.13", "SPOTSH_ROOT", "/r");
            List<String> args = TypeTests.sh(env, "-c", load).stdout().lines().toList();
            assertEquals(List.of("load", "cassandra-cql", "-s", "-P", home + "/workloads/workloadb", "-threads", "24",
                    "-p", "recordcount=1000001",
                    "-p", "insertstart=" + (client - 1) * 1_000_001L / 3,
                    "-p", "insertcount=" + (client * 1_000_001L / 3 - (client - 1) * 1_000_001L / 3),
                    "-p", "hdrhistogram.percentiles=50,95,99", "-p", "measurementtype=hdrhistogram",
                    "-p", "hdrhistogram.fileoutput=true", "-p", "hdrhistogram.output.path=/r/var/lib/spotsh/results/load-",
                    "-p", "hosts=10.0.1.11,10.0.1.12,10.0.1.13",
                    "-p", "cassandra.readconsistencylevel=ONE"), args);
            inserted += Long.parseLong(args.get(12).substring("insertcount=".length()));
            List<String> runArgs = TypeTests.sh(env, "-c", run).stdout().lines().toList();
            assertEquals(List.of("run", "mongodb", "-s", "-P", home + "/workloads/workloadb", "-threads", "24",
                    "-p", "recordcount=1000001", "-p", "operationcount=" + (client * 999_999L / 3 - (client - 1) * 999_999L / 3),
                    "-p", "hdrhistogram.percentiles=50,95,99", "-p", "measurementtype=hdrhistogram",
                    "-p", "hdrhistogram.fileoutput=true", "-p", "hdrhistogram.output.path=/r/var/lib/spotsh/results/run-",
                    "-p", "mongodb.url=mongodb://localhost:27017/ycsb"), runArgs);
            operations += Long.parseLong(runArgs.get(10).substring("operationcount=".length()));
        }
        assertEquals(1_000_001, inserted);
        assertEquals(999_999, operations);
        // without YCSB_HOME the home is the ycsb command's answer (the image's link, a local node's bundle)
        Path path = Files.createDirectories(home.resolve("path"));
        Path ycsb = Files.writeString(path.resolve("ycsb"), "#!/bin/sh\n[ \"$1\" = home ] && echo " + home + "\n");
        Files.setPosixFilePermissions(ycsb, PosixFilePermissions.fromString("rwxr-xr-x"));
        TypeTests.Ran found = TypeTests.sh(Map.of("PATH", path + ":/usr/bin:/bin", "SPOTSH_NODE_NUMBER", "1",
                "SPOTSH_DATA_IPS", "10.0.1.11"), "-c", load);
        assertEquals("load", found.stdout().lines().findFirst().orElse(""), found.stderr());
        TypeTests.Ran none = TypeTests.sh(Map.of("PATH", "/usr/bin:/bin", "SPOTSH_NODE_NUMBER", "1"), "-c", load);
        assertTrue(none.status() != 0 && none.stdout().isEmpty(), "no ycsb, no YCSB_HOME: fails before running: " + none);
    }

    /** {@code READ avg_latency -> value}, failing on a metric reported twice. */
    static Map<String, Double> byName(List<Metric> metrics) {
        Map<String, Double> m = new LinkedHashMap<>();
        List<String> units = new ArrayList<>();
        for (Metric x : metrics) {
            assertEquals(null, m.put(x.operation() + " " + x.metric(), x.value()), "twice: " + x);
            units.add(x.unit());
        }
        assertTrue(units.stream().allMatch(u -> List.of("ops/s", "s", "ms", "ops").contains(u)), units.toString());
        return m;
    }
}
