package io.spotsh.types;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What kind of test a cluster runs, as one small unit: how many nodes of each role it needs and with which
 * parameters (sizing), how each role's node sets itself up at boot ({@code scripts/roles/<type>-<role>.sh},
 * sent in the userdata), what to do once every node has registered ({@link #configure}), how to tell the
 * cluster is sane ({@link #check}), the workload phases the client nodes run at the same moment
 * ({@link #workloads}), and how to read the load generator's output ({@link #parse}).
 */
public interface TestType {
    String name();

    /** One line for help and listings: what the test runs and with which load generator. */
    String description();

    /**
     * Nodes per role, in launch order, for {@code dataNodes} data nodes; {@code clientNodes} is the
     * operator's explicit count, or null for the type's own rule (how many clients it takes to drive them).
     */
    Map<String, Integer> size(int dataNodes, Integer clientNodes, Map<String, Object> params);

    /**
     * The test's parameters: the operator's {@code params:} over the type's defaults for this sizing (the
     * dataset grows with the data nodes). They are stored with the test and reach every node as
     * {@code SPOTSH_PARAM_<NAME>}. A parameter the type does not know is refused, naming the known ones.
     */
    default Map<String, Object> params(Map<String, Integer> sizing, Map<String, Object> given) {
        return given;
    }

    /**
     * The programs the type's nodes run, each with the Debian package that has it. Cloud nodes get them from the
     * image; the local provider runs nodes on this machine, so it checks them here before launching anything.
     */
    default List<Tool> tools() {
        return List.of();
    }

    default List<io.spotsh.tools.JavaBundle> javaTools() { return List.of(); }

    /**
     * Log folders on a node (relative to its root, e.g. {@code var/log/redis}) that come back with the results,
     * beside the boot log, the sysstat files and the workloads' output.
     */
    default List<String> logs() {
        return List.of();
    }

    /**
     * Cluster-wide setup once every node has registered and answers SSH (e.g. joining the data nodes into one
     * cluster). Safe to call again on a cluster that is already configured.
     */
    default void configure(TestCluster cluster) {
    }

    /** The sanity check: what is wrong with the running cluster, nothing when it is sane. */
    Sanity check(TestCluster cluster);

    /** The workload phases, in the order a full test runs them, for the test's parameters. */
    List<Workload> workloads(Map<String, Object> params);

    /**
     * Metrics from one node's output of one workload phase (the file its command wrote); lines that are not
     * results are skipped, a result line that cannot be read is an error naming the line.
     */
    List<Metric> parse(Workload workload, String output);

    /** Sizing helper: roles in launch order, roles with no nodes left out. */
    static Map<String, Integer> roles(Object... roleAndCount) {
        Map<String, Integer> roles = new LinkedHashMap<>();
        for (int i = 0; i < roleAndCount.length; i += 2) {
            int count = ((Number) roleAndCount[i + 1]).intValue();
            if (count > 0) {
                roles.put((String) roleAndCount[i], count);
            }
        }
        return roles;
    }
}
