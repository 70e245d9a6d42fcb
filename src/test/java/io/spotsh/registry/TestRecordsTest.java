package io.spotsh.registry;

import io.spotsh.registry.TestRecords.InstanceRow;
import io.spotsh.registry.TestRecords.NodeRow;
import io.spotsh.registry.TestRecords.Ownership;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the workflow records about a test, written and read back through a real embedded registry. */
class TestRecordsTest {
    private static TestRegistry fixture;
    private static Registry registry;
    private static TestRecords records;

    @BeforeAll
    static void start() {
        fixture = TestRegistry.start();
        registry = fixture.registry;
        records = new TestRecords(() -> registry);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static void create(String name) {
        records.create(name, "generic", "local", Map.of("requests", 5), Duration.ofHours(1));
    }

    private static List<Object> eventKinds(String test) {
        return registry.events(test).stream().map(e -> e.get("kind")).toList();
    }

    @Test
    void theRegistryHasOneIdThatStaysAndItIsInWhere() {
        String id = registry.id();
        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), id);
        assertEquals(id, records.registryId());
        assertEquals(List.of(Map.of("id", id)), registry.sql("SELECT id::text AS id FROM spotsh.registry_identity"),
                "one row, the same id");
        assertTrue(registry.where().contains("id " + id), registry.where());
        assertThrows(RegistryException.class, () -> registry.sql("INSERT INTO spotsh.registry_identity DEFAULT VALUES"),
                "a second id cannot be made");
    }

    @Test
    void aTestRecordsItsRegionAndEachZoneOnce() {
        create("placed");
        records.setRegion("placed", "eu-west-1");
        records.addZone("placed", "eu-west-1b");
        records.addZone("placed", "eu-west-1a");
        records.addZone("placed", "eu-west-1b");
        create("elsewhere");
        records.setRegion("elsewhere", "us-east-2");

        Ownership placed = records.ownerships().stream().filter(o -> o.name().equals("placed")).findFirst().orElseThrow();
        assertEquals("local", placed.provider());
        assertEquals("eu-west-1", placed.region());
        assertEquals(List.of("eu-west-1b", "eu-west-1a"), placed.zones());
        assertEquals("eu-west-1", records.region("placed"));
        assertTrue(records.regions("local").containsAll(List.of("eu-west-1", "us-east-2")), records.regions("local").toString());
        assertEquals(List.of(), records.regions("nowhere"));

        records.recordInstances("placed", "data", List.of("i-placed1"), "eu-west-1b");
        assertTrue(records.recorded("i-placed1"));
        assertFalse(records.recorded("i-never"));
    }

    @Test
    void theTestItsStateOwnerKeepAndSizing() {
        create("own");
        records.setState("own", "running");
        records.setOwner("own", "host:42:1000", false);
        records.setKeep("own", true);
        Map<String, Integer> sizing = new LinkedHashMap<>();
        sizing.put("client", 2);
        sizing.put("data", 6);
        records.setSizing("own", sizing);

        assertEquals("running", records.test("own").state());
        assertEquals(Map.of("requests", 5L), records.test("own").params());
        Ownership owner = records.ownerships().stream().filter(o -> o.name().equals("own")).findFirst().orElseThrow();
        assertEquals(new Ownership("own", "running", records.test("own").expiresAt(), true, "host:42:1000", "local", null,
                List.of()), owner);
        assertEquals(List.of("data", "client"), List.copyOf(records.sizing("own").keySet()), "as jsonb keeps it");
        assertEquals(Map.of("data", 6, "client", 2), records.sizing("own"));

        create("unsized");
        assertNull(records.sizing("unsized"));
        records.delete("unsized");
        assertThrows(RegistryException.class, () -> records.test("unsized"));
    }

    @Test
    void instancesInRequestOrderWithTheirStatesAndTheMissing() {
        create("inst");
        records.recordInstances("inst", "data", List.of("i-1", "i-2"), "zone-a");
        records.recordInstances("inst", "client", List.of("i-3"), "zone-a");
        registry.register("inst", "data", "i-2", "10.0.0.2", "h2", null);
        records.setInstanceState("inst", "i-1", "dud");

        List<InstanceRow> rows = records.instances("inst");
        assertEquals(List.of("i-1", "i-2", "i-3"), rows.stream().map(InstanceRow::instanceId).toList());
        assertEquals(List.of("dud", "running", "requested"), rows.stream().map(InstanceRow::state).toList());
        assertEquals(List.of(false, true, true), rows.stream().map(InstanceRow::expected).toList());
        assertEquals(List.of("data", "data", "client"), rows.stream().map(InstanceRow::role).toList());
        assertTrue(rows.stream().allMatch(r -> r.zone().equals("zone-a") && r.requestedAt() != null && r.stateChangedAt() != null));
        assertEquals(List.of("i-3"), records.missing("inst"));
        assertTrue(eventKinds("inst").containsAll(List.of("instances-requested", "instance-state")), eventKinds("inst").toString());
    }

    @Test
    void registeredNodesDataFirstThenByRoleAndNumberAndMarkingDeadFreesTheNumber() {
        create("nodes");
        records.recordInstances("nodes", "data", List.of("i-d1", "i-d2", "i-d3"), null);
        records.recordInstances("nodes", "client", List.of("i-c1"), null);
        records.recordInstances("nodes", "broker", List.of("i-b1"), null);
        registry.register("nodes", "client", "i-c1", "10.0.1.1", "c1", "ssh-ed25519 AAAA c1");
        registry.register("nodes", "data", "i-d1", "10.0.0.1", "d1", null);
        registry.register("nodes", "broker", "i-b1", "10.0.2.1", "b1", null);
        registry.register("nodes", "data", "i-d2", "10.0.0.2", "d2", null);

        assertEquals(List.of(new NodeRow("data", 1, "i-d1", "10.0.0.1", "d1", null), new NodeRow("data", 2, "i-d2", "10.0.0.2", "d2", null),
                new NodeRow("broker", 1, "i-b1", "10.0.2.1", "b1", null), new NodeRow("client", 1, "i-c1", "10.0.1.1", "c1", "ssh-ed25519 AAAA c1")),
                records.registeredNodes("nodes"));
        assertTrue(records.isRegistered("nodes", "i-d1"));
        assertFalse(records.isRegistered("nodes", "i-d3"), "requested, never registered");

        records.markDead("nodes", "i-d1", "no SSH");
        assertFalse(records.isRegistered("nodes", "i-d1"));
        assertEquals(1, registry.register("nodes", "data", "i-d3", "10.0.0.3", "d3", null), "the replacement takes number 1");
    }

    @Test
    void registeredNodesAreReadAgainWhenAnythingInThemChanged() {
        create("digest");
        records.recordInstances("digest", "data", List.of("i-g1", "i-g2", "i-g3"), null);
        assertEquals(List.of(), records.registeredNodes("digest"), "none yet");
        registry.register("digest", "data", "i-g1", "10.0.0.1", "g1", null);
        registry.register("digest", "data", "i-g2", "10.0.0.2", "g2", null);
        List<NodeRow> first = records.registeredNodes("digest");
        assertEquals(List.of(new NodeRow("data", 1, "i-g1", "10.0.0.1", "g1", null),
                new NodeRow("data", 2, "i-g2", "10.0.0.2", "g2", null)), first);
        assertSame(first, records.registeredNodes("digest"), "nothing changed: the list read last, not sent again");

        // the same count, one field changed; then NULL against the empty text, which differ as rows do
        registry.sql("UPDATE spotsh.nodes SET host_key = 'ssh-ed25519 AAAA g2' WHERE instance_id = 'i-g2'");
        assertEquals("ssh-ed25519 AAAA g2", records.registeredNodes("digest").get(1).hostKey());
        registry.sql("UPDATE spotsh.nodes SET host_key = '' WHERE instance_id = 'i-g2'");
        assertEquals("", records.registeredNodes("digest").get(1).hostKey());
        registry.sql("UPDATE spotsh.nodes SET host_key = NULL WHERE instance_id = 'i-g2'");
        assertNull(records.registeredNodes("digest").get(1).hostKey());

        // a dead node leaves; its replacement takes its number: the same number, another instance
        records.markDead("digest", "i-g1", "no SSH");
        assertEquals(List.of("i-g2"), records.registeredNodes("digest").stream().map(NodeRow::instanceId).toList());
        registry.register("digest", "data", "i-g3", "10.0.0.3", "g3", null);
        List<NodeRow> replaced = records.registeredNodes("digest");
        assertEquals(List.of(new NodeRow("data", 1, "i-g3", "10.0.0.3", "g3", null),
                new NodeRow("data", 2, "i-g2", "10.0.0.2", "g2", null)), replaced);
        assertEquals(replaced, new TestRecords(() -> registry).registeredNodes("digest"), "a reader with nothing read yet agrees");
    }

    @Test
    void terminatedInstancesEndTheirNodesAndTheLastOneEndsTheTest() {
        create("ending");
        records.setState("ending", "running");
        records.recordInstances("ending", "data", List.of("i-1", "i-2"), null);
        registry.register("ending", "data", "i-1", "10.0.0.1", "h1", null);
        int eventsBefore = registry.events("ending").size();

        records.markTerminated("ending", "i-1");
        records.terminateIfNothingLeft("ending");
        assertEquals("running", records.test("ending").state(), "i-2 is still there");
        assertFalse(records.isRegistered("ending", "i-1"));
        assertEquals("dead", registry.nodes("ending").get(0).get("state"));

        records.markTerminated("ending", "i-2");
        records.terminateIfNothingLeft("ending");
        assertEquals("terminated", records.test("ending").state());
        assertEquals(List.of("terminated", "terminated"), records.instances("ending").stream().map(InstanceRow::state).toList());
        assertEquals(List.of("test-state"), registry.events("ending").subList(eventsBefore, registry.events("ending").size())
                .stream().map(e -> e.get("kind")).toList(), "quietly, but for the test's end");

        create("finished-before");
        records.setState("finished-before", "finished");
        records.terminateIfNothingLeft("finished-before");
        assertEquals("finished", records.test("finished-before").state(), "a closed test stays as it closed");
    }

    @Test
    void eventsRunsAndPhases() {
        create("runs");
        records.event("runs", "ready", "data", "i-1", "6 nodes reported in");
        long run = records.startRun("runs", "results/runs/r1");
        long load = records.startPhase("runs", "load", run);
        records.endPhase(load, "ok", 12.5, null);
        long read = records.startPhase("runs", "read", run);
        records.endPhase(read, "failed", 2.0, "exit 1");
        records.runCollected(run, "/tmp/results/runs/r1", "/tmp/results/runs/r1.tar.gz", "/tmp/results/runs/r1/summary.csv", null);
        long second = records.startRun("runs", "results/runs/r2");
        records.runFailed(second, "no SSH");
        records.startPhase("runs", "loose", null);

        Map<String, Object> ready = registry.events("runs").stream().filter(e -> "ready".equals(e.get("kind"))).findFirst().orElseThrow();
        assertEquals("data", ready.get("role"));
        assertEquals("i-1", ready.get("instance_id"));
        assertEquals("6 nodes reported in", ready.get("message"));
        List<Map<String, Object>> runs = registry.runs("runs");
        assertEquals(2, runs.size());
        assertEquals("collected", runs.get(0).get("status"));
        assertEquals("load ok 12.5s, read failed 2.0s", runs.get(0).get("phases"));
        assertEquals("/tmp/results/runs/r1", runs.get(0).get("results_dir"));
        assertEquals("/tmp/results/runs/r1.tar.gz", runs.get(0).get("archive"));
        assertEquals("failed", runs.get(1).get("status"));
        assertEquals("no SSH", registry.sql("SELECT message FROM spotsh.runs WHERE id = ?", second).get(0).get("message"));
        assertEquals("running", registry.sql("SELECT p.status FROM spotsh.phases p WHERE p.name = 'loose'").get(0).get("status"));
    }
}
