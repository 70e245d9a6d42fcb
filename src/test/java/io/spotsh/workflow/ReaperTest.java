package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Tags;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reaper on the fake cloud and the real registry: ending one test, finding and reaping leaks. */
class ReaperTest {
    private final HelperKit kit = new HelperKit();
    private final Reaper reaper = new Reaper(kit.records, kit.log);

    @AfterEach
    void close() {
        kit.close();
    }

    /** As if the spotsh that launched the test had been killed: an owner process on this machine that no longer exists. */
    private void orphan(String test) {
        kit.records.setOwner(test, deadOwnerHere(), false);
    }

    static String deadOwnerHere() {
        return new OwnerProcess(OwnerProcess.hostname(), 999999999, 1, OwnerProcess.thisMachine()).toString();
    }

    /** An instance on the fake cloud with these tags, launched straight on it (no registry hears of it). */
    private Instance launchTagged(String test, String registry, String owner, Instant expires) {
        kit.cloud.dudsToCome.set(1); // it never phones home: the registry may not even know its test
        return kit.cloud.launch(new LaunchRequest(test, "data", 1, "fake-a", "m5d.xlarge", null, "",
                Tags.of(test, "data", owner, registry, Instant.now(), expires), Map.of())).get(0);
    }

    private static final String OTHER_REGISTRY = "00000000-0000-4000-8000-0000000000b2";

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
        String ours = kit.records.registryId();
        String healthy = kit.launch(HelperKit.unique("healthy"), 1, 0).name;
        String kept = kit.launch(HelperKit.unique("kept"), 1, 0).name;
        kit.records.setOwner(kept, deadOwnerHere(), true);
        String crashed = kit.launch(HelperKit.unique("crashed"), 1, 0).name;
        orphan(crashed);
        String finished = kit.launch(HelperKit.unique("finished"), 1, 0).name;
        kit.records.setState(finished, "finished");
        String unknown = HelperKit.unique("unknown");
        Instance ghost = launchTagged(unknown, ours, "someone", null);
        Instant past = Instant.now().minus(Duration.ofHours(1));
        Instance expired = launchTagged(unknown, null, "someone", past);
        Instance foreign = launchTagged(HelperKit.unique("theirs"), OTHER_REGISTRY, "bob@laptop", null);

        Map<String, String> why = whyById(reaper.leaks(kit.cloud));

        assertEquals(4, why.size(), why.toString());
        assertEquals("its spotsh process (pid 999999999) is gone", why.get(idOf(crashed)));
        assertEquals("test " + finished + " is finished", why.get(idOf(finished)));
        assertEquals("test " + unknown + " is not in this registry", why.get(ghost.id()));
        assertEquals("expired at " + past + ", of registry unknown (no spotsh:registry tag)", why.get(expired.id()));
        assertFalse(why.containsKey(foreign.id()), "another registry's live instance is no leak of ours");
        assertFalse(why.containsKey(idOf(healthy)) || why.containsKey(idOf(kept)), why.toString());
    }

    @Test
    void allListsOtherRegistriesInstancesAsForeignWithTheirOwnerAndExpiry() {
        Instant later = Instant.now().plus(Duration.ofHours(2));
        Instance foreign = launchTagged(HelperKit.unique("theirs"), OTHER_REGISTRY, "bob@laptop", later);
        Instance untagged = launchTagged(HelperKit.unique("old"), null, "carol@box", null);

        Map<String, Map<String, Object>> rows = reaper.leaks(kit.cloud, true).stream()
                .collect(Collectors.toMap(r -> (String) r.get("instance_id"), r -> r));

        Map<String, Object> theirs = rows.get(foreign.id());
        assertEquals("foreign", theirs.get("verdict"));
        assertEquals(OTHER_REGISTRY, theirs.get("registry"));
        assertEquals("bob@laptop", theirs.get("owner"));
        assertEquals(later.toString(), theirs.get("expires"));
        assertEquals("foreign: of registry " + OTHER_REGISTRY + ", owner bob@laptop, expires " + later, theirs.get("why"));
        assertEquals("foreign", rows.get(untagged.id()).get("verdict"), "untagged and not recorded here: not ours");

        Map<String, Object> reaped = reaper.reap(kit.cloud, false, true);
        assertEquals(0, reaped.get("found"));
        assertEquals(2L, reaped.get("foreign"));
        assertEquals(2, kit.cloud.live(), "nothing of another registry is ended");
    }

    @Test
    void anotherRegistrysExpiredInstanceIsReapedAndLoggedWithItsRegistry() {
        Instant past = Instant.now().minus(Duration.ofMinutes(5));
        Instance expired = launchTagged(HelperKit.unique("theirs"), OTHER_REGISTRY, "bob@laptop", past);
        Instance live = launchTagged(HelperKit.unique("theirs"), OTHER_REGISTRY, "bob@laptop", past.plus(Duration.ofHours(3)));

        Map<String, Object> reaped = reaper.reap(kit.cloud, false);

        assertEquals(1, reaped.get("terminated"));
        assertEquals(InstanceState.TERMINATED, kit.cloud.instances.get(expired.id()).state());
        assertEquals(InstanceState.RUNNING, kit.cloud.instances.get(live.id()).state());
        assertTrue(kit.logged().contains("Reaping " + expired.id() + " of test " + expired.test() + ": expired, of registry "
                + OTHER_REGISTRY), kit.logged());
    }

    @Test
    void aMalformedExpiryTagIsReportedAndSkippedAndTheReapGoesOn() {
        String ours = kit.records.registryId();
        Instance garbled = launchTagged(HelperKit.unique("garbled"), ours, "me", null);
        kit.cloud.instances.computeIfPresent(garbled.id(), (id, i) -> withTag(i, Tags.EXPIRES, "next tuesday"));
        Instance expired = launchTagged(HelperKit.unique("old"), ours, "me", Instant.now().minusSeconds(60));

        Map<String, Object> reaped = reaper.reap(kit.cloud, false, true);

        assertEquals(1, reaped.get("terminated"), reaped.toString());
        assertEquals(1L, reaped.get("skipped"));
        assertEquals(InstanceState.TERMINATED, kit.cloud.instances.get(expired.id()).state());
        assertEquals(InstanceState.RUNNING, kit.cloud.instances.get(garbled.id()).state());
        assertTrue(kit.logged().contains(garbled.id() + " (test " + garbled.test() + ", fake): malformed spotsh:expires tag"
                + " 'next tuesday', of registry " + ours + ": skipped"), kit.logged());
    }

    @Test
    void anInstanceTaggedBeforeRegistryIdsIsOursWhenThisRegistryRecordedIt() {
        String name = HelperKit.unique("legacy");
        TestRun run = kit.launch(name, 1, 0);
        String id = idOf(name);
        Instance tagged = kit.cloud.instances.get(id);
        Map<String, String> old = new java.util.HashMap<>(tagged.tags());
        old.remove(Tags.REGISTRY);
        kit.cloud.instances.put(id, new Instance(id, tagged.zone(), tagged.instanceType(), tagged.state(), tagged.privateIp(),
                tagged.publicIp(), tagged.sshPort(), null, null, old, tagged.launchedAt()));
        kit.records.setState(run.name, "finished");

        Map<String, String> why = whyById(reaper.leaks(kit.cloud));

        assertEquals(Map.of(id, "test " + name + " is finished"), why);
    }

    @Test
    void terminatingATestLeavesTheSameNamedTestOfAnotherRegistryAlone() {
        TestRun run = kit.launch(HelperKit.unique("same-name"), 2, 0);
        Instance theirs = launchTagged(run.name, OTHER_REGISTRY, "bob@laptop", null);

        Map<String, Object> summary = reaper.terminateTest(run);

        assertEquals(2, summary.get("terminated"));
        assertEquals(InstanceState.RUNNING, kit.cloud.instances.get(theirs.id()).state());
    }

    @Test
    void everyInstanceIsTaggedWithTheRegistryIdAndTheTestRecordsWhereItIs() {
        TestRun run = kit.launch(HelperKit.unique("tagged"), 2, 0);
        String ours = kit.records.registryId();
        assertTrue(run.instances.values().stream().allMatch(i -> ours.equals(i.tags().get(Tags.REGISTRY))),
                run.instances.toString());
        assertEquals("fake", kit.records.region(run.name));
        TestRecords.Ownership o = kit.records.ownerships().stream().filter(t -> t.name().equals(run.name)).findFirst()
                .orElseThrow();
        assertEquals(List.of("fake-a"), o.zones());
        assertEquals("fake", o.provider());
    }

    private static Instance withTag(Instance i, String key, String value) {
        Map<String, String> tags = new java.util.HashMap<>(i.tags());
        tags.put(key, value);
        return new Instance(i.id(), i.zone(), i.instanceType(), i.state(), i.privateIp(), i.publicIp(), i.sshPort(),
                i.stateReason(), i.interruptAt(), tags, i.launchedAt());
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
