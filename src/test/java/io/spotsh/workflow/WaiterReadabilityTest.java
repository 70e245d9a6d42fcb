package io.spotsh.workflow;

import io.spotsh.cloud.CloudTests;
import io.spotsh.common.StatusLine;
import io.spotsh.registry.RegistryException;
import io.spotsh.registry.TestRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Await at scale stays readable (long id lists shortened, the full list kept) and waits through a registry outage. */
class WaiterReadabilityTest {
    private final HelperKit kit = new HelperKit();
    @TempDir
    Path dir;

    @AfterEach
    void close() {
        kit.close();
    }

    private Waiter waiter(TestRecords records, Map<String, ?> settings, Path fullLog) {
        return new Waiter(records, new RegisteredNodes(records), kit.launcher(), StatusLine.NONE, kit.log,
                Waiter.Settings.from(settings), fullLog);
    }

    @Test
    void pastTwentyMissingTheLineShowsTenAndTheAwaitLogAndEventsHoldThemAll() throws Exception {
        kit.cloud.dudsToCome.set(25);
        TestRun run = kit.launch(HelperKit.unique("many-missing"), 30, 0);
        List<String> duds = List.copyOf(kit.cloud.duds);
        assertEquals(25, duds.size());
        Path fullLog = dir.resolve(run.name).resolve("await.log");
        // the five others phone home after the launch returns: the list is the 25 duds from then on
        CloudTests.await("the five good nodes registered", Duration.ofSeconds(30),
                () -> kit.records.missing(run.name).size() == 25 ? true : null);

        WorkflowException e = assertThrows(WorkflowException.class,
                () -> waiter(kit.records, Map.of("every", "100ms", "timeout", "1s"), fullLog).await(run));

        List<String> missing = kit.records.missing(run.name);
        assertEquals(25, missing.size(), "nodes.missing() lists them all");
        String shortLine = "Missing Instances: " + String.join(",", missing.subList(0, 10))
                + " and 15 more (nodes.missing() lists them all)\n";
        String log = kit.logged();
        assertTrue(log.contains(shortLine), log);
        assertFalse(log.contains(missing.get(24)), "the 25th id is not on any line: " + log);
        assertTrue(log.contains("I see 5/30 data servers reporting...\n"), "the count line stays as it is: " + log);
        assertTrue(e.getMessage().contains("and 15 more (nodes.missing() lists them all)"), e.getMessage());

        String full = Files.readString(fullLog);
        for (String id : duds) {
            assertTrue(full.contains(id), id + " in " + full);
        }
        List<Map<String, Object>> events = kit.records.events(run.name).stream()
                .filter(ev -> "missing".equals(ev.get("kind"))).toList();
        assertEquals(1, events.size(), "one event while the list does not change: " + events);
        assertTrue(((String) events.get(0).get("message")).contains(String.join(",", missing)), events.toString());
    }

    @Test
    void aRegistryThatStopsAnsweringIsWaitedThroughAndAwaitCompletes() {
        TestRun run = kit.launch(HelperKit.unique("outage"), 3, 0);
        AtomicBoolean down = new AtomicBoolean(true);
        AtomicInteger refused = new AtomicInteger();
        TestRecords flaky = new TestRecords(() -> {
            if (down.get()) {
                if (refused.incrementAndGet() >= 5) {
                    down.set(false); // back after a few tries, as a restarted server is
                }
                throw new RegistryException("connecting to the registry failed: Connection refused");
            }
            return kit.registry;
        });

        waiter(flaky, Map.of("every", "100ms", "timeout", "20s"), null).await(run);

        String log = kit.logged();
        assertTrue(log.contains("The registry does not answer (connecting to the registry failed: Connection refused);"
                + " still waiting, the nodes keep retrying"), log);
        assertEquals(1, log.split("The registry does not answer", -1).length - 1, "said once per outage: " + log);
        assertTrue(log.contains("The registry answers again; awaiting on"), log);
        assertTrue(log.contains("All 3 nodes of test " + run.name + " reported in and answer SSH."), log);
        assertTrue(kit.records.events(run.name).stream().anyMatch(ev -> "registry-outage".equals(ev.get("kind"))));
    }
}
