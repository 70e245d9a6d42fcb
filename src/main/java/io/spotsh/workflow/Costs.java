package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Pricing;
import io.spotsh.cloud.Zone;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;

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
    private final TestRecords records;

    Costs(TestRecords records) {
        this.records = records;
    }

    List<Map<String, Object>> of(TestRun run) {
        Map<String, Double> price = new HashMap<>();
        Map<String, Map<String, Object>> byRole = new LinkedHashMap<>();
        OffsetDateTime now = OffsetDateTime.now();
        double totalHours = 0;
        double totalCost = 0;
        int totalInstances = 0;
        for (InstanceRow row : records.instances(run.name)) {
            Instance known = run.instances.get(row.instanceId());
            String type = known != null && known.instanceType() != null ? known.instanceType() : run.instanceType;
            String zone = row.zone();
            OffsetDateTime from = row.requestedAt();
            OffsetDateTime to = "terminated".equals(row.state()) || "reclaimed".equals(row.state())
                    ? row.stateChangedAt() : now;
            double hours = Duration.between(from, to).toMillis() / 3_600_000.0;
            double usd;
            if (run.provider instanceof Pricing pricing && type != null) {
                usd = pricing.cost(zone, type, from.toInstant(), to.toInstant()); // the price history, not today's price
            } else {
                usd = hours * price.computeIfAbsent(zone + "/" + type, k -> spotPrice(run, zone, type));
            }
            Map<String, Object> r = byRole.computeIfAbsent(row.role(), role -> {
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
