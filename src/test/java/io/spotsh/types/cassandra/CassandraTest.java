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
    void nodetoolStatusAndRingOfASaneRing() {
        // Cassandra 5.0.6, 3 local nodes, after the ycsb keyspace (RF 3): status shows Tokens 1 and Owns 100%
        NodetoolStatus status = NodetoolStatus.parse(fixture("cassandra/nodetool-3-un.txt"));
        assertEquals(List.of("127.100.0.3", "127.100.0.2", "127.100.0.1"),
                status.nodes().stream().map(NodetoolStatus.Node::address).toList());
        assertTrue(status.hasRing());
        // evenly spaced tokens from nodetool ring: a third each, whatever the Owns columns say
        status.nodes().forEach(n -> assertEquals(100.0 / 3, n.owns(), 1e-9, n.toString()));
        assertEquals(List.of(), status.problems(3, names(3)));
    }

    @Test
    void aNodeOwningFarFromItsShareIsAProblem() {
        // the real capture with node 3's token moved from 3074457345618258602 to 0: node 3 owns 1/6, node 1 1/2
        String skewed = moveToken3("0");
        List<Double> owns = NodetoolStatus.parse(skewed).nodes().stream().map(NodetoolStatus.Node::owns).toList();
        assertEquals(100.0 / 6, owns.get(0), 1e-9);
        assertEquals(100.0 / 3, owns.get(1), 1e-9);
        assertEquals(50.0, owns.get(2), 1e-9);
        assertEquals(List.of("data-3 (i-0d00003 127.100.0.3) owns 16.7% of the ring, not about 33.3%",
                "data-1 (i-0d00001 127.100.0.1) owns 50.0% of the ring, not about 33.3%"),
                NodetoolStatus.parse(skewed).problems(3, names(3)));
        // [0.8/N, 1.2/N] is about right: 40.5% and 26.1% are just outside, 35.6% and 31.0% inside
        assertEquals(List.of("data-3 (i-0d00003 127.100.0.3) owns 40.5% of the ring, not about 33.3%",
                "data-1 (i-0d00001 127.100.0.1) owns 26.1% of the ring, not about 33.3%"),
                NodetoolStatus.parse(moveToken3("4400000000000000000")).problems(3, names(3)));
        assertEquals(List.of(), NodetoolStatus.parse(moveToken3("3500000000000000000")).problems(3, names(3)));
    }

    private static String moveToken3(String token) {
        String real = fixture("cassandra/nodetool-3-un.txt");
        assertTrue(real.contains(" 3074457345618258602 "), real);
        return real.replace(" 3074457345618258602 ", " " + token + " ");
    }

    @Test
    void statusWithoutTheRingLeavesOwnershipUnknown() {
        String both = fixture("cassandra/nodetool-3-un.txt");
        NodetoolStatus status = NodetoolStatus.parse(both.substring(0, both.indexOf("\n\n")));
        assertFalse(status.hasRing());
        status.nodes().forEach(n -> assertEquals(null, n.owns(), n.toString()));
        assertEquals(List.of(), status.problems(3, names(3)), "status alone: the UN check, no share to judge");
        // a ring that lacks a node's token: that node has no share
        String noToken = both.replaceAll("(?m)^127\\.100\\.0\\.2 .*\\R", "");
        // (node 3's arc then starts at node 1's token: two thirds)
        assertEquals(List.of("data-3 (i-0d00003 127.100.0.3) owns 66.7% of the ring, not about 33.3%",
                "data-2 (i-0d00002 127.100.0.2) has no token in nodetool ring"), NodetoolStatus.parse(noToken).problems(3, names(3)));
    }

    @Test
    void nodetoolWithADownNode() {
        // node 1's view with data-2 stopped (Cassandra 5.0.6, after the run)
        NodetoolStatus status = NodetoolStatus.parse(fixture("cassandra/nodetool-3-dn.txt"));
        assertEquals(List.of("UN", "DN", "UN"), status.nodes().stream().map(NodetoolStatus.Node::code).toList());
        assertEquals(List.of("data-2 (i-0d00002 127.100.0.2): DN (down, normal)"), status.problems(3, names(3)));
        // the down node keeps its token: the shares still add up, a third each
        status.nodes().forEach(n -> assertEquals(100.0 / 3, n.owns(), 1e-9, n.toString()));
    }

    @Test
    void nodetoolWithNodesMissingFromTheRing() {
        NodetoolStatus status = NodetoolStatus.parse(fixture("cassandra/nodetool-3-un.txt"));
        assertEquals(List.of("3 of 5 nodes in the ring", "data-4 (i-0d00004 127.100.0.4) is not in the ring",
                "data-5 (i-0d00005 127.100.0.5) is not in the ring"), status.problems(5, names(5)));
        assertEquals(List.of("0 of 3 nodes in the ring"),
                NodetoolStatus.parse(fixture("cassandra/nodetool-starting.txt")).problems(3, Map.of()));
    }

    @Test
    void checkRunsNodetoolStatusAndRingOnEveryDataNode() {
        FakeCluster cluster = ring(3).answer(NodetoolStatus.COMMAND, fixture("cassandra/nodetool-3-un.txt"));
        Sanity sanity = cassandra.check(cluster);
        assertTrue(sanity.isOk(), sanity.toString());
        assertEquals("3 data nodes asked; sane means nodetool status on every data node lists 3 nodes, all UN, and"
                + " nodetool ring gives each about 1/3 of the token range", sanity.summary());
        assertEquals(3, cluster.ran.stream().filter(c -> c.endsWith(": " + NodetoolStatus.COMMAND)).count(), cluster.ran.toString());
    }

    @Test
    void checkNamesEachNodeThatIsNotUpNormal() {
        FakeCluster cluster = ring(3).answer(NodetoolStatus.COMMAND, fixture("cassandra/nodetool-3-dn.txt"));
        List<String> problems = cassandra.check(cluster).problems();
        assertTrue(problems.contains("as data-1 sees it: data-2 (i-0d00002 127.100.0.2): DN (down, normal)"), problems.toString());
        FakeCluster five = ring(5).answer(NodetoolStatus.COMMAND, fixture("cassandra/nodetool-3-un.txt"));
        assertEquals("as data-1 sees it: 3 of 5 nodes in the ring", cassandra.check(five).problems().get(0));
    }

    @Test
    void checkNamesEachNodeWhoseNodetoolFails() {
        FakeCluster cluster = ring(3).fail(NodetoolStatus.COMMAND, fixture("cassandra/nodetool-refused.txt"));
        assertEquals("data-1 (i-0d00001 127.100.0.1): nodetool failed: exit status 1: nodetool: Failed to"
                + " connect to '127.100.0.1:7199' - ConnectException: 'Connection refused'.",
                cassandra.check(cluster).problems().get(0));
        FakeCluster gone = ring(3).on("nodetool", m -> CannedResults.unreachable(m.name(), m.ip(), "connection timed out"));
        assertEquals("data-1 (i-0d00001 127.100.0.1): nodetool failed: connection timed out",
                cassandra.check(gone).problems().get(0));
        assertEquals(3, cassandra.check(gone).problems().size());
    }

    @Test
    void checkCountsRegisteredNodes() {
        Map<String, Integer> three = TestType.roles("data", 3, "client", 1);
        FakeCluster cluster = new FakeCluster(three, cassandra.params(three, Map.of())).nodes("data", 2, "127.100.0", 0)
                .nodes("client", 1, "127.100.0", 3).answer(NodetoolStatus.COMMAND, fixture("cassandra/nodetool-3-un.txt"));
        // the ring itself is whole: only the registration is short
        assertEquals(List.of("data: 2 of 3 nodes registered"), cassandra.check(cluster).problems());
        FakeCluster empty = new FakeCluster(SIX, Map.of());
        Sanity none = cassandra.check(empty);
        assertFalse(none.isOk());
        assertEquals(List.of("data: 0 of 6 nodes registered", "client: 0 of 2 nodes registered"), none.problems());
    }

    @Test
    void configureStartsTheRingAroundDataNodeOneAndCreatesTheTable() {
        FakeCluster cluster = ring(3).answer(NodetoolStatus.COMMAND, fixture("cassandra/nodetool-3-un.txt"));
        cassandra.configure(cluster);
        for (int n = 1; n <= 3; n++) {
            assertEquals(Cassandra.joinCommand("127.100.0.1"), cluster.commandsOn("data-" + n).get(0));
        }
        List<String> onSeed = cluster.commandsOn("data-1");
        assertEquals(List.of(Cassandra.joinCommand("127.100.0.1"), NodetoolStatus.COMMAND, Cassandra.schemaCommand(3)), onSeed);
        String cql = Cassandra.schemaCommand(3);
        assertTrue(cql.contains("CREATE KEYSPACE IF NOT EXISTS ycsb WITH replication = {'\\''class'\\'': '\\''SimpleStrategy'\\'', "
                + "'\\''replication_factor'\\'': 3}"), cql);
        assertTrue(cql.contains("CREATE TABLE IF NOT EXISTS ycsb.usertable (y_id varchar PRIMARY KEY, field0 varchar,"), cql);
        assertTrue(cql.contains("field9 varchar);"), cql);
        assertTrue(cluster.logged.get(cluster.logged.size() - 1).contains("3 nodes UN"), cluster.logged.toString());
    }

    @Test
    void configureWaitsForTheRingThenGivesUpNamingWhatIsWrong() {
        Cassandra quick = new Cassandra(Duration.ofMillis(200), Duration.ofMillis(20));
        FakeCluster cluster = ring(3).answer(NodetoolStatus.COMMAND, fixture("cassandra/nodetool-3-dn.txt"));
        TypeException e = assertThrows(TypeException.class, () -> quick.configure(cluster));
        assertTrue(e.getMessage().contains("did not settle")
                && e.getMessage().contains("data-2 (i-0d00002 127.100.0.2): DN (down, normal)"), e.getMessage());
        assertTrue(cluster.commandsOn("data-1").stream().filter(c -> c.equals(NodetoolStatus.COMMAND)).count() > 1,
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
        FakeCluster noTable = ring(3).answer(NodetoolStatus.COMMAND, fixture("cassandra/nodetool-3-un.txt"))
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
            // as EC2 receives it: gzipped once the text passes the limit (cloud-init unpacks it)
            int size = UserData.forEc2(script).length;
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
                "hints_directory: " + d + "/hints", "saved_caches_directory: " + d + "/saved_caches",
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
     * The join step as a local data node runs it, with a stand-in {@code cassandra} command that records its
     * arguments and writes a live process's pid: a node already running with the seed is left alone, any other
     * gets the seed and a (re)start.
     */
    @Test
    void joinRestartsOnlyANodeThatLacksTheSeed(@TempDir Path root) throws Exception {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path cassandraCommand = Files.writeString(bin.resolve("cassandra"),
                "#!/bin/sh\necho \"cassandra $*\" >>\"$SPOTSH_ROOT/cassandra.log\"\necho \"$RUNNING_PID\" >\"$2\"\n");
        Files.setPosixFilePermissions(cassandraCommand, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path roles = Files.createDirectories(root.resolve("opt/spotsh/roles"));
        Files.copy(Path.of("scripts/roles/cassandra-data.sh"), roles.resolve("cassandra-data.sh"));
        Path conf = Files.createDirectories(root.resolve("etc/cassandra"));
        Files.writeString(conf.resolve("cassandra.yaml"), fixture("cassandra/cassandra-excerpt.yaml"));
        // the "running Cassandra": a process of the test's own that the script only probes with kill -0
        Process running = new ProcessBuilder("sleep", "600").start();
        try {
            Map<String, String> env = new HashMap<>(Map.of("SPOTSH_ROOT", root.toString(), "SPOTSH_NODE_NUMBER", "2",
                    "SPOTSH_PARAM_DATANODES", "3", "SPOTSH_PARAM_CLUSTERNAME", "spotsh", "SPOTSH_PRIVATE_IP", "127.100.0.2",
                    "PATH", bin + ":/usr/bin:/bin", "RUNNING_PID", String.valueOf(running.pid())));
            TypeTests.Ran first = TypeTests.sh(env, "-c", Cassandra.joinCommand("127.100.0.1"));
            assertEquals(0, first.status(), first.stderr());
            String pidfile = root + "/var/run/cassandra/cassandra.pid";
            assertEquals("cassandra -p " + pidfile + "\n", Files.readString(root.resolve("cassandra.log")));
            String yaml = Files.readString(conf.resolve("cassandra.yaml"));
            assertTrue(yaml.contains("- seeds: \"127.100.0.1\"") && yaml.contains("initial_token: -3074457345618258603"), yaml);
            TypeTests.Ran again = TypeTests.sh(env, "-c", Cassandra.joinCommand("127.100.0.1"));
            assertEquals(0, again.status(), again.stderr());
            assertEquals("cassandra -p " + pidfile + "\n", Files.readString(root.resolve("cassandra.log")), "not started twice");
            assertTrue(running.isAlive(), "the running node was left alone");
        } finally {
            running.destroy();
        }
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
            names.put("127.100.0." + i, "data-" + i + " (i-0d0000" + i + " 127.100.0." + i + ")");
        }
        return names;
    }

    private FakeCluster ring(int n) {
        Map<String, Integer> sizing = cassandra.size(n, null, Map.of());
        return new FakeCluster(sizing, cassandra.params(sizing, Map.of())).nodes("data", n, "127.100.0", 0)
                .nodes("client", sizing.get("client"), "127.100.1", 0);
    }
}
