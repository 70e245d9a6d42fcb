package io.spotsh.types.cassandra;

import io.spotsh.common.BadInput;
import io.spotsh.common.ShellQuote;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;
import io.spotsh.tools.JavaBundle;
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
import io.spotsh.types.ycsb.YcsbBundle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code cassandra} test: an Apache Cassandra ring on the data nodes, one token per node evenly spaced
 * ({@link Tokens}), loaded and run by YCSB's {@code cassandra-cql} binding from the client nodes.
 *
 * <ul>
 * <li>Sizing: one client per three data nodes unless given.</li>
 * <li>Programs: Cassandra 5.0 and YCSB 0.17.0 with spotsh's {@code cassandra-cql} binding (driver 4.18.1). An EC2
 *     node has them from its image (the Debian package, {@code /opt/ycsb}); a local node from the same versions
 *     as {@link #javaTools() tool bundles}: {@code cassandra}, {@code nodetool} and {@code ycsb} on its PATH.</li>
 * <li>Local sizes, for 3-5 nodes and the YCSB clients on 2 cores and 24 GB ({@link CassandraBundle}): 512 MB heap,
 *     256 MB direct memory, one processor as the JVM sees it, 4 concurrent reads and writes, 1 compactor, 64 MB
 *     memtables, no auto-snapshot; about 0.9 GB resident per node, about 12 s from start to "Startup complete".</li>
 * <li>Boot ({@code scripts/roles/cassandra-data.sh}): every data node writes its cassandra.yaml (cluster name,
 *     its address, its initial_token from its node number, data on the first instance-store disk). Data node 1
 *     is the seed and starts at once; the others cannot know its address at boot, so they wait.</li>
 * <li>Configure: spotsh gives data nodes 2..N data node 1's address as seed and starts them (all at once:
 *     a new, empty ring needs no bootstrap streaming, so {@code auto_bootstrap: false}), waits until
 *     {@code nodetool status} lists every node UN, then creates the {@code ycsb.usertable} table
 *     ({@code IF NOT EXISTS}) with the replication factor, through the binding's driver ({@code ycsb cql}).</li>
 * <li>Sane: {@code nodetool status} on every data node lists exactly the data nodes, all UN, and
 *     {@code nodetool ring}'s tokens give each about 1/N of the Murmur3 range ({@link NodetoolStatus}); a node whose
 *     nodetool fails (Cassandra stopped) is named with its instance id and address.</li>
 * <li>Workloads: {@code load} (YCSB load, each client its share of the records) then {@code run}.</li>
 * </ul>
 */
public final class Cassandra implements TestType {
    static final String NAME = "cassandra";
    static final long RECORDS_PER_DATA_NODE = 1_000_000;
    static final String KEYSPACE = "ycsb";
    /** The role script as userdata left it on the node; configure runs its {@code yaml} step. */
    static final String SCRIPT = "sh \"$SPOTSH_ROOT/opt/spotsh/roles/cassandra-data.sh\"";
    static final String YAML = "\"${CASSANDRA_CONF:-$SPOTSH_ROOT/etc/cassandra}/cassandra.yaml\"";
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.-]{0,31}");
    private static final Set<String> CONSISTENCY = Set.of("ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL",
            "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE");

    private final Duration settle;
    private final Duration poll;

    public Cassandra() {
        this(Duration.ofMinutes(10), Duration.ofSeconds(5));
    }

    /** @param settle how long configure waits for the ring to list every node UN; {@code poll} between looks */
    Cassandra(Duration settle, Duration poll) {
        this.settle = settle;
        this.poll = poll;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Apache Cassandra ring (one token per node) on the data nodes, YCSB cassandra-cql from the clients";
    }

    @Override
    public Map<String, Integer> size(int dataNodes, Integer clientNodes, Map<String, Object> params) {
        if (dataNodes < 1) {
            throw new BadInput("type cassandra needs at least 1 data node, was " + dataNodes);
        }
        // one YCSB client keeps about three Cassandra nodes busy before the client is the bottleneck
        int clients = clientNodes != null ? clientNodes : Math.max(1, (dataNodes + 2) / 3);
        if (clients < 1) {
            throw new BadInput("type cassandra needs at least 1 client node to run YCSB, was " + clients);
        }
        return TestType.roles("data", dataNodes, "client", clients);
    }

    /**
     * {@code recordcount} and {@code operationcount} 1,000,000 per data node, workload {@code a},
     * {@code replicationFactor} min(3, N), {@code consistency} ONE; {@code dataNodes} and {@code clientNodes}
     * follow the sizing (the data nodes compute their token from it, the clients their share of the records).
     */
    @Override
    public Map<String, Object> params(Map<String, Integer> sizing, Map<String, Object> given) {
        int data = sizing.getOrDefault("data", 1);
        Map<String, Object> defaults = new LinkedHashMap<>(Ycsb.defaults(sizing, RECORDS_PER_DATA_NODE));
        defaults.put("replicationFactor", Math.min(3, data));
        defaults.put("consistency", "ONE");
        defaults.put("clusterName", "spotsh");
        defaults.put("dataNodes", data);
        Map<String, Object> params = Params.merge(NAME, defaults, given);
        Ycsb.check(NAME, params, sizing);
        if (Params.checkInteger(NAME, params, "dataNodes", 1) != data) {
            throw new BadInput("parameter dataNodes follows the sizing (" + data + " data nodes), was "
                    + params.get("dataNodes") + "; size the test with that many data nodes instead");
        }
        int rf = Params.checkInteger(NAME, params, "replicationFactor", 1);
        if (rf > data) {
            throw new BadInput("parameter replicationFactor " + rf + " needs at least " + rf + " data nodes, the test has " + data);
        }
        params.put("consistency", consistency(params));
        if (!CLUSTER_NAME.matcher(Params.text(params, "clusterName")).matches()) {
            throw new BadInput("parameter clusterName must be letters, digits, spaces, '.', '_' or '-' (32 at most), was '"
                    + params.get("clusterName") + "'");
        }
        return params;
    }

    @Override
    public List<Tool> tools() {
        return List.of(new Tool("cassandra", "cassandra"), new Tool("nodetool", "cassandra"), Ycsb.TOOL, Ycsb.JAVA,
                Tool.SADC);
    }

    /** Cassandra 5.0.6 ({@code cassandra}, {@code nodetool}) and YCSB with the cql binding ({@code ycsb}). */
    @Override
    public List<JavaBundle> javaTools() {
        return List.of(new CassandraBundle(), new YcsbBundle());
    }

    @Override
    public List<String> logs() {
        return List.of("var/log/cassandra");
    }

    @Override
    public void configure(TestCluster cluster) {
        Members.requireAll(cluster, NAME);
        List<Member> data = Members.of(cluster, "data");
        Member seed = seed(data);
        cluster.log("Cassandra: " + seed.name() + " (" + seed.ip() + ") is the seed"
                + (data.size() > 1 ? "; starting the other " + (data.size() - 1) + " data nodes" : ""));
        Members.runAll(cluster, NAME, "setting the seed and starting Cassandra", data, joinCommand(seed.ip()),
                Duration.ofMinutes(5));
        awaitRing(cluster, data, seed);
        int rf = Params.integer(cluster.params(), "replicationFactor", 1);
        NodeResult created = Members.runOne(cluster, seed, schemaCommand(rf), Duration.ofMinutes(3));
        if (created == null || !created.isOk()) {
            throw new TypeException("cassandra: creating " + KEYSPACE + ".usertable on " + Members.describe(seed)
                    + " failed: " + Members.lastLines(created));
        }
        cluster.log("Cassandra: " + data.size() + " nodes UN, keyspace " + KEYSPACE + " with replication factor " + rf);
    }

    @Override
    public Sanity check(TestCluster cluster) {
        List<Member> data = Members.of(cluster, "data");
        int expected = cluster.sizing().getOrDefault("data", data.size());
        String summary = expected + " data nodes asked; sane means nodetool status on every data node lists " + expected
                + " nodes, all UN, and nodetool ring gives each about 1/" + expected + " of the token range";
        List<String> problems = new ArrayList<>(Members.unregistered(cluster));
        if (data.isEmpty()) {
            return new Sanity(problems.isEmpty() ? List.of("data: no node registered") : problems, summary);
        }
        RunResult ran = cluster.run(data, NodetoolStatus.COMMAND, Duration.ofSeconds(60));
        Map<String, String> names = names(data);
        for (Member m : data) {
            NodeResult r = ran.get(m.name());
            if (r == null || !r.isOk()) {
                problems.add(Members.describe(m) + ": nodetool failed: " + Members.lastLines(r));
                continue;
            }
            for (String p : NodetoolStatus.parse(r.getStdout()).problems(expected, names)) {
                String problem = "as " + m.name() + " sees it: " + p;
                if (!problems.contains(problem)) {
                    problems.add(problem);
                }
            }
        }
        return new Sanity(problems, summary);
    }

    @Override
    public List<Workload> workloads(Map<String, Object> params) {
        Ycsb.Settings s = Ycsb.settings(params);
        Map<String, String> binding = new LinkedHashMap<>();
        String consistency = consistency(params);
        binding.put("cassandra.readconsistencylevel", consistency);
        binding.put("cassandra.writeconsistencylevel", consistency);
        return List.of(
                new Workload("load", "client", Ycsb.command(Ycsb.Phase.LOAD, "cassandra-cql", s, "hosts", binding)),
                new Workload("run", "client", Ycsb.command(Ycsb.Phase.RUN, "cassandra-cql", s, "hosts", binding)));
    }

    @Override
    public List<Metric> parse(Workload workload, String output) {
        return Ycsb.parse(output);
    }

    /** The seed: data node 1 (the lowest number registered, should node 1 be missing). */
    static Member seed(List<Member> data) {
        return data.stream().min(Comparator.comparingInt(Member::number))
                .orElseThrow(() -> new TypeException("cassandra: no data node registered"));
    }

    /**
     * Points a data node at the seed and (re)starts Cassandra; nothing when it already runs with that seed (data
     * node 1 since boot, every node on a second configure). All nodes start at once: a new, empty ring has
     * nothing to stream, hence {@code auto_bootstrap: false} in the role script.
     */
    static String joinCommand(String seedIp) {
        return "if grep -qF 'seeds: \"" + seedIp + "\"' " + YAML + " && " + SCRIPT + " status >/dev/null 2>&1; then exit 0; fi; "
                + SCRIPT + " yaml " + seedIp + " && " + SCRIPT + " restart";
    }

    /**
     * The YCSB keyspace and table, as the cassandra-cql binding's README has them; both IF NOT EXISTS. Run with the
     * binding's own driver ({@code ycsb cql}, io.spotsh.ycsb.Cql), the same on EC2 and local nodes.
     */
    static String schemaCommand(int replicationFactor) {
        StringBuilder cql = new StringBuilder("CREATE KEYSPACE IF NOT EXISTS " + KEYSPACE
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}; "
                + "CREATE TABLE IF NOT EXISTS " + KEYSPACE + ".usertable (y_id varchar PRIMARY KEY");
        for (int f = 0; f < 10; f++) {
            cql.append(", field").append(f).append(" varchar");
        }
        cql.append(");");
        // the native transport may open a little after the node shows UN
        return "i=0; until ycsb cql \"$SPOTSH_PRIVATE_IP\" " + ShellQuote.quote(cql.toString())
                + "; do i=$((i + 1)); [ $i -lt 24 ] || exit 1; sleep 5; done";
    }

    private void awaitRing(TestCluster cluster, List<Member> data, Member seed) {
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            NodeResult r = Members.runOne(cluster, seed, NodetoolStatus.COMMAND, Duration.ofSeconds(60));
            List<String> pending = r != null && r.isOk()
                    ? NodetoolStatus.parse(r.getStdout()).problems(data.size(), names(data))
                    : List.of(Members.describe(seed) + ": nodetool failed: " + Members.lastLines(r));
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TypeException("cassandra: the ring did not settle within " + settle.toSeconds() + " s: "
                        + String.join("; ", pending));
            }
            Members.pause(poll, NAME);
        }
    }

    private static Map<String, String> names(List<Member> data) {
        Map<String, String> names = new LinkedHashMap<>();
        data.forEach(m -> names.put(m.ip(), Members.describe(m)));
        return names;
    }

    private static String consistency(Map<String, Object> params) {
        String level = Params.text(params, "consistency").strip().toUpperCase(Locale.ROOT);
        if (!CONSISTENCY.contains(level)) {
            throw new BadInput("parameter consistency must be a Cassandra consistency level (ONE, QUORUM, ALL, ...), was '"
                    + params.get("consistency") + "'");
        }
        return level;
    }
}
