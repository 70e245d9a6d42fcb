package io.spotsh.workflow;

import io.spotsh.common.StatusLine;
import io.spotsh.registry.TestRecords.InstanceRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Waiter on the fake cloud and the real registry: what it logs, when it replaces, what it learns from the cloud. */
class WaiterTest {
    private final HelperKit kit = new HelperKit();
    private final List<String> shown = new CopyOnWriteArrayList<>();
    private final StatusLine statusLine = new StatusLine() {
        @Override
        public void show(String text) {
            shown.add(text);
        }

        @Override
        public void clear() {
            shown.add("(cleared)");
        }
    };

    @AfterEach
    void close() {
        kit.close();
    }

    private Waiter waiter(Map<String, ?> settings) {
        return new Waiter(kit.records, new RegisteredNodes(kit.records), kit.launcher(), statusLine, kit.log,
                Waiter.Settings.from(settings));
    }

    @Test
    void withoutReplaceAfterItLogsTheMissingIdsEachIntervalThenTimesOutNamingThem() {
        TestRun run = kit.launchWithADud(HelperKit.unique("missing"), 3, 0);
        String name = run.name;
        String dud = kit.dud();

        WorkflowException e = assertThrows(WorkflowException.class,
                () -> waiter(Map.of("every", "100ms", "timeout", "1s")).await(run));

        assertEquals("cluster.await: after 1.0s test " + name + " still misses 1 of 3 data nodes (never reported: " + dud + ")",
                e.getMessage());
        String log = kit.logged();
        assertTrue(log.contains("I see 2/3 data servers reporting...\n"), log);
        assertTrue(log.contains(" Missing Instances: " + dud + "\n"), log);
        assertFalse(log.contains("Replacing"), log);
        assertEquals(1, kit.cloud.launchCalls.get(), "nothing replaced without replaceAfter");
        assertTrue(shown.stream().anyMatch(s -> s.startsWith("await " + name + ": data 2/3 | ") && s.endsWith(" | 1 not ready")),
                shown.toString());
        assertEquals("(cleared)", shown.get(shown.size() - 1), "the status line is cleared however await ends");
    }

    @Test
    void afterReplaceAfterTheMissingAreReplacedAndKeptRunningAsDuds() {
        TestRun run = kit.launchWithADud(HelperKit.unique("replace-after"), 2, 1);
        String name = run.name;
        String dud = kit.dud();

        waiter(Map.of("every", "100ms", "replaceAfter", "500ms", "timeout", "20s")).await(run);

        String log = kit.logged();
        assertTrue(log.contains("Missing Instances: " + dud + "\n"), log);
        assertTrue(log.contains("Replacing 1 data instances: " + dud + " -> "), log);
        assertTrue(log.contains("All 3 nodes of test " + name + " reported in and answer SSH."), log);
        assertEquals("dud", kit.records.instances(name).stream().filter(r -> r.instanceId().equals(dud))
                .map(InstanceRow::state).findFirst().orElseThrow());
        assertTrue(run.keptDuds.contains(dud));
        assertTrue(kit.cloud.instances.get(dud).state().live(), "dudPolicy keep: running until the first phase");
        assertEquals(3, run.reachable.size());
        assertTrue(kit.registry.events(name).stream().anyMatch(ev -> "ready".equals(ev.get("kind"))));
    }

    @Test
    void dudPolicyTerminateEndsTheDudsAtOnce() {
        TestRun run = kit.launchWithADud(HelperKit.unique("terminate-duds"), 2, 0);
        String dud = kit.dud();

        waiter(Map.of("every", "100ms", "replaceAfter", "300ms", "timeout", "20s", "dudPolicy", "terminate")).await(run);

        assertFalse(kit.cloud.instances.get(dud).state().live());
        assertTrue(run.keptDuds.isEmpty());
        assertTrue(kit.logged().contains("Terminated 1 dud instances: " + dud), kit.logged());
    }

    @Test
    void aReclaimedNodeIsMarkedDeadAndItsInstanceReclaimed() throws InterruptedException {
        String name = HelperKit.unique("reclaimed");
        TestRun run = kit.launch(name, 2, 0);
        kit.awaitRegistered(run, 2);
        String victim = kit.records.registeredNodes(name).get(1).instanceId();
        kit.cloud.reclaim(victim);

        waiter(Map.of()).refreshFromCloud(run);

        assertFalse(kit.records.isRegistered(name, victim));
        assertEquals("reclaimed", kit.records.instances(name).stream().filter(r -> r.instanceId().equals(victim))
                .map(InstanceRow::state).findFirst().orElseThrow());
        assertTrue(kit.logged().contains("Instance " + victim + " (data) was reclaimed by a spot interruption"), kit.logged());
        assertEquals(List.of(1), kit.records.registeredNodes(name).stream().map(n -> n.number()).toList());
    }

    @Test
    void anUnknownSettingIsBadInputNamingTheKnownOnes() {
        Exception e = assertThrows(io.spotsh.common.BadInput.class, () -> Waiter.Settings.from(Map.of("replace", "1m")));
        assertEquals("cluster.await: unknown argument 'replace' (known: timeout, replaceAfter, every, dudPolicy)", e.getMessage());
    }
}
