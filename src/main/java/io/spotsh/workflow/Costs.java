package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.OnDemandPrices;
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
import java.util.OptionalDouble;

/**
 * What a test cost so far: each instance's running time (requested until terminated, or until now) times
 * the zone's spot price for its type (the cloud's price history where it has one), per role and in total, beside
 * what the same hours would have cost on demand. Duds and replacements count: they were paid for too.
 */
final class Costs {
    private final TestRecords records;

    Costs(TestRecords records) {
        this.records = records;
    }

    /**
     * Per role and in total: instances, instance_hours, usd (spot), on_demand_usd (the same hours on demand; null
     * unless every instance's on-demand price is known) and saving_pct (1 - spot / on-demand, as a percentage).
     */
    List<Map<String, Object>> of(TestRun run) {
        Map<String, Double> price = new HashMap<>();
        Map<String, Double> onDemandPrice = new HashMap<>();
        Map<String, double[]> byRole = new LinkedHashMap<>(); // role → instances, hours, usd, on-demand usd, unknown
        OffsetDateTime now = OffsetDateTime.now();
        for (InstanceRow row : records.instances(run.name)) {
            OffsetDateTime from = row.requestedAt();
            OffsetDateTime to = paidUntil(row, now);
            add(byRole.computeIfAbsent(row.role(), k -> new double[5]), run, row, from.toInstant(), to.toInstant(),
                    price, onDemandPrice);
        }
        List<Map<String, Object>> result = new ArrayList<>();
        double[] total = new double[5];
        byRole.forEach((role, sums) -> {
            result.add(row(role, sums));
            for (int i = 0; i < total.length; i++) {
                total[i] += sums[i];
            }
        });
        result.add(row("total", total));
        return result;
    }

    private static Map<String, Object> row(String role, double[] sums) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("instances", (int) sums[0]);
        m.put("instance_hours", sums[1]);
        m.put("usd", sums[2]);
        Double onDemand = sums[4] > 0 ? null : sums[3];
        m.put("on_demand_usd", onDemand);
        m.put("saving_pct", onDemand == null || onDemand == 0 ? null
                : Math.round(1000 * (1 - sums[2] / onDemand)) / 10.0);
        return m;
    }

    /** Adds one instance's span to a role's sums: instances, hours, spot usd, on-demand usd, spans with no on-demand price. */
    private static void add(double[] sums, TestRun run, InstanceRow row, Instant from, Instant to, Map<String, Double> price,
                            Map<String, Double> onDemandPrice) {
        double hours = Duration.between(from, to).toMillis() / 3_600_000.0;
        sums[0]++;
        sums[1] += hours;
        sums[2] += usd(run, row, from, to, price);
        Double hourly = onDemandHourly(run, row, onDemandPrice);
        if (hourly == null) {
            sums[4]++;
        } else {
            sums[3] += hours * hourly;
        }
    }

    /**
     * What each role's instances cost inside the window {@code [from, to)} (a workload phase): each instance's
     * paid span (requested until terminated or reclaimed, or until now) cut to the window, at the zone's spot
     * price (the provider's price history where it has one), and on demand (null unless every instance's price is
     * known). Roles in request order; a role with no instance running in the window has 0 hours.
     */
    List<PhaseCost.RoleCost> during(TestRun run, Instant from, Instant to) {
        Map<String, Double> price = new HashMap<>();
        Map<String, Double> onDemandPrice = new HashMap<>();
        Map<String, double[]> byRole = new LinkedHashMap<>();  // as in of()
        OffsetDateTime now = OffsetDateTime.now();
        for (InstanceRow row : records.instances(run.name)) {
            Instant start = max(row.requestedAt().toInstant(), from);
            Instant end = min(paidUntil(row, now).toInstant(), to);
            double[] sums = byRole.computeIfAbsent(row.role(), k -> new double[5]);
            if (end.isAfter(start)) { // else not running during the window
                add(sums, run, row, start, end, price, onDemandPrice);
            }
        }
        List<PhaseCost.RoleCost> roles = new ArrayList<>();
        byRole.forEach((role, s) -> roles.add(new PhaseCost.RoleCost(role, (int) s[0], s[1], s[2], s[4] > 0 ? null : s[3])));
        return roles;
    }

    /**
     * An instance's on-demand price an hour: as recorded at its request, else the provider's list price for its
     * type; null when neither knows.
     */
    private static Double onDemandHourly(TestRun run, InstanceRow row, Map<String, Double> known) {
        if (row.onDemandUsdPerHour() != null) {
            return row.onDemandUsdPerHour();
        }
        String type = instanceType(run, row.instanceId());
        if (type == null || !(run.provider instanceof OnDemandPrices list)) {
            return null;
        }
        if (!known.containsKey(type)) {
            OptionalDouble hourly = list.onDemandHourly(type);
            known.put(type, hourly.isPresent() ? hourly.getAsDouble() : null);
        }
        return known.get(type);
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
