package io.spotsh.types.mongodb;

import io.spotsh.common.BadInput;
import io.spotsh.common.ShellQuote;
import io.spotsh.fanout.NodeResult;
import io.spotsh.types.Member;
import io.spotsh.types.Members;
import io.spotsh.types.Metric;
import io.spotsh.types.Params;
import io.spotsh.types.Sanity;
import io.spotsh.types.TestCluster;
import io.spotsh.types.TestType;
import io.spotsh.types.Tool;
import io.spotsh.types.TypeException;
import io.spotsh.types.Workload;
import io.spotsh.types.ycsb.Ycsb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The {@code mongodb} test: a sharded MongoDB cluster loaded and run by YCSB's {@code mongodb} binding.
 *
 * <ul>
 * <li>Roles ({@link Topology}): {@code config}, the config servers' replica set {@code cfg} (3, or 1 below three
 *     data nodes); {@code data}, N shard servers in replica sets of {@code replicas} (default 1), shard k being
 *     data nodes (k-1)*replicas+1..k*replicas; {@code client}, one per four data nodes, each running YCSB against
 *     its own mongos on localhost.</li>
 * <li>Boot ({@code scripts/roles/mongodb-*.sh}): config and data nodes start their mongod in their replica set
 *     (a data node knows its shard from its number); clients only check their tools, as they cannot know the
 *     config servers' addresses yet.</li>
 * <li>Configure, each step a no-op when already done: initiate {@code cfg} on config-1 and each shard's replica
 *     set on its first member, start mongos on every client pointed at the config servers, add the missing
 *     shards through client-1's mongos and shard {@code ycsb.usertable} on a hashed {@code _id}.</li>
 * <li>Sane: {@code listShards} on client-1's mongos lists exactly shard1..shardK.</li>
 * </ul>
 */
public final class MongoDb implements TestType {
    static final String NAME = "mongodb";
    static final long RECORDS_PER_DATA_NODE = 1_000_000;
    static final String CLIENT_SCRIPT = "sh \"$SPOTSH_ROOT/opt/spotsh/roles/mongodb-client.sh\"";
    static final String YCSB_URL = "mongodb://localhost:" + Topology.MONGOS_PORT + "/ycsb";

    /**
     * listShards through the local mongos. mongosh throws on a reply with {@code ok: 0} (where the old mongo
     * shell returned it), so the error is turned back into such a reply: one JSON line either way.
     */
    static final String LIST_SHARDS = "mongosh --quiet --port " + Topology.MONGOS_PORT + " --eval " + ShellQuote.quote(
            "let r; try { r = db.adminCommand({listShards: 1}); } "
                    + "catch (e) { r = {ok: 0, errmsg: e.message, codeName: e.codeName}; } print(JSON.stringify(r));");

    /** Initiates the replica set RS of MEMBERS (host:port,...) unless it is, then waits for its primary. */
    static final String INITIATE = """
            const members = process.env.MEMBERS.split(',').map((host, i) => ({_id: i, host: host}));
            try { rs.status(); } catch (e) {
              if (e.codeName !== 'NotYetInitialized') throw e;
              rs.initiate({_id: process.env.RS, configsvr: process.env.RS === 'cfg', members: members});
            }
            for (let i = 0; !db.hello().primary; i++) {
              if (i >= 120) throw new Error(process.env.RS + ': no primary after 120 s');
              sleep(1000);
            }
            print(process.env.RS + ': primary ' + db.hello().primary);""";

    /** Adds the shards of SHARDS (space-separated addShard hosts) a mongos lacks, then shards YCSB's collection. */
    static final String ADD_SHARDS = """
            let have = null;
            for (let i = 0; have === null; i++) {
              try { have = db.adminCommand({listShards: 1}).shards.map(s => s._id); }
              catch (e) { if (i >= 120) throw e; sleep(1000); }
            }
            for (const host of process.env.SHARDS.split(' ')) {
              if (!have.includes(host.split('/')[0])) sh.addShard(host);
            }
            try { sh.enableSharding('ycsb'); } catch (e) { if (e.codeName !== 'AlreadyInitialized') throw e; }
            if (!db.getSiblingDB('config').collections.findOne({_id: 'ycsb.usertable'})) {
              sh.shardCollection('ycsb.usertable', {_id: 'hashed'});
            }
            print('shards: ' + db.adminCommand({listShards: 1}).shards.length);""";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "sharded MongoDB (config replica set, shard replica sets, mongos on the clients), YCSB mongodb binding";
    }

    @Override
    public Map<String, Integer> size(int dataNodes, Integer clientNodes, Map<String, Object> params) {
        int replicas = params != null && params.get("replicas") != null ? Params.integer(NAME, params, "replicas", 1) : 1;
        new Topology(dataNodes, replicas);
        int clients = clientNodes != null ? clientNodes : Topology.clients(dataNodes);
        if (clients < 1) {
            throw new BadInput("type mongodb needs at least 1 client node to run mongos and YCSB, was " + clients);
        }
        return TestType.roles("config", Topology.configServers(dataNodes), "data", dataNodes, "client", clients);
    }

    /**
     * {@code replicas} 1, {@code recordcount} and {@code operationcount} 1,000,000 per data node, workload
     * {@code a}; {@code clientNodes} follows the sizing (each client loads its share of the records).
     */
    @Override
    public Map<String, Object> params(Map<String, Integer> sizing, Map<String, Object> given) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("replicas", 1);
        defaults.putAll(Ycsb.defaults(sizing, RECORDS_PER_DATA_NODE));
        Map<String, Object> params = Params.merge(NAME, defaults, given);
        new Topology(sizing.getOrDefault("data", 1), Params.checkInteger(NAME, params, "replicas", 1));
        Ycsb.check(NAME, params, sizing);
        return params;
    }

    @Override
    public List<Tool> tools() {
        return List.of(new Tool("mongod", "mongodb-org-server"), new Tool("mongos", "mongodb-org-mongos"),
                new Tool("mongosh", "mongodb-mongosh"), Ycsb.TOOL, Ycsb.JAVA, Tool.SADC);
    }

    @Override
    public List<String> logs() {
        return List.of("var/log/mongodb");
    }

    @Override
    public void configure(TestCluster cluster) {
        Members.requireAll(cluster, NAME);
        List<Member> config = Members.of(cluster, "config");
        List<Member> data = Members.of(cluster, "data");
        List<Member> clients = Members.of(cluster, "client");
        Topology topology = topology(cluster, data.size());
        Map<Integer, String> ips = data.stream().collect(Collectors.toMap(Member::number, Member::ip));

        String configMembers = config.stream().map(m -> m.ip() + ":" + Topology.CONFIG_PORT).collect(Collectors.joining(","));
        NodeResult cfg = Members.runOne(cluster, config.get(0), "RS=" + Topology.CONFIG_SET + " MEMBERS=" + configMembers
                + " mongosh --quiet --port " + Topology.CONFIG_PORT + " --eval " + ShellQuote.quote(INITIATE),
                Duration.ofMinutes(5));
        if (cfg == null || !cfg.isOk()) {
            throw new TypeException("mongodb: initiating replica set " + Topology.CONFIG_SET + " on "
                    + Members.describe(config.get(0)) + " failed: " + Members.lastLines(cfg));
        }
        cluster.log("MongoDB: config replica set " + Topology.CONFIG_SET + " of " + config.size() + " has a primary");

        List<Member> firsts = new ArrayList<>();
        for (int k = 1; k <= topology.shards(); k++) {
            int first = topology.members(k).get(0);
            data.stream().filter(m -> m.number() == first).forEach(firsts::add);
        }
        Members.runAll(cluster, NAME, "initiating the shards' replica sets", firsts, initiateShards(topology, ips),
                Duration.ofMinutes(5));
        cluster.log("MongoDB: " + topology.shards() + " shard replica sets of " + topology.replicas() + " have a primary");

        Members.runAll(cluster, NAME, "starting mongos", clients,
                CLIENT_SCRIPT + " mongos " + Topology.configDb(config.stream().map(Member::ip).toList()),
                Duration.ofMinutes(3));
        String shards = IntStream.rangeClosed(1, topology.shards())
                .mapToObj(k -> topology.shardHost(k, ips)).collect(Collectors.joining(" "));
        NodeResult added = Members.runOne(cluster, clients.get(0), "SHARDS=" + ShellQuote.quote(shards)
                + " mongosh --quiet --port " + Topology.MONGOS_PORT + " --eval " + ShellQuote.quote(ADD_SHARDS),
                Duration.ofMinutes(10));
        if (added == null || !added.isOk()) {
            throw new TypeException("mongodb: adding the shards through the mongos of " + Members.describe(clients.get(0))
                    + " failed: " + Members.lastLines(added));
        }
        cluster.log("MongoDB: " + topology.shards() + " shards behind " + clients.size() + " mongos, ycsb.usertable sharded on hashed _id");
    }

    @Override
    public Sanity check(TestCluster cluster) {
        int data = cluster.sizing().getOrDefault("data", Members.of(cluster, "data").size());
        Topology topology = topology(cluster, data);
        String summary = data + " data nodes in " + topology.shards() + " shards of " + topology.replicas()
                + " asked; sane means listShards on client-1's mongos lists shard1..shard" + topology.shards();
        List<String> problems = new ArrayList<>(Members.unregistered(cluster));
        List<Member> clients = Members.of(cluster, "client");
        if (clients.isEmpty()) {
            problems.add("client: no node registered, so no mongos to ask");
            return new Sanity(problems, summary);
        }
        Member client = clients.get(0);
        NodeResult r = Members.runOne(cluster, client, LIST_SHARDS, Duration.ofSeconds(60));
        if (r == null || !r.isOk()) {
            problems.add(Members.describe(client) + ": mongosh on its mongos failed: " + Members.lastLines(r));
            return new Sanity(problems, summary);
        }
        try {
            for (String p : ListShards.parse(r.getStdout()).problems(topology)) {
                problems.add(Members.describe(client) + " mongos: " + p);
            }
        } catch (TypeException e) {
            problems.add(Members.describe(client) + ": " + e.getMessage());
        }
        return new Sanity(problems, summary);
    }

    @Override
    public List<Workload> workloads(Map<String, Object> params) {
        Ycsb.Settings s = Ycsb.settings(params);
        Map<String, String> binding = Map.of("mongodb.url", YCSB_URL);
        return List.of(new Workload("load", "client", Ycsb.command(Ycsb.Phase.LOAD, "mongodb", s, null, binding)),
                new Workload("run", "client", Ycsb.command(Ycsb.Phase.RUN, "mongodb", s, null, binding)));
    }

    @Override
    public List<Metric> parse(Workload workload, String output) {
        return Ycsb.parse(output);
    }

    /** One command for every shard's first member: each picks its replica set and members by its node number. */
    static String initiateShards(Topology topology, Map<Integer, String> ips) {
        StringBuilder cmd = new StringBuilder("case $SPOTSH_NODE_NUMBER in");
        for (int k = 1; k <= topology.shards(); k++) {
            String host = topology.shardHost(k, ips);
            cmd.append(' ').append(topology.members(k).get(0)).append(") RS=").append(Topology.shardName(k))
                    .append(" MEMBERS=").append(host.substring(host.indexOf('/') + 1)).append(" ;;");
        }
        return cmd.append(" *) echo \"data node $SPOTSH_NODE_NUMBER is no shard's first member\" >&2; exit 1 ;; esac; ")
                .append("export RS MEMBERS; mongosh --quiet --port ").append(Topology.SHARD_PORT)
                .append(" --eval ").append(ShellQuote.quote(INITIATE)).toString();
    }

    private static Topology topology(TestCluster cluster, int dataNodes) {
        Object replicas = cluster.params().get("replicas");
        return new Topology(dataNodes, replicas == null ? 1 : Params.integer(cluster.params(), "replicas", 1));
    }
}
