package io.spotsh.types.redis;

import io.spotsh.common.BadInput;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code redis} test: a Redis Cluster of N masters, one {@code redis-server} in cluster mode per data node
 * ({@code scripts/roles/redis-data.sh}), joined with {@code redis-cli --cluster create} once every node has
 * registered, and loaded from the client nodes with {@code redis-benchmark --cluster --csv}.
 *
 * <ul>
 * <li>Sizing: one client per three data nodes unless given (one redis-benchmark drives about three masters
 *     before it, not the servers, is the bottleneck).</li>
 * <li>Dataset: {@code keyspace} = 100,000 keys per data node; each client sends {@code requests} (2 million: a
 *     few seconds per phase, so sysstat's samples fall inside it) per phase.</li>
 * <li>Sane: every data node answers {@code CLUSTER INFO} with {@code cluster_state:ok} and
 *     {@code cluster_known_nodes} equal to the data nodes the test was sized for.</li>
 * <li>Workloads: {@code load} (SET of random keys in the keyspace) then {@code read} (GET of the same keys);
 *     client k starts at data node k (round robin) and follows the cluster's redirections from there.</li>
 * </ul>
 */
public final class Redis implements TestType {
    static final int KEYS_PER_DATA_NODE = 100_000;

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String description() {
        return "Redis Cluster on the data nodes, redis-benchmark --cluster from the clients";
    }

    @Override
    public Map<String, Integer> size(int dataNodes, Integer clientNodes, Map<String, Object> params) {
        if (dataNodes < 3) {
            // redis-cli --cluster create refuses fewer than three masters
            throw new BadInput("type redis needs at least 3 data nodes (a Redis Cluster has 3 masters or more), was " + dataNodes);
        }
        int clients = clientNodes != null ? clientNodes : Math.max(1, (dataNodes + 2) / 3);
        if (clients < 1) {
            throw new BadInput("type redis needs at least 1 client node to run redis-benchmark, was " + clients);
        }
        return TestType.roles("data", dataNodes, "client", clients);
    }

    @Override
    public Map<String, Object> params(Map<String, Integer> sizing, Map<String, Object> given) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("port", 6379);
        defaults.put("keyspace", (long) KEYS_PER_DATA_NODE * sizing.getOrDefault("data", 0));
        defaults.put("requests", 2_000_000);
        defaults.put("valueSize", 100);
        defaults.put("connections", 50);
        defaults.put("pipeline", 16);
        defaults.put("nodeTimeoutMs", 2000);
        Map<String, Object> params = Params.merge(name(), defaults, given);
        Params.checkInteger(name(), params, "port", 1);
        Params.checkNumber(name(), params, "keyspace", 1);
        Params.checkNumber(name(), params, "requests", 1);
        Params.checkInteger(name(), params, "valueSize", 1);
        Params.checkInteger(name(), params, "connections", 1);
        Params.checkInteger(name(), params, "pipeline", 1);
        Params.checkInteger(name(), params, "nodeTimeoutMs", 100);
        return params;
    }

    @Override
    public List<Tool> tools() {
        return List.of(new Tool("redis-server", "redis-server"), new Tool("redis-cli", "redis-tools"),
                new Tool("redis-benchmark", "redis-tools"), Tool.SADC);
    }

    @Override
    public List<String> logs() {
        return List.of("var/log/redis");
    }

    /** Joins the data nodes into one cluster (unless they already are one) and waits until every node says ok. */
    @Override
    public void configure(TestCluster cluster) {
        List<Member> data = cluster.members("data");
        int expected = cluster.sizing().getOrDefault("data", data.size());
        if (data.size() != expected) {
            throw new TypeException("redis: " + data.size() + " of " + expected + " data nodes registered; await them first");
        }
        int port = Params.integer(cluster.params(), "port", 1);
        Member first = data.get(0);
        ClusterInfo before = info(cluster, List.of(first), port).get(first);
        if (before != null && before.state().equals("ok") && before.knownNodes() == expected) {
            cluster.log("Redis Cluster of " + expected + " masters already formed");
            return;
        }
        String addresses = data.stream().map(m -> m.ip() + ":" + port).collect(Collectors.joining(" "));
        cluster.log("Creating the Redis Cluster of " + expected + " masters from " + first.name());
        RunResult created = cluster.run(List.of(first), "redis-cli --cluster create " + addresses
                + " --cluster-replicas 0 --cluster-yes", Duration.ofMinutes(2));
        NodeResult r = created.getResults().get(0);
        if (!r.isOk()) {
            throw new TypeException("redis: redis-cli --cluster create on " + Members.describe(first) + " failed: " + Members.lastLines(r));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            List<String> pending = new ArrayList<>();
            Map<Member, ClusterInfo> infos = info(cluster, data, port);
            for (Member m : data) {
                ClusterInfo i = infos.get(m);
                if (i == null || !i.state().equals("ok") || i.knownNodes() != expected) {
                    pending.add(m.name() + (i == null ? " (no answer)" : " (" + i.state() + ", " + i.knownNodes() + " known)"));
                }
            }
            if (pending.isEmpty()) {
                cluster.log("Redis Cluster ok: " + expected + " masters, all 16384 slots assigned");
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TypeException("redis: the cluster did not settle within 60 s: " + String.join(", ", pending));
            }
            Members.pause(Duration.ofMillis(500), name());
        }
    }

    @Override
    public Sanity check(TestCluster cluster) {
        List<Member> data = cluster.members("data");
        int expected = cluster.sizing().getOrDefault("data", data.size());
        int port = Params.integer(cluster.params(), "port", 1);
        List<String> problems = new ArrayList<>();
        if (data.size() != expected) {
            problems.add("data: " + data.size() + " of " + expected + " nodes registered");
        }
        RunResult ran = data.isEmpty() ? null : cluster.run(data, infoCommand(port), Duration.ofSeconds(30));
        for (Member m : data) {
            NodeResult r = ran.get(m.name());
            ClusterInfo info = r != null && r.isOk() ? ClusterInfo.parse(r.getStdout()) : null;
            if (info == null || !info.isReply()) {
                problems.add(Members.describe(m) + ": no CLUSTER INFO from redis: " + (r == null ? "no result" : Members.lastLines(r)));
                continue;
            }
            if (!info.state().equals("ok")) {
                problems.add(Members.describe(m) + ": cluster_state:" + info.state() + " (" + info.slotsFailing() + " slots failing, "
                        + info.slotsAssigned() + " of 16384 assigned)");
            }
            if (info.knownNodes() != expected) {
                problems.add(Members.describe(m) + ": cluster_known_nodes:" + info.knownNodes() + ", expected " + expected);
            }
        }
        return new Sanity(problems, data.size() + " data nodes asked; sane means cluster_state:ok and cluster_known_nodes:"
                + expected + " on every one");
    }

    @Override
    public List<Workload> workloads(Map<String, Object> params) {
        return List.of(benchmark("load", "set", params), benchmark("read", "get", params));
    }

    /**
     * redis-benchmark's rows, each followed by an {@code operations} count: a row is printed only once all of its
     * {@code -n} requests were answered, so the count is the {@code requests} the workload asked for (read back from
     * the command this type wrote), which gives the cost per million operations its denominator.
     */
    @Override
    public List<Metric> parse(Workload workload, String output) {
        List<Metric> metrics = new java.util.ArrayList<>();
        java.util.regex.Matcher n = REQUESTS.matcher(workload.command());
        Long requests = n.find() ? Long.parseLong(n.group(1)) : null;
        String last = null;
        for (Metric m : BenchmarkCsv.parse(output)) {
            if (requests != null && last != null && !m.operation().equals(last)) {
                metrics.add(new Metric(last, "operations", requests, "ops"));
            }
            metrics.add(m);
            last = m.operation();
        }
        if (requests != null && last != null) {
            metrics.add(new Metric(last, "operations", requests, "ops"));
        }
        return metrics;
    }

    /** The request count in a command {@link #benchmark} wrote. */
    private static final java.util.regex.Pattern REQUESTS = java.util.regex.Pattern.compile("redis-benchmark .* -n (\\d+) ");

    /** Client k starts at data node k (round robin over SPOTSH_DATA_IPS); --cluster follows the slots from there. */
    private static Workload benchmark(String phase, String commands, Map<String, Object> p) {
        String command = "set -- $SPOTSH_DATA_IPS; shift $(( (SPOTSH_NODE_NUMBER - 1) % $# )); "
                + "exec redis-benchmark --cluster -h \"$1\" -p " + Params.integer(p, "port", 1)
                + " -t " + commands + " -n " + Params.number(p, "requests", 1) + " -r " + Params.number(p, "keyspace", 1)
                + " -d " + Params.integer(p, "valueSize", 1) + " -c " + Params.integer(p, "connections", 1)
                + " -P " + Params.integer(p, "pipeline", 1) + " --csv --precision 3 -q";
        return new Workload(phase, "client", command);
    }

    private static String infoCommand(int port) {
        return "redis-cli -h \"$SPOTSH_PRIVATE_IP\" -p " + port + " cluster info";
    }

    private static Map<Member, ClusterInfo> info(TestCluster cluster, List<Member> on, int port) {
        RunResult ran = cluster.run(on, infoCommand(port), Duration.ofSeconds(30));
        Map<Member, ClusterInfo> infos = new LinkedHashMap<>();
        for (Member m : on) {
            NodeResult r = ran.get(m.name());
            if (r != null && r.isOk()) {
                ClusterInfo info = ClusterInfo.parse(r.getStdout());
                if (info.isReply()) {
                    infos.put(m, info);
                }
            }
        }
        return infos;
    }
}
