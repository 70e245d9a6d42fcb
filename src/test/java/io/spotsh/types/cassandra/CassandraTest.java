package io.spotsh.types.cassandra;

import io.spotsh.common.BadInput;
import io.spotsh.fanout.CannedResults;
import io.spotsh.node.UserData;
import io.spotsh.types.Member;
import io.spotsh.types.Sanity;
import io.spotsh.types.TestType;
import io.spotsh.types.Tool;
import io.spotsh.types.TypeException;
import io.spotsh.types.Workload;
import io.spotsh.types.ycsb.FakeCluster;
import io.spotsh.types.ycsb.TypeTests;
import io.spotsh.types.ycsb.Ycsb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.spotsh.types.ycsb.TypeTests.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sizing, parameters, ring maths, the sanity check on nodetool output, configure, and the role scripts. */
class CassandraTest {
    private static final Map<String, Integer> SIX = TestType.roles("data", 6, "client", 2);
    private final Cassandra cassandra = new Cassandra();

    @Test
    void oneClientPerThreeDataNodesUnlessGiven() {
        assertEquals(Map.of("data", 1, "client", 1), cassandra.size(1, null, Map.of()));
        assertEquals(Map.of("data", 6, "client", 2), cassandra.size(6, null, Map.of()));
        assertEquals(Map.of("data", 7, "client", 3), cassandra.size(7, null, Map.of()));
        assertEquals(Map.of("data", 300, "client", 100), cassandra.size(300, null, Map.of()));
        assertEquals(Map.of("data", 6, "client", 5), cassandra.size(6, 5, Map.of()));
        assertEquals(List.of("data", "client"), List.copyOf(cassandra.size(6, null, Map.of()).keySet()));
    }

    @Test
    void aRingNeedsADataNodeAndYcsbAClient() {
        BadInput none = assertThrows(BadInput.class, () -> cassandra.size(0, null, Map.of()));
        assertTrue(none.getMessage().contains("at least 1 data node"), none.getMessage());
        assertThrows(BadInput.class, () -> cassandra.size(-3, null, Map.of()));
        BadInput noClient = assertThrows(BadInput.class, () -> cassandra.size(6, 0, Map.of()));
        assertTrue(noClient.getMessage().contains("client"), noClient.getMessage());
    }

    @Test
    void theDatasetGrowsWithTheDataNodes() {
        Map<String, Object> six = cassandra.params(SIX, Map.of());
        assertEquals(Map.of("workload", "a", "recordcount", 6_000_000L, "operationcount", 6_000_000L, "threads", 48,
                "clientNodes", 2, "replicationFactor", 3, "consistency", "ONE", "clusterName", "spotsh", "dataNodes", 6), six);
        Map<String, Object> one = cassandra.params(Map.of("data", 1, "client", 1), Map.of());
        assertEquals(1, one.get("replicationFactor"));
        assertEquals(1_000_000L, one.get("recordcount"));
        assertEquals(16, one.get("threads"));
        Map<String, Object> big = cassandra.params(Map.of("data", 300, "client", 100), Map.of());
        assertEquals(300_000_000L, big.get("recordcount"));
        assertEquals(3, big.get("replicationFactor"));
        Map<String, Object> given = cassandra.params(SIX, Map.of("workload", "c", "recordcount", "2_000_000",
                "replicationFactor", 2, "consistency", "quorum", "clusterName", "perf ring"));
        assertEquals("c", given.get("workload"));
        assertEquals(2_000_000L, given.get("recordcount"), "kept as checked, not as written");
        assertEquals("QUORUM", given.get("consistency"));
        assertEquals(2, given.get("replicationFactor"));
        assertTrue(cassandra.workloads(given).get(1).command().contains("cassandra.readconsistencylevel=QUORUM"));
    }

    @Test
    void anUnknownOrBadParameterIsRefusedByName() {
        BadInput unknown = assertThrows(BadInput.class, () -> cassandra.params(SIX, Map.of("recordCount", 5)));
        assertTrue(unknown.getMessage().contains("no parameter 'recordCount'")
                && unknown.getMessage().contains("recordcount") && unknown.getMessage().contains("replicationFactor"),
                unknown.getMessage());
        BadInput rf = assertThrows(BadInput.class, () -> cassandra.params(SIX, Map.of("replicationFactor", 7)));
        assertTrue(rf.getMessage().contains("replicationFactor 7"), rf.getMessage());
        BadInput nodes = assertThrows(BadInput.class, () -> cassandra.params(SIX, Map.of("dataNodes", 5)));
        assertTrue(nodes.getMessage().contains("dataNodes follows the sizing (6 data nodes)"), nodes.getMessage());
        assertThrows(BadInput.class, () -> cassandra.params(SIX, Map.of("clientNodes", 1)));
        assertThrows(BadInput.class, () -> cassandra.params(SIX, Map.of("workload", "z")));
        assertThrows(BadInput.class, () -> cassandra.params(SIX, Map.of("threads", 0)));
        assertThrows(BadInput.class, () -> cassandra.params(SIX, Map.of("consistency", "MOST")));
        BadInput name = assertThrows(BadInput.class, () -> cassandra.params(SIX, Map.of("clusterName", "it's")));
        assertTrue(name.getMessage().contains("clusterName"), name.getMessage());
    }

    @Test
    void tokensAreTheClassicEvenlySpacedOnes() {
        assertEquals(new BigInteger("-9223372036854775808"), Tokens.token(1, 1));
        assertEquals(List.of(new BigInteger("-9223372036854775808"), new BigInteger("-4611686018427387904"),
                BigInteger.ZERO, new BigInteger("4611686018427387904")), tokens(4));
        assertEquals(List.of(new BigInteger("-9223372036854775808"), BigInteger.ZERO), tokens(2));
        assertEquals(new BigInteger("-3074457345618258604"), Tokens.token(3, 6));
        assertThrows(BadInput.class, () -> Tokens.token(0, 4));
        assertThrows(BadInput.class, () -> Tokens.token(5, 4));
        assertThrows(BadInput.class, () -> Tokens.token(1, 0));
    }

    @Test
    void tokensAreDistinctSortedInRangeAndEvenUpTo1000Nodes() {
        BigInteger max = BigInteger.ONE.shiftLeft(63);
        for (int n = 1; n <= 1000; n++) {
            List<BigInteger> t = tokens(n);
            assertEquals(Tokens.MIN, t.get(0));
            BigInteger arc = BigInteger.ONE.shiftLeft(64).divide(BigInteger.valueOf(n));
            for (int i = 1; i < n; i++) {
                assertEquals(arc, t.get(i).subtract(t.get(i - 1)), "arc " + i + " of " + n);
            }
            BigInteger last = t.get(n - 1);
            assertTrue(last.compareTo(max) < 0, "in range: " + n);
            // the last arc (to 2^63, wrapping) is longer by less than one token per node
            assertTrue(max.subtract(last).subtract(arc).compareTo(BigInteger.valueOf(n)) < 0, "even: " + n);
        }
    }

    /** The role script's token function, run by /bin/sh (dash: 64-bit signed arithmetic), equals the BigInteger maths. */
    @Test
    void theRoleScriptComputesTheSameTokens() throws IOException {
        String script = Files.readString(Path.of("scripts/roles/cassandra-data.sh"));
        int start = script.indexOf("token() {");
        String function = script.substring(start, script.indexOf("\n}\n", start) + 3);
        int[] sizes = {1, 2, 3, 4, 5, 6, 7, 10, 16, 99, 255, 256, 300, 997, 1000};
        StringBuilder loop = new StringBuilder(function);
        for (int n : sizes) {
            loop.append("i=1; while [ $i -le ").append(n).append(" ]; do token $i ").append(n)
                    .append("; i=$((i + 1)); done\n");
        }
        TypeTests.Ran ran = TypeTests.sh(Map.of(), "-c", loop.toString());
        assertEquals(0, ran.status(), ran.stderr());
        List<String> expected = new ArrayList<>();
        for (int n : sizes) {
            tokens(n).forEach(t -> expected.add(t.toString()));
        }
        assertEquals(expected, ran.stdout().lines().toList());
        // and through the script's own entry point
        for (int[] c : new int[][] {{1, 1}, {4, 4}, {3, 6}, {1000, 1000}}) {
            TypeTests.Ran one = TypeTests.sh(Map.of(), "scripts/roles/cassandra-data.sh", "token", "" + c[0], "" + c[1]);
            assertEquals(Tokens.token(c[0], c[1]).toString(), one.stdout().strip(), one.stderr());
        }
    }

    @Test
    void theSeedIsDataNodeOne() {
        List<Member> data = List.of(new Member("data", 3, "i-3", "10.0.1.13"), new Member("data", 1, "i-1", "10.0.1.11"),
                new Member("data", 2, "i-2", "10.0.1.12"));
        assertEquals("data-1", Cassandra.seed(data).name());
        assertEquals("data-2", Cassandra.seed(data.stream().filter(m -> m.number() != 1).toList()).name());
        assertThrows(TypeException.class, () -> Cassandra.seed(List.of()));
    }

    @Test
    void nodetoolStatusOfASaneRing() {
        NodetoolStatus status = NodetoolStatus.parse(fixture("cassandra/nodetool-status-6-un.txt"));
        assertEquals(6, status.nodes().size());
        assertEquals("10.0.1.11", status.nodes().get(0).address());
        assertEquals("10.0.1.16", status.nodes().get(5).address());
        // evenly spaced tokens: each node owns a sixth of the ring, whatever the Owns column says
        status.nodes().forEach(n -> assertEquals(100.0 / 6, n.owns(), 0.01, n.toString()));
        assertEquals(List.of(), status.problems(6, names(6)));
    }

    @Test
    void nodetoolStatusWithADownAndAJoiningNode() {
        NodetoolStatus status = NodetoolStatus.parse(fixture("cassandra/nodetool-status-dn-uj.txt"));
        assertEquals(List.of("UN", "UN", "UN", "DN", "UN", "UJ"), status.nodes().stream().map(NodetoolStatus.Node::code).toList());
        assertEquals(List.of("data-4 (10.0.1.14): DN (down, normal)", "data-6 (10.0.1.16): UJ (up, joining)"),
                status.problems(6, names(6)));
        Map<String, String> five = names(5);
        assertEquals(List.of("6 of 5 nodes in the ring", "data-4 (10.0.1.14): DN (down, normal)",
                "10.0.1.16 (no node of this test): UJ (up, joining)"), status.problems(5, five));
    }

    @Test
    void nodetoolStatusWithNodesMissingFromTheRing() {
        NodetoolStatus status = NodetoolStatus.parse(fixture("cassandra/nodetool-status-4-of-6.txt"));
        assertEquals(List.of("4 of 6 nodes in the ring", "data-5 (10.0.1.15) is not in the ring",
                "data-6 (10.0.1.16) is not in the ring"), status.problems(6, names(6)));
        assertEquals(List.of("0 of 6 nodes in the ring"),
                NodetoolStatus.parse("error: No nodes present in the cluster. Has this node finished starting up?\n")
                        .problems(6, Map.of()));
    }

    @Test
    void checkRunsNodetoolStatusOnEveryDataNode() {
        FakeCluster cluster = ring(6).answer("nodetool status", fixture("cassandra/nodetool-status-6-un.txt"));
        Sanity sanity = cassandra.check(cluster);
        assertTrue(sanity.isOk(), sanity.toString());
        assertEquals("6 data nodes asked; sane means nodetool status on every data node lists 6 nodes, all UN, each owning"
                + " about 1/6 of the ring", sanity.summary());
        assertEquals(6, cluster.ran.stream().filter(c -> c.endsWith(": nodetool status")).count(), cluster.ran.toString());
    }

    @Test
    void checkNamesEachNodeThatIsNotUpNormal() {
        FakeCluster cluster = ring(6).answer("nodetool status", fixture("cassandra/nodetool-status-dn-uj.txt"));
        List<String> problems = cassandra.check(cluster).problems();
        assertTrue(problems.contains("as data-1 sees it: data-4 (10.0.1.14): DN (down, normal)")
                && problems.contains("as data-1 sees it: data-6 (10.0.1.16): UJ (up, joining)"), problems.toString());
        FakeCluster short4 = ring(6).answer("nodetool status", fixture("cassandra/nodetool-status-4-of-6.txt"));
        assertEquals("as data-1 sees it: 4 of 6 nodes in the ring", cassandra.check(short4).problems().get(0));
    }

    @Test
    void checkNamesDataNodeOneWhenNodetoolFails() {
        FakeCluster cluster = ring(6).fail("nodetool status",
                "nodetool: Failed to connect to '127.0.0.1:7199' - ConnectException: 'Connection refused (Connection refused)'.\n");
        assertEquals("data-1 (i-0d00001 10.0.1.11): nodetool status failed: exit status 1: nodetool: Failed to"
                + " connect to '127.0.0.1:7199' - ConnectException: 'Connection refused (Connection refused)'.",
                cassandra.check(cluster).problems().get(0));
        FakeCluster gone = ring(6).on("nodetool", m -> CannedResults.unreachable(m.name(), m.ip(), "connection timed out"));
        assertEquals("data-1 (i-0d00001 10.0.1.11): nodetool status failed: connection timed out",
                cassandra.check(gone).problems().get(0));
        assertEquals(6, cassandra.check(gone).problems().size());
    }

    @Test
    void checkCountsRegisteredNodes() {
        FakeCluster cluster = new FakeCluster(SIX, cassandra.params(SIX, Map.of())).nodes("data", 5, "10.0.1", 10)
                .nodes("client", 2, "10.0.9", 10).answer("nodetool status", fixture("cassandra/nodetool-status-6-un.txt"));
        // the ring itself is whole: only the registration is short
        assertEquals(List.of("data: 5 of 6 nodes registered"), cassandra.check(cluster).problems());
        FakeCluster empty = new FakeCluster(SIX, Map.of());
        Sanity none = cassandra.check(empty);
        assertFalse(none.isOk());
        assertEquals(List.of("data: 0 of 6 nodes registered", "client: 0 of 2 nodes registered"), none.problems());
    }

    @Test
    void configureStartsTheRingAroundDataNodeOneAndCreatesTheTable() {
        FakeCluster cluster = ring(6).answer("nodetool status", fixture("cassandra/nodetool-status-6-un.txt"));
        cassandra.configure(cluster);
        for (int n = 1; n <= 6; n++) {
            assertEquals(Cassandra.joinCommand("10.0.1.11"), cluster.commandsOn("data-" + n).get(0));
        }
        List<String> onSeed = cluster.commandsOn("data-1");
        assertEquals(List.of(Cassandra.joinCommand("10.0.1.11"), "nodetool status", Cassandra.schemaCommand(3)), onSeed);
        String cql = Cassandra.schemaCommand(3);
        assertTrue(cql.contains("CREATE KEYSPACE IF NOT EXISTS ycsb WITH replication = {'\\''class'\\'': '\\''SimpleStrategy'\\'', "
                + "'\\''replication_factor'\\'': 3}"), cql);
        assertTrue(cql.contains("CREATE TABLE IF NOT EXISTS ycsb.usertable (y_id varchar PRIMARY KEY, field0 varchar,"), cql);
        assertTrue(cql.contains("field9 varchar);"), cql);
        assertTrue(cluster.logged.get(cluster.logged.size() - 1).contains("6 nodes UN"), cluster.logged.toString());
    }

    @Test
    void configureWaitsForTheRingThenGivesUpNamingWhatIsWrong() {
        Cassandra quick = new Cassandra(Duration.ofMillis(200), Duration.ofMillis(20));
        FakeCluster cluster = ring(6).answer("nodetool status", fixture("cassandra/nodetool-status-dn-uj.txt"));
        TypeException e = assertThrows(TypeException.class, () -> quick.configure(cluster));
        assertTrue(e.getMessage().contains("did not settle") && e.getMessage().contains("data-4 (10.0.1.14): DN (down, normal)"),
                e.getMessage());
        assertTrue(cluster.commandsOn("data-1").stream().filter(c -> c.equals("nodetool status")).count() > 1,
                "looked more than once: " + cluster.ran);
        assertTrue(cluster.commandsOn("data-1").stream().noneMatch(c -> c.contains("CREATE")), "no schema on a broken ring");
    }

    @Test
    void configureNeedsEveryNodeAndReportsFailedStarts() {
        FakeCluster missing = new FakeCluster(SIX, cassandra.params(SIX, Map.of())).nodes("data", 4, "10.0.1", 10)
                .nodes("client", 2, "10.0.9", 10);
        TypeException e = assertThrows(TypeException.class, () -> cassandra.configure(missing));
        assertTrue(e.getMessage().contains("data: 4 of 6 nodes registered"), e.getMessage());
        assertTrue(missing.ran.isEmpty());
        FakeCluster failing = ring(6).on("cassandra-data.sh\" restart", m -> m.number() == 3
                ? CannedResults.exit(m.name(), m.ip(), 1, "", "Job for cassandra.service failed.\n")
                : CannedResults.ok(m.name(), m.ip(), ""));
        TypeException start = assertThrows(TypeException.class, () -> cassandra.configure(failing));
        assertTrue(start.getMessage().contains("failed on 1 of 6 nodes: data-3: exit status 1: Job for cassandra.service failed."),
                start.getMessage());
        FakeCluster noTable = ring(6).answer("nodetool status", fixture("cassandra/nodetool-status-6-un.txt"))
                .fail("ycsb cql", "cql: Could not reach any contact point");
        TypeException cqlsh = assertThrows(TypeException.class, () -> cassandra.configure(noTable));
        assertTrue(cqlsh.getMessage().contains("data-1") && cqlsh.getMessage().contains("Could not reach"), cqlsh.getMessage());
    }

    @Test
    void workloadsLoadThenRunFromTheClients() {
        List<Workload> w = cassandra.workloads(cassandra.params(SIX, Map.of()));
        assertEquals(List.of("load", "run"), w.stream().map(Workload::name).toList());
        assertTrue(w.stream().allMatch(x -> x.role().equals("client")));
        assertTrue(w.get(0).command().contains("/bin/ycsb.sh\" load 'cassandra-cql'"), w.get(0).command());
        assertTrue(w.get(0).command().contains("-p \"hosts=$(echo $SPOTSH_DATA_IPS | tr ' ' ,)\""), w.get(0).command());
        assertTrue(w.get(1).command().contains("\" run 'cassandra-cql'") && w.get(1).command().contains("workloada"));
        assertEquals(Ycsb.parse(fixture("ycsb/run-workloada-cassandra.txt")),
                cassandra.parse(w.get(1), fixture("ycsb/run-workloada-cassandra.txt")));
    }

    @Test
    void toolsAndLogs() {
        List<String> commands = cassandra.tools().stream().map(Tool::command).toList();
        assertEquals(List.of("cassandra", "nodetool", "ycsb", "java", "sadc"), commands);
        assertEquals("cassandra", cassandra.tools().get(1).debianPackage());
        assertTrue(cassandra.tools().get(2).debianPackage().contains("baked into the AMI"));
        assertEquals(List.of("var/log/cassandra"), cassandra.logs());
    }

    /** Each role's boot script as EC2 gets it, for the largest test: under 16 KB, and valid dash. */
    @Test
    void roleScriptsRenderUnderTheUserdataLimit(@TempDir Path dir) throws IOException {
        Map<String, Object> params = cassandra.params(Map.of("data", 1000, "client", 334),
                Map.of("clusterName", "a 32 characters long clustername"));
        for (String role : List.of("data", "client")) {
            String script = TypeTests.render("cassandra", role, params);
            int size = script.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(size < UserData.MAX_BYTES, role + ": " + size + " bytes");
            assertTrue(script.contains("SPOTSH_PARAM_DATANODES='1000'"), script);
            Path file = Files.writeString(dir.resolve(role + ".sh"), script);
            TypeTests.Ran check = TypeTests.sh(Map.of(), "-n", file.toString());
            assertEquals(0, check.status(), check.stderr());
        }
        assertTrue(TypeTests.render("cassandra", "data", params).contains("initial_token: $(token"));
    }

    /** The role script's cassandra.yaml rewrite on an excerpt of the package's file: set once each, the rest kept. */
    @Test
    void theRoleScriptRewritesCassandraYaml(@TempDir Path root) throws IOException {
        Path conf = Files.createDirectories(root.resolve("etc/cassandra"));
        String original = fixture("cassandra/cassandra-excerpt.yaml");
        Files.writeString(conf.resolve("cassandra.yaml"), original);
        Path disk = Files.createDirectories(root.resolve("mnt/ephemeral0"));
        Files.createDirectories(root.resolve("etc/spotsh"));
        Files.writeString(root.resolve("etc/spotsh/disks"), "ephemeral0 " + disk + "\n");
        Map<String, String> env = new HashMap<>(Map.of("SPOTSH_ROOT", root.toString(), "SPOTSH_NODE_NUMBER", "3",
                "SPOTSH_PARAM_DATANODES", "6", "SPOTSH_PARAM_CLUSTERNAME", "spotsh", "SPOTSH_PRIVATE_IP", "10.0.1.13"));
        for (int pass = 0; pass < 2; pass++) {
            TypeTests.Ran ran = TypeTests.sh(env, "scripts/roles/cassandra-data.sh", "yaml", "10.0.1.11");
            assertEquals(0, ran.status(), ran.stderr());
        }
        String yaml = Files.readString(conf.resolve("cassandra.yaml"));
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String line : yaml.split("\n")) {
            if (line.matches("^[a-z_]+:.*")) {
                counts.merge(line.substring(0, line.indexOf(':')), 1, Integer::sum);
            }
        }
        assertTrue(counts.values().stream().allMatch(c -> c == 1), "each key once: " + counts);
        String d = disk + "/cassandra";
        for (String line : List.of("cluster_name: 'spotsh'", "num_tokens: 1", "initial_token: -3074457345618258604",
                "listen_address: 10.0.1.13", "rpc_address: 10.0.1.13", "auto_bootstrap: false",
                "data_file_directories:\n  - " + d + "/data", "commitlog_directory: " + d + "/commitlog",
                "seed_provider:\n  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n    parameters:\n"
                        + "      - seeds: \"10.0.1.11\"",
                "hints_directory: /var/lib/cassandra/hints", "saved_caches_directory: /var/lib/cassandra/saved_caches",
                // kept as the package had them
                "allocate_tokens_for_local_replication_factor: 3", "role_manager:\n  class_name: CassandraRoleManager\n"
                        + "  parameters:\n    # Controls how often", "concurrent_reads: 32", "key_cache_size:\n",
                "memtable:\n  configurations:\n    skiplist:", "endpoint_snitch: SimpleSnitch", "# initial_token:\n",
                "# Setting listen_address to 0.0.0.0 is always wrong.")) {
            assertTrue(yaml.contains(line), line + " in\n" + yaml);
        }
        assertFalse(yaml.contains("127.0.0.1:7000") || yaml.contains("/var/lib/cassandra/data")
                || yaml.contains("/var/lib/cassandra/commitlog") || yaml.contains("localhost"), yaml);
        assertTrue(Files.isDirectory(Path.of(d)), "data folder made on the disk");
    }

    /**
     * The join step as a data node runs it, with a stand-in {@code service}: a node already running with the seed
     * is left alone, any other gets the seed and a restart.
     */
    @Test
    void joinRestartsOnlyANodeThatLacksTheSeed(@TempDir Path root) throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path service = Files.writeString(bin.resolve("service"),
                "#!/bin/sh\necho \"$*\" >>\"$SPOTSH_ROOT/service.log\"\n[ \"$2\" != status ] || [ -n \"$RUNNING\" ]\n");
        Files.setPosixFilePermissions(service, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path roles = Files.createDirectories(root.resolve("opt/spotsh/roles"));
        Files.copy(Path.of("scripts/roles/cassandra-data.sh"), roles.resolve("cassandra-data.sh"));
        Path conf = Files.createDirectories(root.resolve("etc/cassandra"));
        Files.writeString(conf.resolve("cassandra.yaml"), fixture("cassandra/cassandra-excerpt.yaml"));
        Map<String, String> env = new HashMap<>(Map.of("SPOTSH_ROOT", root.toString(), "SPOTSH_NODE_NUMBER", "2",
                "SPOTSH_PARAM_DATANODES", "3", "SPOTSH_PARAM_CLUSTERNAME", "spotsh", "SPOTSH_PRIVATE_IP", "10.0.1.12",
                "PATH", bin + ":/usr/bin:/bin"));
        TypeTests.Ran first = TypeTests.sh(env, "-c", Cassandra.joinCommand("10.0.1.11"));
        assertEquals(0, first.status(), first.stderr());
        assertEquals("cassandra restart\n", Files.readString(root.resolve("service.log")));
        assertTrue(Files.readString(conf.resolve("cassandra.yaml")).contains("- seeds: \"10.0.1.11\""));
        assertTrue(Files.readString(conf.resolve("cassandra.yaml")).contains("initial_token: -3074457345618258603"));
        env.put("RUNNING", "1");
        TypeTests.Ran again = TypeTests.sh(env, "-c", Cassandra.joinCommand("10.0.1.11"));
        assertEquals(0, again.status(), again.stderr());
        assertEquals("cassandra restart\ncassandra status\n", Files.readString(root.resolve("service.log")));
    }

    private static List<BigInteger> tokens(int n) {
        List<BigInteger> t = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            t.add(Tokens.token(i, n));
        }
        return t;
    }

    private static Map<String, String> names(int n) {
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            names.put("10.0.1." + (10 + i), "data-" + i);
        }
        return names;
    }

    private FakeCluster ring(int n) {
        Map<String, Integer> sizing = cassandra.size(n, null, Map.of());
        return new FakeCluster(sizing, cassandra.params(sizing, Map.of())).nodes("data", n, "10.0.1", 10)
                .nodes("client", sizing.get("client"), "10.0.9", 10);
    }
}
