package io.spotsh.types.redis;

import io.spotsh.common.BadInput;
import io.spotsh.types.Metric;
import io.spotsh.types.Workload;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sizing, parameters, workload commands and the parsers of the redis type, on output captured from Redis 7.0. */
class RedisTypeTest {
    private final Redis redis = new Redis();

    @Test
    void oneClientPerThreeDataNodesUnlessGiven() {
        assertEquals(Map.of("data", 3, "client", 1), redis.size(3, null, Map.of()));
        assertEquals(Map.of("data", 6, "client", 2), redis.size(6, null, Map.of()));
        assertEquals(Map.of("data", 7, "client", 3), redis.size(7, null, Map.of()));
        assertEquals(Map.of("data", 300, "client", 100), redis.size(300, null, Map.of()));
        assertEquals(Map.of("data", 6, "client", 5), redis.size(6, 5, Map.of()));
        assertEquals(List.of("data", "client"), List.copyOf(redis.size(6, 2, Map.of()).keySet()));
    }

    @Test
    void aRedisClusterNeedsThreeMastersAndAClient() {
        BadInput small = assertThrows(BadInput.class, () -> redis.size(2, null, Map.of()));
        assertTrue(small.getMessage().contains("at least 3 data nodes"), small.getMessage());
        assertThrows(BadInput.class, () -> redis.size(6, 0, Map.of()));
    }

    @Test
    void theKeyspaceGrowsWithTheDataNodes() {
        assertEquals(600_000L, redis.params(Map.of("data", 6, "client", 2), Map.of()).get("keyspace"));
        assertEquals(30_000_000L, redis.params(Map.of("data", 300, "client", 100), Map.of()).get("keyspace"));
        Map<String, Object> given = redis.params(Map.of("data", 6), Map.of("keyspace", 1000, "requests", "50_000"));
        assertEquals(1000L, given.get("keyspace"));
        assertEquals(50_000L, given.get("requests"), "kept as checked, not as written");
    }

    /** {@code port: 6379.0} in a plan is a Groovy BigDecimal: redis.conf must get {@code 6379}, as it was checked. */
    @Test
    void aDecimalWrittenWholeNumberReachesTheParamsAsChecked() {
        Map<String, Object> params = redis.params(Map.of("data", 6), Map.of("port", new java.math.BigDecimal("6379.0"),
                "nodeTimeoutMs", 2500.0, "keyspace", "1e6"));
        assertEquals(6379, params.get("port"));
        assertEquals(2500, params.get("nodeTimeoutMs"));
        assertEquals(1_000_000L, params.get("keyspace"));
        BadInput half = assertThrows(BadInput.class, () -> redis.params(Map.of("data", 6),
                Map.of("port", new java.math.BigDecimal("6379.5"))));
        assertEquals("cluster.launch: test type redis parameter port must be a whole number, was 6379.5", half.getMessage());
    }

    @Test
    void anUnknownOrBadParameterIsRefusedByName() {
        BadInput unknown = assertThrows(BadInput.class, () -> redis.params(Map.of("data", 6), Map.of("requets", 5)));
        assertTrue(unknown.getMessage().contains("no parameter 'requets'") && unknown.getMessage().contains("requests"),
                unknown.getMessage());
        BadInput bad = assertThrows(BadInput.class, () -> redis.params(Map.of("data", 6), Map.of("pipeline", "lots")));
        assertTrue(bad.getMessage().contains("pipeline") && bad.getMessage().contains("lots"), bad.getMessage());
        assertThrows(BadInput.class, () -> redis.params(Map.of("data", 6), Map.of("connections", 0)));
    }

    @Test
    void workloadsLoadThenReadFromEveryClient() {
        Map<String, Object> params = redis.params(Map.of("data", 6, "client", 2), Map.of("requests", 1000));
        List<Workload> workloads = redis.workloads(params);
        assertEquals(List.of("load", "read"), workloads.stream().map(Workload::name).toList());
        assertTrue(workloads.stream().allMatch(w -> w.role().equals("client")));
        String load = workloads.get(0).command();
        for (String part : List.of("redis-benchmark --cluster", "-p 6379", "-t set", "-n 1000", "-r 600000", "-d 100",
                "-c 50", "-P 16", "--csv")) {
            assertTrue(load.contains(part), part + " in " + load);
        }
        assertTrue(workloads.get(1).command().contains("-t get"));
    }

    /** Client k starts at data node k, round robin: the shell arithmetic, run by /bin/sh. */
    @Test
    void clientsStartAtDataNodesRoundRobin() throws Exception {
        String pick = "set -- $SPOTSH_DATA_IPS; shift $(( (SPOTSH_NODE_NUMBER - 1) % $# )); echo \"$1\"";
        for (int[] c : new int[][] {{1, 1}, {2, 2}, {3, 3}, {4, 1}, {7, 1}}) {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", pick);
            pb.environment().put("SPOTSH_DATA_IPS", "10.0.0.1 10.0.0.2 10.0.0.3");
            pb.environment().put("SPOTSH_NODE_NUMBER", String.valueOf(c[0]));
            Process q = pb.start();
            assertEquals("10.0.0." + c[1], new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            assertEquals(0, q.waitFor());
        }
        assertTrue(redis.workloads(redis.params(Map.of("data", 3), Map.of())).get(0).command().startsWith(
                "set -- $SPOTSH_DATA_IPS; shift $(( (SPOTSH_NODE_NUMBER - 1) % $# )); "));
    }

    @Test
    void benchmarkCsvOfRedis7WithClusterPreamble() throws IOException {
        List<Metric> metrics = redis.parse(redis.workloads(redis.params(Map.of("data", 3), Map.of())).get(0),
                fixture("benchmark-cluster-7.0.csv"));
        assertEquals(16, metrics.size());
        assertEquals(new Metric("SET", "throughput", 398406.41, "ops/s"), metrics.get(0));
        assertEquals(new Metric("SET", "avg_latency", 0.460, "ms"), metrics.get(1));
        assertEquals(new Metric("SET", "p50_latency", 0.311, "ms"), metrics.get(3));
        assertEquals(new Metric("SET", "p95_latency", 0.959, "ms"), metrics.get(4));
        assertEquals(new Metric("SET", "p99_latency", 4.207, "ms"), metrics.get(5));
        // every row stands for all of the -n requests the workload asked for (2 million by default)
        assertEquals(new Metric("SET", "operations", 2_000_000, "ops"), metrics.get(7));
        assertEquals(new Metric("GET", "throughput", 398406.41, "ops/s"), metrics.get(8));
        assertEquals(new Metric("GET", "max_latency", 8.511, "ms"), metrics.get(14));
        assertEquals(new Metric("GET", "operations", 2_000_000, "ops"), metrics.get(15));
    }

    @Test
    void benchmarkCsvOfRedis6HasNoHeader() {
        List<Metric> metrics = BenchmarkCsv.parse("\"SET\",\"81037.28\"\n\"GET\",\"84317.03\"\n");
        assertEquals(List.of(new Metric("SET", "throughput", 81037.28, "ops/s"), new Metric("GET", "throughput", 84317.03, "ops/s")),
                metrics);
    }

    @Test
    void aBrokenResultLineIsNamed() {
        String output = "\"test\",\"rps\",\"avg_latency_ms\"\n\"SET\",\"fast\",\"0.4\"\n";
        BadInput e = assertThrows(BadInput.class, () -> BenchmarkCsv.parse(output));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("'fast'"), e.getMessage());
        BadInput short_ = assertThrows(BadInput.class, () -> BenchmarkCsv.parse("\"test\",\"rps\",\"avg_latency_ms\"\n\"SET\",\"1\"\n"));
        assertTrue(short_.getMessage().contains("line 2 has 2 fields"), short_.getMessage());
        assertEquals(List.of(), BenchmarkCsv.parse("Could not connect to Redis at 10.0.0.1:6379: Connection refused\n"));
    }

    @Test
    void clusterInfoOkAndFailing() throws IOException {
        ClusterInfo ok = ClusterInfo.parse(fixture("cluster-info-ok.txt"));
        assertTrue(ok.isReply());
        assertEquals("ok", ok.state());
        assertEquals(3, ok.knownNodes());
        assertEquals(16384, ok.slotsAssigned());
        assertEquals(0, ok.slotsFailing());

        ClusterInfo failing = ClusterInfo.parse(fixture("cluster-info-fail.txt"));
        assertEquals("fail", failing.state());
        assertEquals(3, failing.knownNodes());
        assertEquals(5461, failing.slotsFailing());

        assertFalse(ClusterInfo.parse("ERR This instance has cluster support disabled").isReply());
    }

    @Test
    void toolsNameTheirDebianPackages() {
        assertEquals(List.of("redis-server (apt-get install redis-server)", "redis-cli (apt-get install redis-tools)",
                        "redis-benchmark (apt-get install redis-tools)", "sadc (apt-get install sysstat)"),
                redis.tools().stream().map(Object::toString).toList());
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = RedisTypeTest.class.getResourceAsStream("/fixtures/redis/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
