package io.spotsh.workflow;

import io.spotsh.common.Log;
import io.spotsh.fanout.RunResult;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.NodeRow;
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

/**
 * The running test as its test type (and {@code collect()}) sees it, through {@link TestCluster}: the test's
 * name, parameters and sizing, its registered members with their private addresses (what nodes use to reach
 * each other), and quiet fan-out to them with each node's configuration in the environment.
 */
final class TestClusterView implements TestCluster {
    /** Every command a type runs sees the node's configuration, as its boot did. */
    static final String NODE_ENV = "set -a; if [ -r \"${SPOTSH_ROOT:-}/etc/spotsh/env\" ]; then"
            + " . \"${SPOTSH_ROOT:-}/etc/spotsh/env\"; fi; set +a; ";

    private final TestRun run;
    private final TestRecords records;
    private final RegisteredNodes nodes;
    private final NodeCommands commands;
    private final Log log;

    /** A view of {@code run} as it is now: sizing and parameters as recorded on it, nodes as registered on each call. */
    TestClusterView(TestRun run, TestRecords records, RegisteredNodes nodes, NodeCommands commands, Log log) {
        this.run = run;
        this.records = records;
        this.nodes = nodes;
        this.commands = commands;
        this.log = log;
    }

    @Override
    public String test() {
        return run.name;
    }

    @Override
    public Map<String, Object> params() {
        return run.params;
    }

    @Override
    public Map<String, Integer> sizing() {
        return run.sizing;
    }

    @Override
    public List<Member> members(String role) {
        List<Member> members = new ArrayList<>();
        for (NodeRow row : records.registeredNodes(run.name)) {
            if (row.role().equals(role)) {
                members.add(new Member(role, row.number(), row.instanceId(), row.ip()));
            }
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
        return commands.run(nodes(on), NODE_ENV + command, options);
    }

    @Override
    public RunResult get(List<Member> on, String remote, Path localDir) {
        return commands.get(nodes(on), remote, localDir, Map.of());
    }

    @Override
    public void log(String line) {
        log.log(line);
    }

    /** The fan-out targets of these members (the cloud's address for SSH, the host key each registered). */
    private List<Node> nodes(List<Member> on) {
        Set<String> ids = new HashSet<>();
        on.forEach(m -> ids.add(m.instanceId()));
        List<Node> targets = new ArrayList<>();
        for (Node n : nodes.of(run)) {
            if (ids.contains(n.instanceId())) {
                targets.add(n);
            }
        }
        return targets;
    }

    /** {@code test ring-6 (redis) sized {data=6, client=2}}: without reading the registry or the cloud. */
    @Override
    public String toString() {
        return "test " + run.name + " (" + run.type + ") sized " + run.sizing;
    }
}
