package io.spotsh.workflow;

import io.spotsh.common.Log;
import io.spotsh.fanout.RunResult;
import io.spotsh.types.Member;
import io.spotsh.types.TestCluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The running test as its test type sees it: registered members with their private addresses, and quiet fan-out. */
final class TypeCluster implements TestCluster {
    /** Every command a type runs sees the node's configuration, as its boot did. */
    static final String NODE_ENV = "set -a; if [ -r \"${SPOTSH_ROOT:-}/etc/spotsh/env\" ]; then"
            + " . \"${SPOTSH_ROOT:-}/etc/spotsh/env\"; fi; set +a; ";

    private final Cluster cluster;
    private final TestRun run;
    private final Map<String, Integer> sizing;
    private final Map<String, Object> params;
    private final Log log;

    TypeCluster(Cluster cluster, TestRun run, Map<String, Integer> sizing, Map<String, Object> params, Log log) {
        this.cluster = cluster;
        this.run = run;
        this.sizing = sizing;
        this.params = params;
        this.log = log;
    }

    @Override
    public String test() {
        return run.name;
    }

    @Override
    public Map<String, Object> params() {
        return params;
    }

    @Override
    public Map<String, Integer> sizing() {
        return sizing;
    }

    @Override
    public List<Member> members(String role) {
        List<Member> members = new ArrayList<>();
        for (Map<String, Object> row : cluster.registry().sql("SELECT n.node_number, n.instance_id, host(n.ip) AS ip"
                + " FROM spotsh.nodes n JOIN spotsh.tests t ON t.id = n.test_id"
                + " WHERE t.name = ? AND n.role = ? AND n.state = 'registered' ORDER BY n.node_number", run.name, role)) {
            members.add(new Member(role, ((Number) row.get("node_number")).intValue(), (String) row.get("instance_id"),
                    (String) row.get("ip")));
        }
        return members;
    }

    @Override
    public RunResult run(List<Member> on, String command, Duration timeout) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("quiet", true);
        if (timeout != null) {
            options.put("timeout", timeout);
        }
        return cluster.actions().run(nodes(on), NODE_ENV + command, options);
    }

    @Override
    public RunResult get(List<Member> on, String remote, Path localDir) {
        return cluster.actions().get(nodes(on), remote, localDir, Map.of());
    }

    @Override
    public void log(String line) {
        log.log(line);
    }

    /** The fan-out targets of these members (the cloud's address for SSH, the host key each registered). */
    private List<Node> nodes(List<Member> on) {
        Set<String> ids = new HashSet<>();
        on.forEach(m -> ids.add(m.instanceId()));
        List<Node> nodes = new ArrayList<>();
        for (Node n : cluster.registeredNodes()) {
            if (ids.contains(n.instanceId())) {
                nodes.add(n);
            }
        }
        return nodes;
    }
}
