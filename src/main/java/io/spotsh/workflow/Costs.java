package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Pricing;
import io.spotsh.cloud.Zone;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a test cost so far: each instance's running time (requested until terminated, or until now) times
 * the zone's current spot price for its type, per role and in total. Duds and replacements count: they
 * were paid for too.
 */
final class Costs {
    private final Cluster cluster;

    Costs(Cluster cluster) {
        this.cluster = cluster;
    }

    List<Map<String, Object>> of(TestRun run) {
        Map<String, Double> price = new HashMap<>();
        Map<String, Map<String, Object>> byRole = new LinkedHashMap<>();
        OffsetDateTime now = OffsetDateTime.now();
        double totalHours = 0;
        double totalCost = 0;
        int totalInstances = 0;
        List<Map<String, Object>> rows = cluster.registry().sql("SELECT i.role, i.instance_id, i.zone, i.state,"
                + " i.requested_at, i.state_changed_at FROM spotsh.instances i JOIN spotsh.tests t ON t.id = i.test_id"
                + " WHERE t.name = ? ORDER BY i.id", run.name);
        for (Map<String, Object> row : rows) {
            String id = (String) row.get("instance_id");
            Instance known = run.instances.get(id);
            String type = known != null && known.instanceType() != null ? known.instanceType() : run.instanceType;
            String zone = (String) row.get("zone");
            OffsetDateTime from = (OffsetDateTime) row.get("requested_at");
            OffsetDateTime to = "terminated".equals(row.get("state")) || "reclaimed".equals(row.get("state"))
                    ? (OffsetDateTime) row.get("state_changed_at") : now;
            double hours = Duration.between(from, to).toMillis() / 3_600_000.0;
            double usd;
            if (run.provider instanceof Pricing pricing && type != null) {
                usd = pricing.cost(zone, type, from.toInstant(), to.toInstant()); // the price history, not today's price
            } else {
                usd = hours * price.computeIfAbsent(zone + "/" + type, k -> spotPrice(run, zone, type));
            }
            Map<String, Object> r = byRole.computeIfAbsent((String) row.get("role"), role -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("role", role);
                m.put("instances", 0);
                m.put("instance_hours", 0.0);
                m.put("usd", 0.0);
                return m;
            });
            r.put("instances", (Integer) r.get("instances") + 1);
            r.put("instance_hours", (Double) r.get("instance_hours") + hours);
            r.put("usd", (Double) r.get("usd") + usd);
            totalInstances++;
            totalHours += hours;
            totalCost += usd;
        }
        List<Map<String, Object>> result = new ArrayList<>(byRole.values());
        Map<String, Object> total = new LinkedHashMap<>();
        total.put("role", "total");
        total.put("instances", totalInstances);
        total.put("instance_hours", totalHours);
        total.put("usd", totalCost);
        result.add(total);
        return result;
    }

    private static double spotPrice(TestRun run, String zone, String type) {
        if (type == null) {
            return 0;
        }
        for (Zone z : run.provider.zones(type)) {
            if (z.name().equals(zone)) {
                return z.spotPrice();
            }
        }
        return 0;
    }
}
