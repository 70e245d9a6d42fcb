package io.spotsh.types;

import io.spotsh.common.BadInput;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code generic} test: data and client nodes with nothing installed, for plans that do their own
 * setup and run their own commands. Sizing: the counts given, or one client per four data nodes.
 * Sane when every node the test was sized for is registered and runs a command.
 */
public final class Generic implements TestType {
    @Override
    public String name() {
        return "generic";
    }

    @Override
    public String description() {
        return "data and client nodes with nothing installed; the plan runs its own commands";
    }

    @Override
    public Map<String, Integer> size(int dataNodes, Integer clientNodes, Map<String, Object> params) {
        if (dataNodes < 1) {
            throw new BadInput("dataNodes must be at least 1, was " + dataNodes);
        }
        int clients = clientNodes != null ? clientNodes : Math.max(1, (dataNodes + 3) / 4);
        if (clients < 0) {
            throw new BadInput("clientNodes cannot be negative, was " + clients);
        }
        return TestType.roles("data", dataNodes, "client", clients);
    }

    @Override
    public Sanity check(TestCluster cluster) {
        List<String> problems = new ArrayList<>(Members.unregistered(cluster));
        int nodes = 0;
        for (String role : cluster.sizing().keySet()) {
            List<Member> members = cluster.members(role);
            nodes += members.size();
            if (!members.isEmpty()) {
                RunResult ran = cluster.run(members, "true", Duration.ofSeconds(30));
                for (NodeResult r : ran.getFailed()) {
                    problems.add(r.getName() + ": does not run commands: " + r.getError());
                }
            }
        }
        return new Sanity(problems, nodes + " nodes registered, each runs commands");
    }

    @Override
    public List<Workload> workloads(Map<String, Object> params) {
        return List.of();
    }

    @Override
    public List<Metric> parse(Workload workload, String output) {
        return List.of();
    }
}
