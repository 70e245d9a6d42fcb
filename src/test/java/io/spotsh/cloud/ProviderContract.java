package io.spotsh.cloud;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every provider must do, whatever cloud is behind it. A provider's test extends this and supplies the
 * provider, a zone with room, and a request it refuses for capacity (the local cloud has a launch option for
 * that; the aws provider's test injects the refusal around moto).
 */
public abstract class ProviderContract {
    protected abstract Provider provider();

    /** A zone that has room for a few instances. */
    protected abstract String zone();

    /** A request for {@code zone} that the provider refuses for lack of capacity there. */
    protected abstract LaunchRequest beyondCapacity(String test, String zone);

    protected String instanceType() {
        return "m1.xlarge";
    }

    /** How long a terminated instance may take to show as terminated. */
    protected Duration terminationTimeout() {
        return Duration.ofSeconds(30);
    }

    protected LaunchRequest request(String test, String role, int count) {
        Instant now = Instant.now();
        return new LaunchRequest(test, role, count, zone(), instanceType(), null, "#!/bin/sh\ntrue\n",
                Tags.of(test, role, "contract", now, now.plus(Duration.ofHours(1))), Map.of());
    }

    @Test
    void launchedInstancesRunWithTheirTagsUntilTerminated() {
        String test = uniqueTest();
        List<Instance> launched = provider().launch(request(test, "data", 3));
        assertEquals(3, launched.size());
        assertEquals(3, ids(launched).size(), "ids are distinct");

        List<Instance> described = provider().describe(ids(launched));
        assertEquals(ids(launched), ids(described));
        for (Instance i : described) {
            assertTrue(i.state().live(), i.toString());
            assertEquals(zone(), i.zone());
            assertEquals(test, i.test());
            assertEquals("data", i.role());
            assertTrue(i.tags().containsKey(Tags.EXPIRES), i.tags().toString());
            assertTrue(i.address() != null && i.sshPort() > 0, i.toString());
        }
        assertTrue(ids(provider().tagged()).containsAll(ids(launched)), "tagged() lists them");

        TerminateResult result = provider().terminate(new ArrayList<>(ids(launched)));
        assertEquals(ids(launched), Set.copyOf(result.accepted()));
        assertTrue(result.failed().isEmpty(), result.failed().toString());
        for (Instance i : awaitTerminated(ids(launched))) {
            assertEquals(InstanceState.TERMINATED, i.state(), i.toString());
        }
        assertFalse(ids(provider().tagged()).stream().anyMatch(ids(launched)::contains), "tagged() lists live ones only");
    }

    @Test
    void aBadIdDoesNotStopTheOthers() {
        List<Instance> launched = provider().launch(request(uniqueTest(), "client", 2));
        List<String> asked = new ArrayList<>(ids(launched));
        asked.add(1, "i-0000000000000dead");
        asked.add("not-an-id");

        TerminateResult result = provider().terminate(asked);

        assertEquals(ids(launched), Set.copyOf(result.accepted()));
        assertEquals(Set.of("i-0000000000000dead", "not-an-id"), result.failed().keySet());
        awaitTerminated(ids(launched));
    }

    @Test
    void describeLeavesOutUnknownIds() {
        List<Instance> launched = provider().launch(request(uniqueTest(), "data", 2));
        try {
            List<String> asked = new ArrayList<>(ids(launched));
            asked.add("i-0000000000000beef");
            assertEquals(ids(launched), ids(provider().describe(asked)));
            assertTrue(provider().describe(List.of()).isEmpty());
        } finally {
            provider().terminate(ids(launched));
        }
    }

    @Test
    void aCapacityRefusalNamesTheZone() {
        String test = uniqueTest();
        CapacityException refused = assertThrows(CapacityException.class,
                () -> provider().launch(beyondCapacity(test, zone())));
        assertEquals(zone(), refused.zone());
        assertTrue(refused.getMessage().contains(zone()), refused.getMessage());
        assertTrue(provider().tagged().stream().noneMatch(i -> test.equals(i.test())), "a refused request launches nothing");
    }

    @Test
    void zonesComeCheapestFirst() {
        List<Zone> zones = provider().zones(instanceType());
        assertFalse(zones.isEmpty());
        for (int n = 1; n < zones.size(); n++) {
            assertTrue(zones.get(n - 1).spotPrice() <= zones.get(n).spotPrice(), zones.toString());
        }
        assertTrue(zones.stream().anyMatch(z -> z.name().equals(zone())), zones.toString());
    }

    protected List<Instance> awaitTerminated(Set<String> ids) {
        return CloudTests.await(ids.size() + " instances terminated", terminationTimeout(), () -> {
            List<Instance> now = provider().describe(ids);
            return now.stream().allMatch(i -> i.state() == InstanceState.TERMINATED) ? now : null;
        });
    }

    protected static Set<String> ids(List<Instance> instances) {
        return instances.stream().map(Instance::id).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    protected static String uniqueTest() {
        return "contract-" + Long.toString(System.nanoTime(), 36);
    }
}
