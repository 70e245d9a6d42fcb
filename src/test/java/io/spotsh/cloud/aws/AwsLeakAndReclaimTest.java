package io.spotsh.cloud.aws;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.Tags;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What is left when spotsh is not there to end it: instances of a crashed spotsh are found by tag alone, an
 * expired test's instances are told from a live one's by {@code spotsh:expires}; and a spot reclaim done behind
 * spotsh's back shows in describe.
 */
class AwsLeakAndReclaimTest extends OnMoto {

    @Test
    void aCrashedSpotshsInstancesAreFoundByTagAndOnlyExpiredOnesAreLeaks() {
        String crashed = AwsTestKit.unique("crashed");
        String other = AwsTestKit.unique("still-running");
        Instant now = Instant.now();
        List<String> expiredIds;
        List<String> liveIds;
        try (AwsProvider before = AwsTestKit.provider(moto.endpoint(), stateDir)) {
            expiredIds = AwsTestKit.ids(before.launch(AwsTestKit.request(crashed, "data", 3, "us-east-1a",
                    now.minus(Duration.ofMinutes(5)), Map.of())));
            liveIds = AwsTestKit.ids(before.launch(AwsTestKit.request(other, "data", 120, "us-east-1a",
                    now.plus(Duration.ofHours(2)), Map.of())));
        } // the process is gone: no fleet, template or test name survives in memory

        try (AwsProvider after = AwsTestKit.provider(moto.endpoint(), stateDir)) {
            List<Instance> tagged = after.tagged();
            Set<String> found = tagged.stream().map(Instance::id).collect(Collectors.toSet());
            assertTrue(found.containsAll(expiredIds) && found.containsAll(liveIds), tagged.toString());

            List<String> leaks = tagged.stream().filter(i -> expired(i, Instant.now())).map(Instance::id).toList();
            assertEquals(Set.copyOf(expiredIds), Set.copyOf(leaks), "only the expired test's instances are leaks");

            assertEquals(Set.copyOf(expiredIds), Set.copyOf(after.terminate(leaks).accepted()));
            AwsTestKit.await(after, expiredIds, InstanceState.TERMINATED, Duration.ofSeconds(30));
            Set<String> left = after.tagged().stream().map(Instance::id).collect(Collectors.toSet());
            assertTrue(left.stream().noneMatch(expiredIds::contains), "the leaks are gone");
            assertTrue(left.containsAll(liveIds), "the other test's instances are untouched until they expire");
            List<Instance> others = after.describe(liveIds); // by id, more than one page of moto's
            assertEquals(120, others.size());
            assertTrue(others.stream().allMatch(i -> i.state() == InstanceState.RUNNING));
            after.terminate(liveIds);
        }
    }

    @Test
    void aSpotReclaimBehindSpotshsBackShowsInDescribe() {
        Rewrites rewrites = new Rewrites();
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), stateDir, rewrites)) {
            List<Instance> launched = aws.launch(AwsTestKit.request(AwsTestKit.unique("reclaim"), "data", 3, "us-east-1a", Map.of()));
            String victim = launched.get(1).id();
            String warned = launched.get(2).id();
            Instant noticeAt = Instant.now().minusSeconds(10);
            rewrites.markedForTermination.put(warned, noticeAt);
            // EC2 reclaims the instance: moto can terminate it, the spot reason comes from the rewrite
            raw.terminateInstances(r -> r.instanceIds(victim));
            rewrites.reclaimed.add(victim);

            Map<String, Instance> seen = aws.describe(AwsTestKit.ids(launched)).stream()
                    .collect(Collectors.toMap(Instance::id, i -> i));
            Instance gone = seen.get(victim);
            assertEquals(InstanceState.TERMINATED, gone.state());
            assertEquals(Instance.SPOT_TERMINATION, gone.stateReason());
            assertTrue(gone.reclaimed());
            assertFalse(seen.get(launched.get(0).id()).reclaimed());
            assertNull(seen.get(launched.get(0).id()).interruptAt());
            assertNotNull(seen.get(warned).interruptAt(), "the interruption notice: " + seen.get(warned));
            assertEquals(noticeAt.plus(Duration.ofMinutes(2)), seen.get(warned).interruptAt());
            aws.terminate(AwsTestKit.ids(launched));
        }
    }

    private static boolean expired(Instance i, Instant now) {
        String expires = i.tags().get(Tags.EXPIRES);
        return expires != null && Instant.parse(expires).isBefore(now);
    }
}
