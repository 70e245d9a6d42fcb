package io.spotsh.workflow;

import io.spotsh.common.Durations;
import io.spotsh.registry.TestInfo;
import io.spotsh.registry.TestRecords;
import io.spotsh.report.Table;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the shell prints {@code cluster} (after {@code launch}, {@code await}, or on its own): one line for the test
 * (name, type, provider and zone, state, age, expiry), then per role how many nodes were requested, registered,
 * are reachable over SSH, and became duds. It reads only the registry and what this process already knows: printing
 * never waits on the cloud.
 */
final class ClusterLine {
    private ClusterLine() {
    }

    /** Without a test: what to do first. */
    static final String NO_TEST = "cluster: no test yet; cluster.launch(name: ..., dataNodes: ...) or cluster.use('name')";

    static String of(TestRun run, TestRecords records, Instant now) {
        String head = "test " + run.name + " · " + run.type + " on " + run.provider.name()
                + (run.zone == null ? "" : " (" + run.zone + ")");
        try {
            TestInfo test = records.test(run.name);
            List<String> parts = new ArrayList<>();
            parts.add(head);
            parts.add(test.state() + (run.keep ? ", kept" : ""));
            if (test.createdAt() != null) {
                parts.add("age " + Durations.format(Duration.between(test.createdAt().toInstant(), now)));
            }
            parts.add(expiry(test.expiresAt(), now));
            return String.join(" · ", parts) + "\n" + Table.of(roles(run, records)).render();
        } catch (RuntimeException e) {
            // printing must not fail the line that returned the cluster
            return head + " · (registry not readable: " + e.getMessage() + ")";
        }
    }

    static String expiry(OffsetDateTime expiresAt, Instant now) {
        if (expiresAt == null) {
            return "no expiry";
        }
        Duration left = Duration.between(now, expiresAt.toInstant());
        return left.isNegative() ? "expired " + Durations.format(left.negated()) + " ago"
                : "expires in " + Durations.format(left);
    }

    /** Per role in sizing order: requested (the sizing), registered, reachable, duds. */
    static List<Map<String, Object>> roles(TestRun run, TestRecords records) {
        Map<String, Map<String, Object>> byRole = new LinkedHashMap<>();
        run.sizing.forEach((role, count) -> row(byRole, role).put("requested", count));
        Set<String> duds = new HashSet<>();
        for (TestRecords.InstanceRow i : records.instances(run.name)) {
            Map<String, Object> row = row(byRole, i.role());
            if ("dud".equals(i.state())) {
                bump(row, "duds");
                duds.add(i.instanceId());
            }
        }
        for (TestRecords.NodeRow n : records.registeredNodes(run.name)) {
            Map<String, Object> row = row(byRole, n.role());
            bump(row, "registered");
            if (run.reachable.contains(n.instanceId()) && !duds.contains(n.instanceId())) {
                bump(row, "reachable");
            }
        }
        return new ArrayList<>(byRole.values());
    }

    private static Map<String, Object> row(Map<String, Map<String, Object>> byRole, String role) {
        return byRole.computeIfAbsent(role, k -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("role", k);
            row.put("requested", 0);
            row.put("registered", 0);
            row.put("reachable", 0);
            row.put("duds", 0);
            return row;
        });
    }

    private static void bump(Map<String, Object> row, String column) {
        row.put(column, (Integer) row.get(column) + 1);
    }
}
