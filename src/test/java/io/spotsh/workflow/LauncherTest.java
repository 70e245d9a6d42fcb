package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.registry.RegistryException;
import io.spotsh.registry.TestRecords.InstanceRow;
import io.spotsh.registry.TestRecords.Ownership;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Launcher on the fake cloud and the real registry: requests, records, zone fallback, replacements, dry runs. */
class LauncherTest {
    private final HelperKit kit = new HelperKit();

    @AfterEach
    void close() {
        kit.close();
    }

    @Test
    void oneRequestPerRoleAndEveryInstanceIdRecordedAsExpected() {
        String name = HelperKit.unique("launch");
        TestRun run = kit.launch(name, 3, 2);

        assertEquals(2, kit.cloud.launchCalls.get(), "one request per role");
        List<InstanceRow> rows = kit.records.instances(name);
        assertEquals(kit.cloud.instances.keySet(), rows.stream().map(InstanceRow::instanceId).collect(Collectors.toSet()));
        assertEquals(List.of("data", "data", "data", "client", "client"), rows.stream().map(InstanceRow::role).toList());
        assertTrue(rows.stream().allMatch(r -> r.expected() && r.zone().equals("fake-a")), rows.toString()); // running once registered
        assertEquals(run.instances.keySet(), kit.cloud.instances.keySet(), "the run knows every instance the cloud gave");
        assertEquals("fake-a", run.zone);
        assertEquals("running", kit.records.test(name).state());
        Ownership owner = kit.records.ownerships().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
        assertEquals(OwnerProcess.current().toString(), owner.ownerProcess());
        assertFalse(owner.keep());
        for (Instance i : kit.cloud.instances.values()) {
            assertEquals(name, i.test(), "every instance carries the test's tags");
        }
    }

    @Test
    void aZoneThatRefusesPartWayIsAbandonedAndTheNextZoneSuppliesTheWholeCluster() {
        kit.cloud.refusingRoles.add("fake-a/client");
        String name = HelperKit.unique("fallback");
        TestRun run = kit.launch(name, 2, 1);

        assertEquals("fake-b", run.zone);
        Map<String, List<Boolean>> expectedByZone = kit.records.instances(name).stream().collect(Collectors.groupingBy(
                InstanceRow::zone, Collectors.mapping(InstanceRow::expected, Collectors.toList())));
        assertEquals(List.of(false, false), expectedByZone.get("fake-a"), "the data nodes launched there before the refusal");
        assertTrue(kit.records.instances(name).stream().filter(r -> r.zone().equals("fake-a")).allMatch(r -> r.state().equals("terminated")));
        assertEquals(List.of(true, true, true), expectedByZone.get("fake-b"));
        assertEquals(3, kit.cloud.live());
        assertTrue(kit.cloud.tagged().stream().allMatch(i -> i.zone().equals("fake-b")));
        List<String> events = kit.registry.events(name).stream().map(e -> e.get("kind") + ": " + e.get("message")).toList();
        assertTrue(events.contains("capacity-refused: fake-a InsufficientInstanceCapacity: no m5d.xlarge capacity in fake-a"), events.toString());
        assertTrue(events.contains("abandoned: 2 instances terminated: zone fake-a could not supply the whole cluster"), events.toString());
    }

    @Test
    void aPinnedZoneThatRefusesFailsTheTestAndLeavesNothing() {
        kit.cloud.refusingRoles.add("fake-b/client");
        String name = HelperKit.unique("pinned");
        LaunchSpec spec = LaunchSpec.from(Map.of("name", name, "dataNodes", 2, "az", "fake-b"), "fake", p -> List.of(), false, false);
        WorkflowException e = assertThrows(WorkflowException.class,
                () -> kit.launcher().launch(spec, Map.of("data", 2, "client", 1), kit.cloud));
        assertTrue(e.getMessage().startsWith("cluster.launch " + name + ": zone fake-b refused m5d.xlarge (InsufficientInstanceCapacity)"),
                e.getMessage());
        assertEquals(0, kit.cloud.live());
        assertEquals("failed", kit.records.test(name).state());
    }

    @Test
    void replacingMarksTheOldAsDudsKeepsThemRunningAndExpectsTheNew() throws InterruptedException {
        TestRun run = kit.launchWithADud(HelperKit.unique("replace"), 3, 0);
        String name = run.name;
        String dud = kit.dud();
        kit.awaitRegistered(run, 2);

        List<String> fresh = kit.launcher().replace(run, List.of(dud), false);

        assertEquals(1, fresh.size());
        Map<String, InstanceRow> rows = kit.records.instances(name).stream()
                .collect(Collectors.toMap(InstanceRow::instanceId, r -> r));
        assertEquals("dud", rows.get(dud).state());
        assertTrue(rows.get(fresh.get(0)).expected());
        assertEquals(Set.of(dud), run.keptDuds);
        assertTrue(kit.cloud.instances.get(dud).state().live(), "kept running until the first phase");
        assertEquals("fake-a", kit.cloud.instances.get(fresh.get(0)).zone(), "replacements go where the cluster is");
        assertTrue(kit.logged().contains("Replacing 1 data instances: " + dud + " -> " + fresh.get(0)), kit.logged());

        run.endKeptDuds(kit.log);
        assertFalse(kit.cloud.instances.get(dud).state().live());
        assertTrue(run.keptDuds.isEmpty());
    }

    @Test
    void replacingAnInstanceOfAnotherTestIsAnError() {
        String name = HelperKit.unique("foreign");
        TestRun run = kit.launch(name, 1, 0);
        WorkflowException e = assertThrows(WorkflowException.class, () -> kit.launcher().replace(run, List.of("i-nothere"), false));
        assertEquals("replace: i-nothere is not an instance of test " + name, e.getMessage());
        assertEquals(1, kit.cloud.launchCalls.get());
    }

    @Test
    void aDryRunPricesTheRequestsAndLeavesNoTestBehind(@TempDir Path results) {
        String name = HelperKit.unique("dry");
        LaunchSpec spec = LaunchSpec.from(Map.of("name", name, "dataNodes", 3, "dryRun", true), "fake", p -> List.of(), false, false);
        double hourly = kit.launcher().dryRun(spec, Map.of("data", 3), kit.cloud, results);

        assertEquals(0.15, hourly, 1e-9, "3 instances at fake-a's 0.05 an hour");
        assertEquals(0, kit.cloud.launchCalls.get());
        assertThrows(RegistryException.class, () -> kit.records.test(name));
        String row = kit.logged().lines().filter(l -> l.matches("\\S+ \\S+ data .*")).findFirst().orElse("");
        assertTrue(row.matches(".* data +3 +m5d\\.xlarge +fake-a +on-demand +0\\.0500 +unknown"
                + " +not checked: fake has no dry run +- +test=" + name + " role=data .*"), kit.logged());
        assertFalse(Files.exists(results.resolve(name)), "a provider without a dry run has no requests to keep");
    }
}
