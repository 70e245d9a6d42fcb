package io.spotsh.workflow;

import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cluster.status()}: per role, how many instances are expected, registered and reachable over SSH, and
 * how many became duds, were reclaimed or terminated, as the registry and this process know it now.
 */
final class RoleStatus {
    private static final List<String> COLUMNS = List.of("expected", "registered", "reachable", "duds", "reclaimed", "terminated");

    private final TestRecords records;
    private final RegisteredNodes nodes;

    RoleStatus(TestRecords records, RegisteredNodes nodes) {
        this.records = records;
        this.nodes = nodes;
    }

    /** One row per role, in request order: role and the counts above. */
    List<Map<String, Object>> of(TestRun run) {
        Map<String, Map<String, Object>> byRole = new LinkedHashMap<>();
        for (InstanceRow row : records.instances(run.name)) {
            Map<String, Object> s = byRole.computeIfAbsent(row.role(), k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("role", k);
                for (String c : COLUMNS) {
                    m.put(c, 0);
                }
                return m;
            });
            switch (row.state()) {
                case "requested", "running" -> bump(s, "expected");
                case "dud" -> bump(s, "duds");
                case "reclaimed" -> bump(s, "reclaimed");
                case "terminated" -> bump(s, "terminated");
                default -> { }
            }
        }
        for (Node n : nodes.of(run)) {
            Map<String, Object> s = byRole.get(n.role());
            if (s != null) {
                bump(s, "registered");
                if (run.reachable.contains(n.instanceId())) {
                    bump(s, "reachable");
                }
            }
        }
        return new ArrayList<>(byRole.values());
    }

    private static void bump(Map<String, Object> row, String column) {
        row.put(column, ((Integer) row.get(column)) + 1);
    }
}
