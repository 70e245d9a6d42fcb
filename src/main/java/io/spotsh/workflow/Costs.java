package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Pricing;
import io.spotsh.cloud.Zone;
import io.spotsh.collect.PhaseCost;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;

import java.time.Duration;
import java.time.Instant;
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
            OffsetDateTime from = row.requestedAt();
            OffsetDateTime to = paidUntil(row, now);
            double hours = Duration.between(from, to).toMillis() / 3_600_000.0;
            double usd = usd(run, row, from.toInstant(), to.toInstant(), price);
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

    /**
     * What each role's instances cost inside the window {@code [from, to)} (a workload phase): each instance's
     * paid span (requested until terminated or reclaimed, or until now) cut to the window, at the zone's spot
     * price (the provider's price history where it has one). Roles in request order; a role with no instance
     * running in the window has 0 hours. No provider spotsh knows gives on-demand prices, so that stays null.
     */
    List<PhaseCost.RoleCost> during(TestRun run, Instant from, Instant to) {
        Map<String, Double> price = new HashMap<>();
        Map<String, double[]> byRole = new LinkedHashMap<>();  // role → instances, hours, usd
        OffsetDateTime now = OffsetDateTime.now();
        for (InstanceRow row : records.instances(run.name)) {
            Instant start = max(row.requestedAt().toInstant(), from);
            Instant end = min(paidUntil(row, now).toInstant(), to);
            double[] sums = byRole.computeIfAbsent(row.role(), k -> new double[3]);
            if (!end.isAfter(start)) {
                continue;  // not running during the window
            }
            sums[0]++;
            sums[1] += Duration.between(start, end).toMillis() / 3_600_000.0;
            sums[2] += usd(run, row, start, end, price);
        }
        List<PhaseCost.RoleCost> roles = new ArrayList<>();
        byRole.forEach((role, s) -> roles.add(new PhaseCost.RoleCost(role, (int) s[0], s[1], s[2], null)));
        return roles;
    }

    private static OffsetDateTime paidUntil(InstanceRow row, OffsetDateTime now) {
        return "terminated".equals(row.state()) || "reclaimed".equals(row.state()) ? row.stateChangedAt() : now;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** One instance from {@code from} to {@code to}: by the provider's price history, else hours × today's spot price. */
    private static double usd(TestRun run, InstanceRow row, Instant from, Instant to, Map<String, Double> price) {
        String type = instanceType(run, row.instanceId());
        if (run.provider instanceof Pricing pricing && type != null) {
            return pricing.cost(row.zone(), type, from, to); // the price history, not today's price
        }
        double hours = Duration.between(from, to).toMillis() / 3_600_000.0;
        return hours * price.computeIfAbsent(row.zone() + "/" + type, k -> spotPrice(run, row.zone(), type));
    }

    /** The instance type of a registered instance: what the cloud said it launched, else what the test asked for. */
    static String instanceType(TestRun run, String instanceId) {
        Instance known = run.instances.get(instanceId);
        return known != null && known.instanceType() != null ? known.instanceType() : run.instanceType;
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
