package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Pricing;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.cloud.Zone;
import io.spotsh.collect.PhaseCost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Costs on the real registry: instance-hours (requested until terminated or reclaimed) times the zone's spot price,
 * per role and in total; a provider with a price history is asked for each instance's span instead.
 */
class CostsTest {
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 1, 2, 5, 0, 0, 0, ZoneOffset.UTC);

    private final HelperKit kit = new HelperKit();

    @AfterEach
    void close() {
        kit.close();
    }

    /** An ended instance of the test: requested at T0 + {@code from} hours, gone (in {@code state}) at T0 + {@code to}. */
    private void ended(String test, String role, String id, String zone, String state, int from, int to) {
        kit.records.recordInstances(test, role, List.of(id), zone);
        kit.records.setInstanceState(test, id, state);
        kit.registry.sql("UPDATE spotsh.instances SET requested_at = ?, state_changed_at = ? WHERE instance_id = ?",
                T0.plusHours(from), T0.plusHours(to), id);
    }

    private TestRun endedTest(Provider provider) {
        String name = HelperKit.unique("costs");
        kit.records.create(name, "generic", provider.name(), Map.of(), Duration.ofHours(6));
        ended(name, "data", name + "-d1", "fake-a", "terminated", 0, 1);
        ended(name, "data", name + "-d2", "fake-a", "reclaimed", 0, 3);
        ended(name, "client", name + "-c1", "fake-b", "terminated", 1, 3);
        return new TestRun(name, "generic", provider, "fake-a", "m5d.xlarge", null, Map.of(), false, true);
    }

    private static Map<String, Object> row(String role, int instances, double hours, double usd) {
        return row(role, instances, hours, usd, null, null);
    }

    private static Map<String, Object> row(String role, int instances, double hours, double usd, Double onDemand,
                                           Double savingPct) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("role", role);
        row.put("instances", instances);
        row.put("instance_hours", hours);
        row.put("usd", usd);
        row.put("on_demand_usd", onDemand);
        row.put("saving_pct", savingPct);
        return row;
    }

    private static void assertRows(List<Map<String, Object>> expected, List<Map<String, Object>> actual) {
        assertEquals(expected.size(), actual.size(), actual.toString());
        for (int i = 0; i < expected.size(); i++) {
            Map<String, Object> e = expected.get(i);
            Map<String, Object> a = actual.get(i);
            assertEquals(e.keySet().stream().toList(), a.keySet().stream().toList());
            assertEquals(e.get("role"), a.get("role"));
            assertEquals(e.get("instances"), a.get("instances"));
            assertEquals((Double) e.get("instance_hours"), (Double) a.get("instance_hours"), 1e-9, a.toString());
            assertEquals((Double) e.get("usd"), (Double) a.get("usd"), 1e-9, a.toString());
            if (e.get("on_demand_usd") == null) {
                assertEquals(null, a.get("on_demand_usd"), a.toString());
                assertEquals(null, a.get("saving_pct"), a.toString());
            } else {
                assertEquals((Double) e.get("on_demand_usd"), (Double) a.get("on_demand_usd"), 1e-9, a.toString());
                assertEquals((Double) e.get("saving_pct"), (Double) a.get("saving_pct"), 1e-9, a.toString());
            }
        }
    }

    @Test
    void instanceHoursTimesTheZonesSpotPricePerRoleAndInTotal() {
        List<Map<String, Object>> cost = new Costs(kit.records).of(endedTest(kit.cloud));

        // fake-a costs 0.05 an hour, fake-b 0.06; a reclaimed instance was paid until the reclaim
        assertRows(List.of(row("data", 2, 4.0, 0.20), row("client", 1, 2.0, 0.12), row("total", 3, 6.0, 0.32)), cost);
    }

    @Test
    void aProviderWithAPriceHistoryIsAskedForEachInstancesSpan() {
        List<String> asked = new java.util.ArrayList<>();
        Provider history = new PricedCloud(kit.cloud, (zone, type, from, to) -> {
            asked.add(zone + " " + type + " " + Duration.between(from, to).toHours() + "h");
            return zone.equals("fake-a") ? 1.0 : 10.0;
        });

        List<Map<String, Object>> cost = new Costs(kit.records).of(endedTest(history));

        assertEquals(List.of("fake-a m5d.xlarge 1h", "fake-a m5d.xlarge 3h", "fake-b m5d.xlarge 2h"), asked);
        assertRows(List.of(row("data", 2, 4.0, 2.0), row("client", 1, 2.0, 10.0), row("total", 3, 6.0, 12.0)), cost);
    }

    /**
     * A phase from T0 + 0.5 h to T0 + 2.5 h: data-1 ran 0.5 h of it, data-2 2 h, client-1 1.5 h (from T0 + 1 h);
     * at 0.05 (fake-a) and 0.06 (fake-b) USD an hour. No on-demand price is known.
     */
    @Test
    void aPhaseCostsWhatItsInstancesRanInsideItsWindow() {
        TestRun run = endedTest(kit.cloud);
        List<PhaseCost.RoleCost> roles = new Costs(kit.records).during(run, T0.plusMinutes(30).toInstant(),
                T0.plusMinutes(150).toInstant());

        assertEquals(List.of("data", "client"), roles.stream().map(PhaseCost.RoleCost::role).toList());
        assertEquals(2, roles.get(0).instances());
        assertEquals(2.5, roles.get(0).instanceHours(), 1e-9);
        assertEquals(0.125, roles.get(0).spotUsd(), 1e-9);
        assertEquals(1.5, roles.get(1).instanceHours(), 1e-9);
        assertEquals(0.09, roles.get(1).spotUsd(), 1e-9);
        assertEquals(null, roles.get(0).onDemandUsd());
        // a window before anything was requested costs nothing
        assertEquals(0.0, new Costs(kit.records).during(run, T0.minusHours(2).toInstant(), T0.toInstant())
                .stream().mapToDouble(PhaseCost.RoleCost::spotUsd).sum(), 0.0);
    }

    /**
     * On-demand prices from known list prices: data-1 1 h and data-2 3 h at 0.25, client-1 2 h at 0.30 (the client's
     * price recorded at its request wins over the provider's); spot as in the first test (0.05 and 0.06 an hour).
     */
    @Test
    void onDemandCostAndSavingFromKnownPrices() {
        TestRun run = endedTest(new OnDemandCloud(kit.cloud, 0.25));
        kit.records.recordPrices(run.name, List.of(run.name + "-c1"), "m5d.xlarge", 0.06, 0.30);

        List<Map<String, Object>> cost = new Costs(kit.records).of(run);

        // data: 0.20 spot against 1.00 on demand, 80 %; client: 0.12 against 0.60, 80 %; total 0.32 against 1.60
        assertRows(List.of(row("data", 2, 4.0, 0.20, 1.00, 80.0), row("client", 1, 2.0, 0.12, 0.60, 80.0),
                row("total", 3, 6.0, 0.32, 1.60, 80.0)), cost);
        List<PhaseCost.RoleCost> phase = new Costs(kit.records).during(run, T0.plusMinutes(30).toInstant(),
                T0.plusMinutes(150).toInstant());
        assertEquals(2.5 * 0.25, phase.get(0).onDemandUsd(), 1e-9);
        assertEquals(1.5 * 0.30, phase.get(1).onDemandUsd(), 1e-9);
    }

    /** One instance without any on-demand price makes its role's (and the total's) on-demand figure unknown. */
    @Test
    void anUnknownOnDemandPriceIsNotGuessed() {
        TestRun run = endedTest(kit.cloud);
        kit.records.recordPrices(run.name, List.of(run.name + "-d1"), "m5d.xlarge", 0.05, 0.25);

        List<Map<String, Object>> cost = new Costs(kit.records).of(run);

        assertEquals(null, cost.get(0).get("on_demand_usd"));
        assertEquals(null, cost.get(2).get("on_demand_usd"));
    }

    /** A provider that knows on-demand list prices: one price for every type. */
    private record OnDemandCloud(Provider cloud, double hourly) implements Provider, io.spotsh.cloud.OnDemandPrices {
        public String name() { return cloud.name(); }
        public List<Instance> launch(LaunchRequest request) { return cloud.launch(request); }
        public List<Instance> describe(Collection<String> ids) { return cloud.describe(ids); }
        public TerminateResult terminate(Collection<String> ids) { return cloud.terminate(ids); }
        public List<Instance> tagged() { return cloud.tagged(); }
        public List<Zone> zones(String instanceType) { return cloud.zones(instanceType); }
        public java.util.OptionalDouble onDemandHourly(String type) { return java.util.OptionalDouble.of(hourly); }
    }

    /** A provider that knows what its instances cost by its price history. */
    private record PricedCloud(Provider cloud, Pricing pricing) implements Provider, Pricing {
        public String name() { return cloud.name(); }
        public List<Instance> launch(LaunchRequest request) { return cloud.launch(request); }
        public List<Instance> describe(Collection<String> ids) { return cloud.describe(ids); }
        public TerminateResult terminate(Collection<String> ids) { return cloud.terminate(ids); }
        public List<Instance> tagged() { return cloud.tagged(); }
        public List<Zone> zones(String instanceType) { throw new AssertionError("the price history is asked, not today's price"); }
        public double cost(String zone, String type, Instant from, Instant to) { return pricing.cost(zone, type, from, to); }
    }
}
