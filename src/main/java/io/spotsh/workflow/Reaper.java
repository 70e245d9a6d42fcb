package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Tags;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.common.Log;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;
import io.spotsh.registry.TestRecords.Ownership;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ends things and proves it: terminates a test's instances and waits until the cloud says each one is
 * terminated, and finds instances that no live test owns (instances left running after the plan that launched
 * them ended or crashed) so cron can reap them.
 */
final class Reaper {
    static final Duration VERIFY_TIMEOUT = Duration.ofMinutes(5);

    private final TestRecords records;
    private final Log log;

    Reaper(TestRecords records, Log log) {
        this.records = records;
        this.log = log;
    }

    /** Terminates every instance of the test, duds and replacements included, then verifies through the cloud. */
    Map<String, Object> terminateTest(TestRun run) {
        Set<String> ids = new LinkedHashSet<>();
        for (InstanceRow row : records.instances(run.name)) {
            if (!"terminated".equals(row.state())) {
                ids.add(row.instanceId());
            }
        }
        // also whatever the cloud still holds under this test's tag (a launch this registry never heard of)
        for (Instance i : run.provider.tagged()) {
            if (run.name.equals(i.test())) {
                ids.add(i.id());
            }
        }
        log.log("Terminating " + ids.size() + " instances of test " + run.name + "...");
        List<String> left = terminateAndVerify(run.provider, ids);
        for (String id : ids) {
            if (!left.contains(id)) {
                records.markTerminated(run.name, id);
            }
        }
        run.keptDuds.clear();
        if (!left.isEmpty()) {
            throw new WorkflowException("terminate " + run.name + ": " + left.size() + " instances still not terminated after "
                    + VERIFY_TIMEOUT.toMinutes() + " min: " + String.join(",", left) + "; run 'spotsh reap' or check the "
                    + run.provider.name() + " console");
        }
        long stillTagged = run.provider.tagged().stream().filter(i -> run.name.equals(i.test())).count();
        records.setState(run.name, "terminated");
        run.ended = true;
        log.log("Terminated " + ids.size() + " instances of test " + run.name + "; " + stillTagged
                + " left running (checked with the " + run.provider.name() + " provider).");
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("test", run.name);
        summary.put("terminated", ids.size());
        summary.put("left", stillTagged);
        return summary;
    }

    /** Terminates ids and polls until each is terminated or the timeout passes; returns those still alive. */
    List<String> terminateAndVerify(Provider provider, Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        TerminateResult result = provider.terminate(ids);
        Set<String> pending = new LinkedHashSet<>(ids);
        // ids the cloud does not know are gone already: nothing left to pay for
        pending.removeAll(result.failed().keySet());
        long deadline = System.nanoTime() + VERIFY_TIMEOUT.toNanos();
        long pause = 200;
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            Map<String, Instance> seen = new HashMap<>();
            for (Instance i : provider.describe(pending)) {
                seen.put(i.id(), i);
            }
            pending.removeIf(id -> !seen.containsKey(id) || seen.get(id).state().gone());
            if (!pending.isEmpty()) {
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    // keep verifying: giving up here is how instances get left running
                    Thread.currentThread().interrupt();
                }
                pause = Math.min(pause * 2, 5000);
            }
        }
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
        }
        return new ArrayList<>(pending);
    }

    /** Live spotsh-tagged instances that nobody should be paying for, with the reason. */
    List<Map<String, Object>> leaks(Provider provider) {
        Map<String, Ownership> tests = new HashMap<>();
        for (Ownership t : records.ownerships()) {
            tests.put(t.name(), t);
        }
        Instant now = Instant.now();
        List<Map<String, Object>> leaks = new ArrayList<>();
        for (Instance i : provider.tagged()) {
            String why = leakReason(i, tests.get(i.test()), now);
            if (why != null) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("instance_id", i.id());
                row.put("test", i.test());
                row.put("role", i.role());
                row.put("zone", i.zone());
                row.put("state", i.state().toString());
                row.put("launched", i.launchedAt());
                row.put("why", why);
                leaks.add(row);
            }
        }
        return leaks;
    }

    private static String leakReason(Instance i, Ownership test, Instant now) {
        String expires = i.tags().get(Tags.EXPIRES);
        if (expires != null && Instant.parse(expires).isBefore(now)) {
            return "expired at " + expires;
        }
        if (test == null) {
            return "test " + i.test() + " is not in this registry";
        }
        String state = test.state();
        if (state.equals("finished") || state.equals("failed") || state.equals("terminated")) {
            return "test " + i.test() + " is " + state;
        }
        if (test.expiresAt() != null && test.expiresAt().toInstant().isBefore(now)) {
            return "test " + i.test() + " expired at " + test.expiresAt();
        }
        OwnerProcess owner = OwnerProcess.parse(test.ownerProcess());
        if (!test.keep() && owner != null && owner.goneFromThisHost()) {
            return "its spotsh process (pid " + owner.pid() + ") is gone";
        }
        return null;
    }

    /** Terminates what {@link #leaks} finds and verifies; the summary says what was found and what is left. */
    Map<String, Object> reap(Provider provider, boolean dryRun) {
        List<Map<String, Object>> leaks = leaks(provider);
        List<String> ids = leaks.stream().map(r -> (String) r.get("instance_id")).toList();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("provider", provider.name());
        summary.put("found", ids.size());
        if (dryRun) {
            summary.put("terminated", 0);
            summary.put("left", ids.size());
            summary.put("leaks", leaks);
            return summary;
        }
        List<String> left = terminateAndVerify(provider, ids);
        Set<String> tests = new LinkedHashSet<>();
        for (Map<String, Object> leak : leaks) {
            String id = (String) leak.get("instance_id");
            String test = (String) leak.get("test");
            if (!left.contains(id) && test != null) {
                tests.add(test);
                records.markTerminated(test, id);
            }
        }
        for (String test : tests) {
            records.terminateIfNothingLeft(test);
        }
        if (!ids.isEmpty()) {
            log.log("Reaped " + (ids.size() - left.size()) + " of " + ids.size() + " leaked instances on " + provider.name()
                    + (left.isEmpty() ? "" : "; still running: " + String.join(",", left)));
        }
        summary.put("terminated", ids.size() - left.size());
        summary.put("left", left.size());
        summary.put("leaks", leaks);
        return summary;
    }
}
