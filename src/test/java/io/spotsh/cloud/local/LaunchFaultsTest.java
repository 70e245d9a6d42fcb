package io.spotsh.cloud.local;

import io.spotsh.cloud.CapacityException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchFaultsTest {
    private static final List<String> IDS = IntStream.range(0, 100).mapToObj(i -> String.format("i-%017x", i)).toList();

    @Test
    void ratesPickTheExpectedShareAndDudsAreNotAlsoUnreachable() {
        List<LaunchFaults.Plan> plans = LaunchFaults.parse(Map.of("dudRate", 0.05, "sshUnreachableRate", 0.1, "seed", 7))
                .plan(IDS);
        assertEquals(5, plans.stream().filter(LaunchFaults.Plan::dud).count());
        assertEquals(10, plans.stream().filter(LaunchFaults.Plan::sshUnreachable).count());
        assertTrue(plans.stream().noneMatch(p -> p.dud() && p.sshUnreachable()));
    }

    @Test
    void aSeedMakesThePlanRepeatable() {
        Map<String, Object> options = Map.of("dudRate", 0.3, "slowBoot", "1s..9s", "seed", 42);
        assertEquals(LaunchFaults.parse(options).plan(IDS), LaunchFaults.parse(options).plan(IDS));
    }

    @Test
    void slowBootDelaysStayInTheirRange() {
        for (Object range : List.of("2s..20s", List.of(2, 20))) {
            for (LaunchFaults.Plan p : LaunchFaults.parse(Map.of("slowBoot", range)).plan(IDS)) {
                assertTrue(p.bootDelay().compareTo(Duration.ofSeconds(2)) >= 0 && p.bootDelay().compareTo(Duration.ofSeconds(20)) <= 0,
                        p.bootDelay().toString());
            }
        }
        assertEquals(Duration.ofMillis(500), LaunchFaults.parse(Map.of("slowBoot", "500ms")).plan(IDS).get(0).bootDelay());
    }

    @Test
    void reclaimsPickBootingInstancesOrTheNamedOnes() {
        List<LaunchFaults.Plan> plans = LaunchFaults.parse(Map.of("dudRate", 0.5, "reclaim",
                Map.of("count", 3, "after", "30s", "notice", "5s"))).plan(IDS);
        List<LaunchFaults.Plan> reclaimed = plans.stream().filter(p -> p.reclaimAfter() != null).toList();
        assertEquals(3, reclaimed.size());
        assertTrue(reclaimed.stream().noneMatch(LaunchFaults.Plan::dud), "a count reclaims nodes that boot");
        assertEquals(Duration.ofSeconds(30), reclaimed.get(0).reclaimAfter());
        assertEquals(Duration.ofSeconds(5), reclaimed.get(0).notice());

        List<LaunchFaults.Plan> named = LaunchFaults.parse(Map.of("reclaim", List.of(
                Map.of("nodes", List.of(0, IDS.get(9)), "after", 1)))).plan(IDS);
        assertEquals(List.of(0, 9), IntStream.range(0, IDS.size()).filter(i -> named.get(i).reclaimAfter() != null).boxed().toList());
        assertEquals(Duration.ofSeconds(120), named.get(0).notice(), "EC2's two minutes by default");
    }

    @Test
    void badOptionsAreRefusedWithTheirName() {
        assertMessage("unknown local cloud launch option 'dudrate'", Map.of("dudrate", 0.1));
        assertMessage("dudRate must be between 0 and 1", Map.of("dudRate", 5));
        assertMessage("slowBoot: 'soon' is not a duration", Map.of("slowBoot", "soon"));
        assertMessage("slowBoot: the range 9s..1s ends before it starts", Map.of("slowBoot", "9s..1s"));
        assertMessage("capacity must be a map", Map.of("capacity", 3));
        assertMessage("disks must be 1..8", Map.of("disks", 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchFaults.parse(Map.of("reclaim", Map.of("nodes", List.of(500)))).plan(IDS));
        assertTrue(e.getMessage().contains("'500' is neither an index"), e.getMessage());
    }

    @Test
    void capacityIsPerZoneAndCountsWhatAlreadyRuns() {
        LaunchFaults faults = LaunchFaults.parse(Map.of("capacity", Map.of("local-a", 10)));
        faults.checkCapacity("local-a", "m1.xlarge", 7, 3);
        faults.checkCapacity("local-b", "m1.xlarge", 500, 100);
        CapacityException refused = assertThrows(CapacityException.class,
                () -> faults.checkCapacity("local-a", "m1.xlarge", 5, 7));
        assertEquals("local-a", refused.zone());
        assertTrue(refused.getMessage().contains("local-a has capacity for 3 more (7 of 10 in use)"), refused.getMessage());
    }

    @Test
    void addressesSkipLiveAndBusyOnesAndResumeAfterTheHighest() {
        AddressPool pool = new AddressPool(List.of("127.100.0.1", "127.100.0.2"), List.of("127.100.0.2"),
                ip -> !ip.equals("127.100.0.4"));
        assertEquals("127.100.0.3", pool.allocate());
        assertEquals("127.100.0.5", pool.allocate(), "something else listens on .4");
        AddressPool wrap = new AddressPool(List.of("127.100.0.254"), List.of(), ip -> true);
        assertEquals("127.100.1.1", wrap.allocate(), ".255 and .0 are skipped");
    }

    private static void assertMessage(String expected, Map<String, Object> options) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LaunchFaults.parse(options));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
