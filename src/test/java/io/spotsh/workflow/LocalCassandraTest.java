package io.spotsh.workflow;

import io.spotsh.cloud.CloudTests;
import io.spotsh.collect.Results;
import io.spotsh.common.StateDir;
import io.spotsh.fanout.RunResult;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.shell.Session;
import io.spotsh.types.Sanity;
import io.spotsh.types.cassandra.Cassandra;
import io.spotsh.types.cassandra.NodetoolStatus;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cassandra test type on the real parts: Cassandra 5.0.6 daemons on 3 local data nodes (each on its own
 * 127.x address, booted from userdata), YCSB with spotsh's cassandra-cql binding on a client node, the embedded
 * registry, sysstat, SSH collection; then the sanity check with a data node stopped and started again.
 */
class LocalCassandraTest {
    private static Path state;
    private static Path work;

    @BeforeAll
    static void tools() throws Exception {
        for (String tool : List.of("psql", "setsid", "java", "mvn")) {
            CloudTests.require(tool, "the cassandra test runs Cassandra and YCSB on local nodes");
        }
        CloudTests.requireSadc();
        state = Files.createTempDirectory("spotsh-cassandra");
        work = Files.createTempDirectory("spotsh-cassandra-results");
    }

    @AfterAll
    static void stop() {
        CloudTests.stopLocal(state);
        CloudTests.delete(work);
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aRingOfThreeIsLoadedRunCollectedAndItsCheckFollowsAStoppedNode() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String name = "cassandra-" + System.nanoTime();
        try (Session session = session(out)) {
            session.setInteractive(true);
            Cluster cluster = session.cluster();
            cluster.setResultsDir(work.toString());
            cluster.launch(Map.of("name", name, "type", "cassandra", "dataNodes", 3, "clientNodes", 1, "ttl", "20m",
                    "params", Map.of("recordcount", 3000, "operationcount", 3000, "threads", 4)));
            cluster.await(Map.of("every", "2s", "timeout", "4m"));
            cluster.configure();
            Sanity sane = cluster.check();
            assertTrue(sane.isOk(), sane + "\n" + out.toString(StandardCharsets.UTF_8));

            // every node sees the three, UN, a third of the ring each (one token per node, evenly spaced)
            RunResult status = cluster.getNodes().getData().run(Map.of("quiet", true), NodetoolStatus.COMMAND);
            assertTrue(status.allOk(), status.toString());
            status.getResults().forEach(r -> {
                List<NodetoolStatus.Node> ring = NodetoolStatus.parse(r.getStdout()).nodes();
                assertEquals(3, ring.size(), r.getName() + ":\n" + r.getStdout());
                for (NodetoolStatus.Node n : ring) {
                    assertTrue(n.isUpNormal() && n.address().startsWith("127.") && n.owns() != null
                                    && Math.abs(n.owns() - 100.0 / 3) < 0.1,
                            r.getName() + ": " + n + "\n" + r.getStdout());
                }
            });

            cluster.workloads();
            Results results = cluster.collect();
            Path run = results.getDir();
            assertTrue(Files.size(run.resolve("client-1/results/load.out")) > 0);
            try (Stream<Path> hdr = Files.list(run.resolve("client-1/results"))) {
                List<String> files = hdr.map(p -> p.getFileName().toString()).toList();
                assertTrue(files.contains("load-INSERT.hdr") && files.contains("run-READ.hdr")
                        && files.contains("run-UPDATE.hdr"), files.toString());
            }
            for (String node : List.of("data-1", "data-2", "data-3", "client-1")) {
                try (Stream<Path> sa = Files.list(run.resolve(node).resolve("sysstat"))) {
                    assertTrue(sa.anyMatch(p -> p.getFileName().toString().matches("sa\\d+")), node + " has no sysstat file");
                }
            }
            for (String node : List.of("data-1", "data-2", "data-3")) {
                assertTrue(Files.readString(run.resolve(node).resolve("logs/cassandra/system.log")).contains("Startup complete"),
                        node + "'s system.log");
            }
            List<CSVRecord> rows;
            try (CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build()
                    .parse(Files.newBufferedReader(results.getSummaryCsv()))) {
                rows = csv.getRecords();
            }
            assertTrue(value(rows, "load", "OVERALL", "throughput") > 0, rows.toString());
            assertTrue(value(rows, "run", "OVERALL", "throughput") > 0, rows.toString());
            assertEquals(3000, value(rows, "load", "INSERT", "operations"), 0.1);
            for (String op : List.of("READ", "UPDATE")) {
                double p50 = value(rows, "run", op, "p50_latency");
                double p95 = value(rows, "run", op, "p95_latency");
                double p99 = value(rows, "run", op, "p99_latency");
                assertTrue(p50 > 0 && p50 <= p95 && p95 <= p99, op + " " + p50 + " " + p95 + " " + p99);
                // every client kept its .hdr log: the cluster's p99 comes from their merge
                String how = rows.stream().filter(r -> r.get("phase").equals("run") && r.get("node").equals("all")
                        && r.get("operation").equals(op) && r.get("metric").equals("p99_latency"))
                        .map(r -> r.get("aggregate")).findFirst().orElseThrow();
                assertTrue(how.startsWith("merged histogram of "), how);
            }
            for (String phase : List.of("load", "run")) {
                assertTrue(rows.stream().anyMatch(r -> r.get("phase").equals(phase)
                        && r.get("metric").equals("usd_per_million_ops")), phase + " has no cost row: " + rows);
            }
            assertEquals(rows.size(), Files.readAllLines(results.getSummaryCsv().resolveSibling("samples.jsonl")).size());

            Node stopped = cluster.getNodes().getData().getAt(2);
            onDataNode(cluster, 2, "sh \"$SPOTSH_ROOT/opt/spotsh/roles/cassandra-data.sh\" stop");
            Sanity broken = awaitCheck(cluster, false);
            String problems = String.join("\n", broken.problems());
            String described = "data-2 (" + stopped.instanceId() + " " + stopped.ip() + ")";
            assertTrue(problems.contains(described + ": nodetool failed"), problems);
            assertTrue(problems.contains(described + ": DN (down, normal)"), problems);

            onDataNode(cluster, 2, "sh \"$SPOTSH_ROOT/opt/spotsh/roles/cassandra-data.sh\" start");
            Sanity again = awaitCheck(cluster, true);
            assertTrue(again.isOk(), again.toString());
            assertEquals(0L, cluster.terminate().get("left"));
        }
    }

    /** The check until it gives the expected verdict (gossip takes a few seconds to mark a node down or up). */
    private static Sanity awaitCheck(Cluster cluster, boolean ok) throws InterruptedException {
        Sanity s = cluster.check();
        for (int i = 0; i < 60 && s.isOk() != ok || i < 60 && !ok && !String.join("\n", s.problems()).contains("DN"); i++) {
            Thread.sleep(2000);
            s = cluster.check();
        }
        return s;
    }

    private static void onDataNode(Cluster cluster, int number, String command) {
        RunResult r = cluster.getNodes().getData().run(Map.of("quiet", true), "[ \"$(cat \"$SPOTSH_ROOT/etc/spotsh/node-number\")\" = "
                + number + " ] || exit 0; set -a; . \"$SPOTSH_ROOT/etc/spotsh/env\"; set +a; " + command);
        assertTrue(r.allOk(), r.toString());
    }

    private static double value(List<CSVRecord> rows, String phase, String operation, String metric) {
        return rows.stream().filter(r -> r.get("phase").equals(phase) && r.get("node").equals("client-1")
                        && r.get("operation").equals(operation) && r.get("metric").equals(metric))
                .mapToDouble(r -> Double.parseDouble(r.get("value"))).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + phase + "/" + operation + "/" + metric + " in " + rows));
    }

    private static Session session(ByteArrayOutputStream out) {
        return new Session(new Session.Settings(new StateDir(state), RegistrySettings.embedded(state), "local", false,
                false, Map.of()), new io.spotsh.node.NodeUserData(new StateDir(state)), List.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }
}
