package io.spotsh.types;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What kind of test a cluster runs: how many nodes of each role it needs, and how to tell the cluster is
 * sane. Later types add role setup, workload phases and result parsers.
 */
public interface TestType {
    String name();

    /**
     * Nodes per role, in launch order, for {@code dataNodes} data nodes; {@code clientNodes} is the
     * operator's explicit count, or null for the type's own rule.
     */
    Map<String, Integer> size(int dataNodes, Integer clientNodes, Map<String, Object> params);

    /** The roles' order as launched; the first is the one {@code nodes[n]} means when ambiguous. */
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
