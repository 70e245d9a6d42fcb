package io.spotsh.workflow;

import io.spotsh.common.BadInput;
import io.spotsh.common.Log;
import io.spotsh.registry.EmbeddedServer;
import io.spotsh.registry.Registry;
import io.spotsh.registry.RegistryException;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.types.TestTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The workflow's logic (launch, await, replace, reclaim, terminate, leaks) on a fake cloud and the real registry. */
class ClusterWorkflowTest {
    private static Path stateDir;
    private static RegistrySettings settings;
    private static Registry registry;

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private FakeCloud cloud;
    private Cluster cluster;

    @BeforeAll
    static void registry() throws IOException {
        stateDir = Files.createTempDirectory("spotsh-workflow-test");
        settings = RegistrySettings.embedded(stateDir);
        registry = Registry.open(settings);
    }

    @AfterAll
    static void stop() throws IOException {
        registry.close();
        new EmbeddedServer(settings).stop();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @BeforeEach
    void cluster() {
        cloud = new FakeCloud(registry);
        cluster = new Cluster(new Log(new PrintStream(logged, true, StandardCharsets.UTF_8)), () -> registry,
                name -> cloud, (test, role, params) -> "#!/bin/sh\n", new TestTypes(), "fake", false);
    }

    private String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    private static String unique(String base) {
        return base + "-" + System.nanoTime();
    }

    @Test
    void launchAwaitReplaceDudsAndTerminate() {
        cloud.dudsToCome.set(1);
        String name = unique("ring");
        cluster.launch(Map.of("name", name, "dataNodes", 6, "clientNodes", 2));
        assertEquals(2, cloud.launchCalls.get(), "one request per role");
        String dud = cloud.duds.get(0);

        cluster.await(Map.of("every", "300ms", "replaceAfter", "1500ms", "timeout", "30s"));

        // each interval lists exactly the missing ids; once replaced, the dud is no longer expected
        Matcher m = Pattern.compile("I see (\\d+)/6 data servers reporting\\.\\.\\.").matcher(log());
        List<Integer> seen = new ArrayList<>();
        while (m.find()) {
            seen.add(Integer.parseInt(m.group(1)));
        }
        assertTrue(seen.size() >= 2, log());
        assertTrue(log().contains("Missing Instances: " + dud + "\n"), log());
        assertTrue(log().contains("Replacing 1 data instances: " + dud + " -> "), log());
        assertTrue(log().contains("All 8 nodes of test " + name + " reported in and answer SSH."), log());

        List<Integer> numbers = cluster.getNodes().getData().list().stream().map(Node::number).toList();
        assertEquals(List.of(1, 2, 3, 4, 5, 6), numbers);
        Map<String, Object> data = cluster.status().get(0);
        assertEquals(6, data.get("expected"));
        assertEquals(6, data.get("reachable"));
        assertEquals(1, data.get("duds"));
        assertTrue(cloud.instances.get(dud).state().live(), "duds are kept running until the first phase by default");

        Map<String, Object> ended = cluster.terminate();
        assertEquals(9, ended.get("terminated"));
        assertEquals(0L, ended.get("left"));
        assertEquals(0, cloud.live(), "the dud too must be terminated");
        assertEquals("terminated", registry.test(name).state());
    }

    /** A notice a node reported (spotsh.report_interruption) shows in status() each time it is asked, until the node goes. */
    @Test
    void aNodesOwnInterruptionNoticeShowsInStatus() {
        String name = unique("notice");
        cluster.launch(Map.of("name", name, "dataNodes", 2, "clientNodes", 0));
        cluster.await(Map.of("every", "200ms", "timeout", "20s"));
        Node second = cluster.getNodes().getData().getAt(2);
        String at = java.time.Instant.now().plusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        String line = second.instanceId() + " (data-2) will be interrupted at " + at.substring(11, 19);
        // as spotsh itself, not a node role: no node secret needed
        registry.sql("SELECT spotsh.report_interruption(?, 'data', ?, ?, NULL)", name, second.instanceId(),
                "{\"action\": \"terminate\", \"time\": \"" + at + "\"}");
        cluster.status();
        cluster.status();
        assertEquals(2, log().split(Pattern.quote(line), -1).length - 1, "status() says it every time: " + log());
        cloud.reclaim(second.instanceId());
        cluster.status();
        assertEquals(2, log().split(Pattern.quote(line), -1).length - 1, "not once the node is gone: " + log());
        cluster.terminate();
    }

    @Test
    void reclaimIsNoticedAndFreesTheNodeNumber() {
        String name = unique("reclaim");
        cluster.launch(Map.of("name", name, "dataNodes", 3, "clientNodes", 0));
        cluster.await(Map.of("every", "200ms", "timeout", "20s"));
        Node second = cluster.getNodes().getData().getAt(2);
        cloud.reclaim(second.instanceId());

        Map<String, Object> data = cluster.status().get(0);
        assertEquals(1, data.get("reclaimed"));
        assertEquals(2, data.get("registered"));
        assertTrue(log().contains("Instance " + second.instanceId() + " (data) was reclaimed by a spot interruption"), log());
        List<String> added = cluster.replace(List.of());
        assertTrue(added.isEmpty());
        cluster.terminate();
    }

    /**
     * Someone with the test's password: an id never requested is refused, a registered node's id with another host
     * key is refused; status() and await show both, SSH keeps the pinned key, and trust() accepts the new one.
     */
    @Test
    void refusedRegistrationsAndHostKeysShowInStatusAndAwaitUntilTrusted() {
        String name = unique("impostor");
        cluster.launch(Map.of("name", name, "dataNodes", 2, "clientNodes", 0));
        cluster.await(Map.of("every", "200ms", "timeout", "20s"));
        Node first = cluster.getNodes().getData().getAt(1);
        String newKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBj7JvVNxDZXc0eV9TrvG1hGWVuh8cZyqaIbdXqCzsrQ new";

        RegistryException stranger = assertThrows(RegistryException.class,
                () -> registry.register(name, "data", "i-stranger", "10.6.6.6", "evil", newKey));
        assertEquals(Registry.REFUSED, stranger.sqlState());
        RegistryException swapped = assertThrows(RegistryException.class,
                () -> registry.register(name, "data", first.instanceId(), "10.6.6.6", "evil", newKey));
        assertEquals(Registry.REFUSED, swapped.sqlState());

        Map<String, Object> data = cluster.status().get(0);
        assertEquals(1, data.get("refused"));
        assertEquals(1, data.get("keyRefused"));
        assertEquals(2, data.get("registered"), "the node stays registered with its pinned key");
        assertTrue(log().contains("Registration refused: instance i-stranger was never requested for test " + "\"" + name),
                log());
        assertTrue(log().contains("Host key refused: data node 1 (" + first.instanceId() + ") offered SHA256:"), log());
        assertEquals(first.hostKey(), cluster.getNodes().getData().getAt(1).hostKey(), "SSH goes on with the pinned key");

        logged.reset();
        cluster.await(Map.of("every", "200ms", "timeout", "20s"));
        assertTrue(log().contains("Host key refused: data node 1") && log().contains("cluster.trust('" + first.instanceId()
                + "') accepts the new one"), log());

        assertEquals(1, cluster.trust(first.instanceId()));
        assertEquals(newKey, cluster.getNodes().getData().getAt(1).hostKey());
        assertEquals(0, cluster.status().get(0).get("keyRefused"));
        assertTrue(registry.events(name).stream().anyMatch(e -> "host-key-trusted".equals(e.get("kind"))));
        cluster.terminate();
    }

    @Test
    void pinnedZoneThatRefusesIsAClearErrorAndLeavesNothing() {
        cloud.refusingZones.add("fake-a");
        String name = unique("pinned");
        WorkflowException e = assertThrows(WorkflowException.class,
                () -> cluster.launch(Map.of("name", name, "dataNodes", 2, "az", "fake-a")));
        assertTrue(e.getMessage().contains("zone fake-a refused"), e.getMessage());
        assertEquals(0, cloud.live());
        assertEquals("failed", registry.test(name).state());
    }

    @Test
    void unpinnedLaunchFallsBackToTheNextZone() {
        cloud.refusingZones.add("fake-a");
        String name = unique("fallback");
        cluster.launch(Map.of("name", name, "dataNodes", 2, "clientNodes", 1));
        assertTrue(cloud.instances.values().stream().allMatch(i -> i.zone().equals("fake-b")));
        assertTrue(registry.events(name).stream().anyMatch(e -> "capacity-refused".equals(e.get("kind"))));
        cluster.terminate();
    }

    @Test
    void misspeltArgumentIsBadInputAndLaunchesNothing() {
        BadInput e = assertThrows(BadInput.class, () -> cluster.launch(Map.of("name", unique("typo"), "datanodes", 3)));
        assertTrue(e.getMessage().contains("datanodes"), e.getMessage());
        assertEquals(0, cloud.launchCalls.get());
    }

    @Test
    void leaksFindInstancesOfDeadOwnersAndFinishedTests() {
        String name = unique("crashed");
        cluster.launch(Map.of("name", name, "dataNodes", 2, "clientNodes", 0));
        // as if the launching spotsh had been killed: an owner process that no longer exists
        registry.sql("UPDATE spotsh.tests SET owner_process = ? WHERE name = ?",
                ReaperTest.deadOwnerHere(), name);
        List<Map<String, Object>> leaks = cluster.leaks();
        assertEquals(2, leaks.size(), leaks.toString());
        assertTrue(String.valueOf(leaks.get(0).get("why")).contains("is gone"), leaks.toString());

        Map<String, Object> reaped = cluster.reap();
        assertEquals(2, reaped.get("terminated"));
        assertEquals(0, reaped.get("left"));
        assertEquals(0, cloud.live());
        assertEquals("terminated", registry.test(name).state());
    }
}
