package io.spotsh.types.mongodb;

import io.spotsh.common.BadInput;
import io.spotsh.fanout.CannedResults;
import io.spotsh.node.UserData;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.spotsh.types.ycsb.TypeTests.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sizing, topology, the listShards check, configure's commands and the role scripts of the mongodb type. */
class MongoDbTest {
    private final MongoDb mongo = new MongoDb();

    @Test
    void configServersDataNodesAndAClientPerFourDataNodes() {
        assertEquals(List.of("config", "data", "client"), List.copyOf(mongo.size(6, null, Map.of()).keySet()));
        assertEquals(Map.of("config", 1, "data", 1, "client", 1), mongo.size(1, null, Map.of()));
        assertEquals(Map.of("config", 1, "data", 2, "client", 1), mongo.size(2, null, Map.of()));
        assertEquals(Map.of("config", 3, "data", 3, "client", 1), mongo.size(3, null, Map.of()));
        assertEquals(Map.of("config", 3, "data", 6, "client", 2), mongo.size(6, null, Map.of()));
        assertEquals(Map.of("config", 3, "data", 300, "client", 75), mongo.size(300, null, Map.of()));
        assertEquals(Map.of("config", 3, "data", 6, "client", 4), mongo.size(6, 4, Map.of()));
        assertEquals(Map.of("config", 3, "data", 6, "client", 2), mongo.size(6, null, Map.of("replicas", 3)));
    }

    @Test
    void refusesSizesItCannotBuild() {
        BadInput none = assertThrows(BadInput.class, () -> mongo.size(0, null, Map.of()));
        assertTrue(none.getMessage().contains("at least 1 data node"), none.getMessage());
        BadInput split = assertThrows(BadInput.class, () -> mongo.size(7, null, Map.of("replicas", 3)));
        assertEquals("type mongodb: 7 data nodes do not split into replica sets of 3 (dataNodes must be a multiple"
                + " of replicas)", split.getMessage());
        assertThrows(BadInput.class, () -> mongo.size(6, 0, Map.of()));
        assertThrows(BadInput.class, () -> mongo.size(6, null, Map.of("replicas", 0)));
    }

    @Test
    void paramsDefaultsAndRefusals() {
        Map<String, Integer> six = TestType.roles("config", 3, "data", 6, "client", 2);
        assertEquals(Map.of("replicas", 1, "workload", "a", "recordcount", 6_000_000L, "operationcount", 6_000_000L,
                "threads", 48, "clientNodes", 2), mongo.params(six, Map.of()));
        assertEquals(2, mongo.params(six, Map.of("replicas", 2)).get("replicas"));
        BadInput unknown = assertThrows(BadInput.class, () -> mongo.params(six, Map.of("replica", 2)));
        assertTrue(unknown.getMessage().contains("no parameter 'replica'") && unknown.getMessage().contains("replicas"),
                unknown.getMessage());
        BadInput split = assertThrows(BadInput.class, () -> mongo.params(six, Map.of("replicas", 4)));
        assertTrue(split.getMessage().contains("multiple of replicas"), split.getMessage());
        assertThrows(BadInput.class, () -> mongo.params(six, Map.of("workload", "x")));
        assertThrows(BadInput.class, () -> mongo.params(six, Map.of("recordcount", 0)));
        assertThrows(BadInput.class, () -> mongo.params(six, Map.of("clientNodes", 3)));
        // the data role's shell arithmetic takes SPOTSH_PARAM_REPLICAS: 2, never 2.0
        Map<String, Object> decimal = mongo.params(six, Map.of("replicas", 2.0, "threads", "32.0", "workload", " b "));
        assertEquals(2, decimal.get("replicas"));
        assertEquals(32, decimal.get("threads"));
        assertEquals("b", decimal.get("workload"));
        BadInput half = assertThrows(BadInput.class, () -> mongo.size(6, null, Map.of("replicas", 1.5)));
        assertTrue(half.getMessage().contains("test type mongodb parameter replicas must be a whole number, was 1.5"),
                half.getMessage());
    }

    @Test
    void shardsAreConsecutiveDataNodes() {
        Topology t = new Topology(6, 2);
        assertEquals(3, t.shards());
        assertEquals(List.of(1, 1, 2, 2, 3, 3), List.of(t.shardOf(1), t.shardOf(2), t.shardOf(3), t.shardOf(4),
                t.shardOf(5), t.shardOf(6)));
        assertEquals(List.of(3, 4), t.members(2));
        Map<Integer, String> ips = Map.of(1, "10.0.2.11", 2, "10.0.2.12", 3, "10.0.2.13", 4, "10.0.2.14",
                5, "10.0.2.15", 6, "10.0.2.16");
        assertEquals("shard2/10.0.2.13:27018,10.0.2.14:27018", t.shardHost(2, ips));
        Topology single = new Topology(300, 1);
        assertEquals(300, single.shards());
        assertEquals(300, single.shardOf(300));
        assertEquals(List.of(7), single.members(7));
        Topology three = new Topology(9, 3);
        assertEquals(List.of(7, 8, 9), three.members(3));
        assertEquals(3, three.shardOf(7));
        assertThrows(IllegalArgumentException.class, () -> three.shardOf(10));
        assertThrows(BadInput.class, () -> new Topology(10, 3));
        assertEquals("cfg/10.0.3.11:27019,10.0.3.12:27019,10.0.3.13:27019",
                Topology.configDb(List.of("10.0.3.11", "10.0.3.12", "10.0.3.13")));
        assertEquals(List.of(1, 1, 3, 3), List.of(Topology.configServers(1), Topology.configServers(2),
                Topology.configServers(3), Topology.configServers(1000)));
    }

    /** The role script's shard: the same arithmetic in dash, for every node of a few layouts. */
    @Test
    void theDataRoleScriptJoinsItsShardsReplicaSet(@TempDir Path root) throws IOException {
        Path bin = fakeBin(root, "mongod", "systemctl");
        for (int[] layout : new int[][] {{6, 1}, {6, 2}, {9, 3}}) {
            Topology t = new Topology(layout[0], layout[1]);
            for (int node = 1; node <= layout[0]; node++) {
                Map<String, String> env = env(root, bin, node);
                env.put("SPOTSH_PARAM_REPLICAS", String.valueOf(layout[1]));
                env.put("SPOTSH_ROLE", "data");
                TypeTests.Ran ran = TypeTests.sh(env, "scripts/roles/mongodb.sh");
                assertEquals(0, ran.status(), ran.stderr());
                String conf = Files.readString(root.resolve("etc/mongodb/mongod.conf"));
                assertTrue(conf.contains("  replSetName: " + Topology.shardName(t.shardOf(node)) + "\n"), conf);
                assertTrue(conf.contains("  clusterRole: shardsvr\n") && conf.contains("  port: 27018\n"), conf);
                assertTrue(conf.contains("  bindIp: 127.0.0.1,10.0.2." + (10 + node) + "\n"), conf);
                assertTrue(conf.contains("  dbPath: " + root + "/var/lib/spotsh/mongodb\n"), conf);
                assertTrue(Files.readString(root.resolve("mongod.args")).contains("--config " + root + "/etc/mongodb/mongod.conf"));
            }
        }
        Map<String, String> configEnv = env(root, bin, 2);
        configEnv.put("SPOTSH_ROLE", "config");
        TypeTests.Ran config = TypeTests.sh(configEnv, "scripts/roles/mongodb.sh");
        assertEquals(0, config.status(), config.stderr());
        String conf = Files.readString(root.resolve("etc/mongodb/mongod.conf"));
        assertTrue(conf.contains("  replSetName: cfg\n") && conf.contains("  clusterRole: configsvr\n")
                && conf.contains("  port: 27019\n") && conf.contains("  fork: true\n"), conf);
    }

    @Test
    void listShardsReplies() {
        ListShards three = ListShards.parse(fixture("mongodb/listshards-3.json"));
        assertTrue(three.ok());
        assertEquals(List.of(new ListShards.Shard("shard1", "shard1/10.0.2.11:27018,10.0.2.12:27018", false),
                new ListShards.Shard("shard2", "shard2/10.0.2.13:27018,10.0.2.14:27018", false),
                new ListShards.Shard("shard3", "shard3/10.0.2.15:27018,10.0.2.16:27018", false)), three.shards());
        assertEquals(List.of(), three.problems(new Topology(6, 2)));
        assertEquals(List.of("3 of 4 shards in the cluster", "shard4 (data-7, data-8) is missing"),
                three.problems(new Topology(8, 2)));
        assertEquals(List.of("3 of 2 shards in the cluster", "shard3 (shard3/10.0.2.15:27018,10.0.2.16:27018) is no"
                + " shard of this test"), three.problems(new Topology(4, 2)));

        ListShards error = ListShards.parse(fixture("mongodb/listshards-error.json"));
        assertFalse(error.ok());
        assertEquals(List.of("listShards failed: Could not find host matching read preference { mode: \"nearest\" }"
                + " for set cfg (FailedToSatisfyReadPreference)"), error.problems(new Topology(6, 2)));
        ListShards raw = ListShards.parse(fixture("mongodb/listshards-error-not-mongos.json"));
        assertEquals(List.of("listShards failed: no such command: 'listShards' (CommandNotFound)"),
                raw.problems(new Topology(6, 2)));
        ListShards draining = ListShards.parse("{\"shards\":[{\"_id\":\"shard1\",\"host\":\"shard1/a:27018\",\"draining\":true}],\"ok\":1}");
        assertEquals(List.of("shard1 is draining"), draining.problems(new Topology(1, 1)));
        assertThrows(TypeException.class, () -> ListShards.parse("MongoServerSelectionError: connect ECONNREFUSED\n"));
        assertThrows(TypeException.class, () -> ListShards.parse("{\"shards\": [\n"));
    }

    @Test
    void checkAsksClientOnesMongos() {
        FakeCluster cluster = cluster(6, 2).answer("listShards", fixture("mongodb/listshards-3.json"));
        Sanity sanity = mongo.check(cluster);
        assertTrue(sanity.isOk(), sanity.toString());
        assertEquals("6 data nodes in 3 shards of 2 asked; sane means listShards on client-1's mongos lists"
                + " shard1..shard3", sanity.summary());
        assertEquals(List.of("client-1: " + MongoDb.LIST_SHARDS), cluster.ran);
        assertTrue(MongoDb.LIST_SHARDS.startsWith("mongosh --quiet --port 27017 --eval "), MongoDb.LIST_SHARDS);
        assertTrue(MongoDb.LIST_SHARDS.contains("JSON.stringify(r)") && MongoDb.LIST_SHARDS.contains("listShards: 1"));
    }

    @Test
    void checkListsMissingShardsAndFailures() {
        FakeCluster short4 = cluster(8, 2).answer("listShards", fixture("mongodb/listshards-3.json"));
        assertEquals(List.of("client-1 (i-0c00001 10.0.9.11) mongos: 3 of 4 shards in the cluster",
                "client-1 (i-0c00001 10.0.9.11) mongos: shard4 (data-7, data-8) is missing"), mongo.check(short4).problems());
        FakeCluster error = cluster(6, 2).answer("listShards", fixture("mongodb/listshards-error.json"));
        assertEquals(List.of("client-1 (i-0c00001 10.0.9.11) mongos: listShards failed: Could not find host matching"
                + " read preference { mode: \"nearest\" } for set cfg (FailedToSatisfyReadPreference)"),
                mongo.check(error).problems());
        FakeCluster down = cluster(6, 2).fail("listShards",
                "MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27017\n");
        assertEquals(List.of("client-1 (i-0c00001 10.0.9.11): mongosh on its mongos failed: exit status 1:"
                + " MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27017"), mongo.check(down).problems());
        FakeCluster garbage = cluster(6, 2).answer("listShards", "Warning: something odd\n");
        assertEquals(List.of("client-1 (i-0c00001 10.0.9.11): mongosh printed no listShards reply: Warning: something odd"),
                mongo.check(garbage).problems());
        Map<String, Integer> sizing = mongo.size(6, null, Map.of());
        FakeCluster noClient = new FakeCluster(sizing, mongo.params(sizing, Map.of())).nodes("config", 3, "10.0.3", 10)
                .nodes("data", 6, "10.0.2", 10);
        assertEquals(List.of("client: 0 of 2 nodes registered", "client: no node registered, so no mongos to ask"),
                mongo.check(noClient).problems());
    }

    @Test
    void configureBuildsTheClusterStepByStep() {
        FakeCluster cluster = cluster(6, 2);
        mongo.configure(cluster);
        List<String> onConfig1 = cluster.commandsOn("config-1");
        assertEquals(1, onConfig1.size());
        assertTrue(onConfig1.get(0).startsWith("RS=cfg MEMBERS=10.0.3.11:27019,10.0.3.12:27019,10.0.3.13:27019"
                + " mongosh --quiet --port 27019 --eval "), onConfig1.get(0));
        assertTrue(cluster.commandsOn("config-2").isEmpty());
        String shards = MongoDb.initiateShards(new Topology(6, 2), ips(6));
        for (String first : List.of("data-1", "data-3", "data-5")) {
            assertEquals(List.of(shards), cluster.commandsOn(first));
        }
        for (String other : List.of("data-2", "data-4", "data-6")) {
            assertTrue(cluster.commandsOn(other).isEmpty(), other);
        }
        String mongos = MongoDb.CLIENT_SCRIPT + " mongos cfg/10.0.3.11:27019,10.0.3.12:27019,10.0.3.13:27019";
        assertEquals(mongos, cluster.commandsOn("client-2").get(0));
        List<String> onClient1 = cluster.commandsOn("client-1");
        assertEquals(mongos, onClient1.get(0));
        assertTrue(onClient1.get(1).startsWith("SHARDS='shard1/10.0.2.11:27018,10.0.2.12:27018"
                + " shard2/10.0.2.13:27018,10.0.2.14:27018 shard3/10.0.2.15:27018,10.0.2.16:27018'"
                + " mongosh --quiet --port 27017 --eval "), onClient1.get(1));
        assertTrue(onClient1.get(1).contains("sh.shardCollection(") && onClient1.get(1).contains("_id: '\\''hashed'\\''"));
        // the order matters: config set, shard sets, routers, shards added
        List<String> order = cluster.ran.stream().map(r -> r.substring(0, r.indexOf(':'))).distinct().toList();
        assertEquals(List.of("config-1", "data-1", "data-3", "data-5", "client-1", "client-2"), order);
        assertTrue(cluster.logged.get(cluster.logged.size() - 1).contains("3 shards behind 2 mongos"), cluster.logged.toString());
    }

    /** Each shard's first member picks its replica set and members by node number: the command run by /bin/sh. */
    @Test
    void eachFirstMemberInitiatesItsOwnShard(@TempDir Path root) throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path mongosh = Files.writeString(bin.resolve("mongosh"), "#!/bin/sh\necho \"$RS $MEMBERS\"\n");
        Files.setPosixFilePermissions(mongosh, PosixFilePermissions.fromString("rwxr-xr-x"));
        String command = MongoDb.initiateShards(new Topology(9, 3), ips(9));
        Map<Integer, String> expected = Map.of(1, "shard1 10.0.2.11:27018,10.0.2.12:27018,10.0.2.13:27018",
                4, "shard2 10.0.2.14:27018,10.0.2.15:27018,10.0.2.16:27018",
                7, "shard3 10.0.2.17:27018,10.0.2.18:27018,10.0.2.19:27018");
        for (Map.Entry<Integer, String> e : expected.entrySet()) {
            TypeTests.Ran ran = TypeTests.sh(Map.of("PATH", bin + ":/usr/bin:/bin", "SPOTSH_NODE_NUMBER", "" + e.getKey()),
                    "-c", command);
            assertEquals(0, ran.status(), ran.stderr());
            assertEquals(e.getValue(), ran.stdout().strip());
        }
        TypeTests.Ran other = TypeTests.sh(Map.of("PATH", bin + ":/usr/bin:/bin", "SPOTSH_NODE_NUMBER", "2"), "-c", command);
        assertEquals(1, other.status());
        assertTrue(other.stderr().contains("data node 2 is no shard's first member"), other.stderr());
    }

    @Test
    void configureNeedsEveryNodeAndNamesWhatFailed() {
        Map<String, Integer> sizing = mongo.size(6, null, Map.of());
        FakeCluster missing = new FakeCluster(sizing, mongo.params(sizing, Map.of())).nodes("config", 2, "10.0.3", 10)
                .nodes("data", 6, "10.0.2", 10).nodes("client", 2, "10.0.9", 10);
        TypeException e = assertThrows(TypeException.class, () -> mongo.configure(missing));
        assertTrue(e.getMessage().contains("config: 2 of 3 nodes registered"), e.getMessage());
        FakeCluster cfg = cluster(6, 2).fail("RS=cfg", "MongoServerError: replSetInitiate quorum check failed\n");
        TypeException initiate = assertThrows(TypeException.class, () -> mongo.configure(cfg));
        assertTrue(initiate.getMessage().contains("replica set cfg on config-1") && initiate.getMessage().contains("quorum check"),
                initiate.getMessage());
        FakeCluster shard = cluster(6, 2).on("case $SPOTSH_NODE_NUMBER", m -> m.number() == 3
                ? CannedResults.exit(m.name(), m.ip(), 1, "", "Error: shard2: no primary after 120 s\n")
                : CannedResults.ok(m.name(), m.ip(), ""));
        TypeException shards = assertThrows(TypeException.class, () -> mongo.configure(shard));
        assertTrue(shards.getMessage().contains("failed on 1 of 3 nodes: data-3: exit status 1: Error: shard2: no primary"),
                shards.getMessage());
        FakeCluster add = cluster(6, 2).fail("SHARDS=", "MongoServerError: Cannot add shard2/10.0.2.13:27018\n");
        TypeException added = assertThrows(TypeException.class, () -> mongo.configure(add));
        assertTrue(added.getMessage().contains("client-1") && added.getMessage().contains("Cannot add"), added.getMessage());
    }

    @Test
    void workloadsUseTheLocalMongos() {
        Map<String, Integer> sizing = mongo.size(6, null, Map.of());
        List<Workload> w = mongo.workloads(mongo.params(sizing, Map.of()));
        assertEquals(List.of("load", "run"), w.stream().map(Workload::name).toList());
        assertTrue(w.stream().allMatch(x -> x.role().equals("client")));
        for (Workload x : w) {
            assertTrue(x.command().contains(" 'mongodb' -s -P ") && x.command().contains(
                    "-p 'mongodb.url=mongodb://localhost:27017/ycsb'") && !x.command().contains("hosts="), x.command());
        }
        assertEquals(Ycsb.parse(fixture("ycsb/run-workloada-mongodb.txt")),
                mongo.parse(w.get(1), fixture("ycsb/run-workloada-mongodb.txt")));
    }

    @Test
    void toolsAndLogs() {
        assertEquals(List.of("mongod mongodb-org-server", "mongos mongodb-org-mongos", "mongosh mongodb-mongosh"),
                mongo.tools().subList(0, 3).stream().map(t -> t.command() + " " + t.debianPackage()).toList());
        assertTrue(mongo.tools().contains(Tool.SADC) && mongo.tools().contains(Ycsb.TOOL));
        assertEquals(List.of("var/log/mongodb"), mongo.logs());
    }

    @Test
    void roleScriptsRenderUnderTheUserdataLimit(@TempDir Path dir) throws IOException {
        Map<String, Integer> sizing = mongo.size(999, null, Map.of("replicas", 3));
        Map<String, Object> params = mongo.params(sizing, Map.of("replicas", 3));
        for (String role : List.of("config", "data", "client")) {
            String script = TypeTests.render("mongodb", role, params);
            int size = UserData.forEc2(script).length; // gzipped when longer than EC2 takes as it is
            assertTrue(size < UserData.MAX_BYTES, role + ": " + size + " bytes sent");
            Path file = Files.writeString(dir.resolve(role + ".sh"), script);
            TypeTests.Ran check = TypeTests.sh(Map.of(), "-n", file.toString());
            assertEquals(0, check.status(), check.stderr());
        }
        assertTrue(TypeTests.render("mongodb", "data", params).contains("SPOTSH_PARAM_REPLICAS='3'"));
    }

    /** mongos is written for the config servers spotsh gives, as 'mongodb-client.sh mongos' does in configure. */
    @Test
    void theClientRoleScriptStartsMongosForTheConfigServers(@TempDir Path root) throws IOException {
        Path bin = fakeBin(root, "mongos");
        Map<String, String> env = env(root, bin, 1);
        TypeTests.Ran ran = TypeTests.sh(env, "scripts/roles/mongodb-client.sh", "mongos", "cfg/10.0.3.11:27019");
        assertEquals(0, ran.status(), ran.stderr());
        String conf = Files.readString(root.resolve("etc/mongodb/mongos.conf"));
        assertTrue(conf.contains("sharding:\n  configDB: cfg/10.0.3.11:27019\n") && conf.contains("  port: 27017\n")
                && conf.contains("  pidFilePath: " + root + "/var/lib/spotsh/mongos.pid\n"), conf);
        assertEquals("--config " + root + "/etc/mongodb/mongos.conf\n", Files.readString(root.resolve("mongos.args")));
        // at boot, without YCSB, the client fails now rather than in the middle of the test
        TypeTests.Ran boot = TypeTests.sh(Map.of("PATH", bin + ":/usr/bin:/bin", "SPOTSH_ROOT", root.toString(),
                "YCSB_HOME", root.resolve("no-ycsb").toString()), "scripts/roles/mongodb-client.sh");
        assertEquals(1, boot.status());
    }

    private static Map<Integer, String> ips(int n) {
        Map<Integer, String> ips = new HashMap<>();
        for (int i = 1; i <= n; i++) {
            ips.put(i, "10.0.2." + (10 + i));
        }
        return ips;
    }

    private static Map<String, String> env(Path root, Path bin, int node) {
        return new HashMap<>(Map.of("PATH", bin + ":/usr/bin:/bin", "SPOTSH_ROOT", root.toString(),
                "SPOTSH_NODE_NUMBER", String.valueOf(node), "SPOTSH_PRIVATE_IP", "10.0.2." + (10 + node)));
    }

    /** Stand-ins that record their arguments in {@code <root>/<name>.args} and succeed. */
    private static Path fakeBin(Path root, String... names) throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        for (String name : names) {
            Path f = Files.writeString(bin.resolve(name), "#!/bin/sh\necho \"$*\" >\"$SPOTSH_ROOT/" + name + ".args\"\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    private FakeCluster cluster(int data, int replicas) {
        Map<String, Integer> sizing = mongo.size(data, null, Map.of("replicas", replicas));
        return new FakeCluster(sizing, mongo.params(sizing, Map.of("replicas", replicas)))
                .nodes("config", sizing.get("config"), "10.0.3", 10).nodes("data", data, "10.0.2", 10)
                .nodes("client", sizing.get("client"), "10.0.9", 10);
    }
}
