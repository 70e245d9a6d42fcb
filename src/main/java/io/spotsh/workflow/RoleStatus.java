package io.spotsh.workflow;

import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;
import io.spotsh.registry.TestRecords.KeyConflict;
import io.spotsh.registry.TestRecords.Refusal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cluster.status()}: per role, how many instances are expected, registered and reachable over SSH, and
 * how many became duds, were reclaimed or terminated, as the registry and this process know it now; and what the
 * registry refused: registrations of ids never requested in that role ({@code refused}) and registered nodes
 * that offered another host key than the pinned one ({@code keyRefused}, until {@code cluster.trust}).
 */
final class RoleStatus {
    private static final List<String> COLUMNS = List.of("expected", "registered", "reachable", "duds", "reclaimed", "terminated",
            "refused", "keyRefused");

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
            Map<String, Object> s = row(byRole, row.role());
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
        // a refused id may claim a role nobody requested: it gets a row of its own
        for (Refusal r : records.refusedRegistrations(run.name)) {
            bump(row(byRole, r.role() == null ? "?" : r.role()), "refused");
        }
        for (KeyConflict k : records.hostKeyConflicts(run.name)) {
            bump(row(byRole, k.role()), "keyRefused");
        }
        return new ArrayList<>(byRole.values());
    }

    /**
     * What the operator should look at, one line each, keyed so a caller can tell a line it already showed:
     * registrations refused and host keys refused (spotsh keeps using the pinned key).
     */
    static Map<String, String> attention(TestRecords records, String test) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (Refusal r : records.refusedRegistrations(test)) {
            lines.put("refused " + r.instanceId() + " " + r.reason(), "Registration refused: " + r.reason());
        }
        for (KeyConflict k : records.hostKeyConflicts(test)) {
            lines.put("key " + k.instanceId() + " " + k.offeredKey(), "Host key refused: " + k.role() + " node " + k.number()
                    + " (" + k.instanceId() + ") offered " + k.offeredFingerprint()
                    + (k.offeredIp() == null ? "" : " from " + k.offeredIp()) + " in place of the pinned "
                    + k.pinnedFingerprint() + "; SSH keeps the pinned key; cluster.trust('" + k.instanceId()
                    + "') accepts the new one");
        }
        return lines;
    }

    private static Map<String, Object> row(Map<String, Map<String, Object>> byRole, String role) {
        return byRole.computeIfAbsent(role, k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", k);
            for (String c : COLUMNS) {
                m.put(c, 0);
            }
            return m;
        });
    }

    private static void bump(Map<String, Object> row, String column) {
        row.put(column, ((Integer) row.get(column)) + 1);
    }
}
