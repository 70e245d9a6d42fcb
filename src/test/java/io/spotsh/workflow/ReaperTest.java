package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Tags;
import io.spotsh.registry.TestRecords.InstanceRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reaper on the fake cloud and the real registry: ending one test, finding and reaping leaks. */
class ReaperTest {
    private final HelperKit kit = new HelperKit();
    private final Reaper reaper = new Reaper(kit.records, kit.log);

    @AfterEach
    void close() {
        kit.close();
    }

    /** As if the spotsh that launched the test had been killed: an owner process that no longer exists. */
    private void orphan(String test) {
        kit.records.setOwner(test, OwnerProcess.hostname() + ":999999999:1", false);
    }

    private Map<String, String> whyById(List<Map<String, Object>> leaks) {
        return leaks.stream().collect(Collectors.toMap(l -> (String) l.get("instance_id"), l -> (String) l.get("why")));
    }

    @Test
    void terminatingATestEndsItsInstancesDudsIncludedAndNoOtherTestsOnes() throws InterruptedException {
        TestRun run = kit.launchWithADud(HelperKit.unique("ending"), 3, 0);
        String name = run.name;
        kit.launcher().replace(run, List.of(kit.dud()), false);
        String other = HelperKit.unique("bystander");
        TestRun bystander = kit.launch(other, 2, 0);

        Map<String, Object> summary = reaper.terminateTest(run);

        assertEquals(Map.of("test", name, "terminated", 4, "left", 0L), summary);
        assertTrue(kit.records.instances(name).stream().allMatch(r -> r.state().equals("terminated")));
        assertEquals("terminated", kit.records.test(name).state());
        assertTrue(run.ended);
        assertTrue(run.keptDuds.isEmpty());
        kit.awaitRegistered(bystander, 2);
        assertEquals(2, kit.cloud.live(), "only the bystander's instances are left");
        assertTrue(kit.records.instances(other).stream().allMatch(InstanceRow::expected));
        assertTrue(kit.logged().contains("Terminated 4 instances of test " + name + "; 0 left running (checked with the fake provider)."),
                kit.logged());
    }

    @Test
    void leaksAreTheInstancesOfGoneOwnersFinishedUnknownAndExpiredTestsAndNothingElse() {
        String healthy = kit.launch(HelperKit.unique("healthy"), 1, 0).name;
        String kept = kit.launch(HelperKit.unique("kept"), 1, 0).name;
        kit.records.setOwner(kept, OwnerProcess.hostname() + ":999999999:1", true);
        String crashed = kit.launch(HelperKit.unique("crashed"), 1, 0).name;
        orphan(crashed);
        String finished = kit.launch(HelperKit.unique("finished"), 1, 0).name;
        kit.records.setState(finished, "finished");
        kit.cloud.dudsToCome.set(2); // neither of these phones home: the registry has no test for them
        String unknown = HelperKit.unique("unknown");
        Instance ghost = kit.cloud.launch(new LaunchRequest(unknown, "data", 1, "fake-a", "m5d.xlarge", null, "",
                Tags.of(unknown, "data", "someone", Instant.now(), null), Map.of())).get(0);
        Instant past = Instant.now().minus(Duration.ofHours(1));
        Instance expired = kit.cloud.launch(new LaunchRequest(unknown, "data", 1, "fake-a", "m5d.xlarge", null, "",
                Tags.of(unknown, "data", "someone", past.minus(Duration.ofHours(6)), past), Map.of())).get(0);

        Map<String, String> why = whyById(reaper.leaks(kit.cloud));

        assertEquals(4, why.size(), why.toString());
        assertEquals("its spotsh process (pid 999999999) is gone", why.get(idOf(crashed)));
        assertEquals("test " + finished + " is finished", why.get(idOf(finished)));
        assertEquals("test " + unknown + " is not in this registry", why.get(ghost.id()));
        assertEquals("expired at " + past, why.get(expired.id()));
    }

    private String idOf(String test) {
        return kit.records.instances(test).get(0).instanceId();
    }

    @Test
    void reapingTerminatesOnlyTheLeaksAndClosesTheirTests() {
        String healthy = kit.launch(HelperKit.unique("healthy"), 2, 0).name;
        String crashed = kit.launch(HelperKit.unique("crashed"), 2, 1).name;
        orphan(crashed);

        Map<String, Object> dry = reaper.reap(kit.cloud, true);
        assertEquals(3, dry.get("found"));
        assertEquals(0, dry.get("terminated"));
        assertEquals(5, kit.cloud.live(), "a dry run terminates nothing");

        Map<String, Object> reaped = reaper.reap(kit.cloud, false);

        assertEquals(3, reaped.get("terminated"));
        assertEquals(0, reaped.get("left"));
        assertEquals(2, kit.cloud.live());
        assertTrue(kit.cloud.tagged().stream().allMatch(i -> i.test().equals(healthy)));
        assertTrue(kit.records.instances(crashed).stream().allMatch(r -> r.state().equals("terminated")));
        assertEquals("terminated", kit.records.test(crashed).state());
        assertEquals("running", kit.records.test(healthy).state());
        assertTrue(kit.logged().contains("Reaped 3 of 3 leaked instances on fake"), kit.logged());
    }
}
