package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Tags;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.cloud.Zone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Terminate-and-verify against a cloud that, like EC2 right after a launch, does not know a fresh id yet: one
 * "not found" is never taken for terminated.
 */
class TerminateVerifierTest {
    private final HelperKit kit = new HelperKit();

    @AfterEach
    void close() {
        kit.close();
    }

    /** The fake cloud, except that the first describe and the first terminate of each chosen id say "not found". */
    private static final class JustLaunched implements Provider {
        final FakeCloud cloud;
        final Set<String> unknownToDescribe = ConcurrentHashMap.newKeySet();
        final Set<String> unknownToTerminate = ConcurrentHashMap.newKeySet();
        final AtomicInteger terminateCalls = new AtomicInteger();

        JustLaunched(FakeCloud cloud) {
            this.cloud = cloud;
        }

        @Override
        public String name() {
            return "lagging";
        }

        @Override
        public List<Instance> launch(LaunchRequest request) {
            List<Instance> launched = cloud.launch(request);
            launched.forEach(i -> {
                unknownToDescribe.add(i.id());
                unknownToTerminate.add(i.id());
            });
            return launched;
        }

        @Override
        public List<Instance> describe(Collection<String> ids) {
            return cloud.describe(ids.stream().filter(id -> !unknownToDescribe.remove(id)).toList());
        }

        @Override
        public TerminateResult terminate(Collection<String> ids) {
            terminateCalls.incrementAndGet();
            Map<String, String> failed = new HashMap<>();
            List<String> known = ids.stream().filter(id -> {
                if (unknownToTerminate.remove(id)) {
                    failed.put(id, "InvalidInstanceID.NotFound");
                    return false;
                }
                return true;
            }).toList();
            TerminateResult result = cloud.terminate(known);
            failed.putAll(result.failed());
            return new TerminateResult(result.accepted(), failed);
        }

        @Override
        public List<Instance> tagged() {
            return cloud.tagged();
        }

        @Override
        public List<Zone> zones(String instanceType) {
            return cloud.zones(instanceType);
        }
    }

    private List<String> launch(Provider p, int count) {
        kit.cloud.dudsToCome.set(count);
        String test = HelperKit.unique("fresh");
        return p.launch(new LaunchRequest(test, "data", count, "fake-a", "m5d.xlarge", null, "",
                Tags.of(test, "data", "me", Instant.now(), null), Map.of())).stream().map(Instance::id).toList();
    }

    @Test
    void aNotFoundRightAfterLaunchIsAskedAgainAndTheInstanceReallyEnds() {
        JustLaunched cloud = new JustLaunched(kit.cloud);
        List<String> ids = launch(cloud, 3);

        Map<String, String> left = new TerminateVerifier(Duration.ofMinutes(1)).terminate(cloud, ids);

        assertEquals(Map.of(), left);
        for (String id : ids) {
            assertEquals(InstanceState.TERMINATED, kit.cloud.instances.get(id).state(), id + " was only reported gone");
        }
        assertTrue(cloud.terminateCalls.get() >= 2, "the refused terminate was sent again once the cloud knew the ids");
    }

    @Test
    void anIdThatNeverShowsTerminatedIsReportedByIdWhenTheBoundPasses() {
        List<String> ids = launch(kit.cloud, 1);
        String never = "i-0000000000000dead";
        List<String> both = List.of(ids.get(0), never);

        Map<String, String> left = new TerminateVerifier(Duration.ofMillis(500)).terminate(kit.cloud, both);

        assertEquals(Map.of(never, "not found"), left);
        assertEquals(InstanceState.TERMINATED, kit.cloud.instances.get(ids.get(0)).state());
    }

    @Test
    void reaperTerminateTestCountsNoInstanceGoneOnOneNotFound() {
        JustLaunched cloud = new JustLaunched(kit.cloud);
        String name = HelperKit.unique("lagging");
        kit.cloud.dudsToCome.set(2);
        LaunchSpec spec = LaunchSpec.from(Map.of("name", name, "dataNodes", 2, "clientNodes", 0), "lagging",
                provider -> List.of(), false, false);
        TestRun run = kit.launcher().launch(spec, Map.of("data", 2), cloud);
        List<String> ids = List.copyOf(run.instances.keySet());

        new Reaper(kit.records, kit.log).terminateTest(run);

        for (String id : ids) {
            assertEquals(InstanceState.TERMINATED, kit.cloud.instances.get(id).state());
        }
        assertTrue(kit.records.instances(name).stream().allMatch(r -> r.state().equals("terminated")));
    }
}
