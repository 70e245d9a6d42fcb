package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Tags;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.common.Log;
import io.spotsh.registry.Registry;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
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
 * terminated, and finds instances that no live test owns (the field report's "instances left running after
 * the script completed") so cron can reap them.
 */
final class Reaper {
    static final Duration VERIFY_TIMEOUT = Duration.ofMinutes(5);

    private final Cluster cluster;
    private final Log log;

    Reaper(Cluster cluster, Log log) {
        this.cluster = cluster;
        this.log = log;
    }

    /** Terminates every instance of the test, duds and replacements included, then verifies through the cloud. */
    Map<String, Object> terminateTest(TestRun run) {
        Registry registry = cluster.registry();
        Set<String> ids = new LinkedHashSet<>();
        for (Map<String, Object> row : cluster.instanceRows(run.name)) {
            if (!"terminated".equals(row.get("state"))) {
                ids.add((String) row.get("instance_id"));
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
                markTerminated(run.name, id);
            }
        }
        run.keptDuds.clear();
        if (!left.isEmpty()) {
            throw new WorkflowException("terminate " + run.name + ": " + left.size() + " instances still not terminated after "
                    + VERIFY_TIMEOUT.toMinutes() + " min: " + String.join(",", left) + "; run 'spotsh reap' or check the "
                    + run.provider.name() + " console");
        }
        long stillTagged = run.provider.tagged().stream().filter(i -> run.name.equals(i.test())).count();
        registry.setTestState(run.name, "terminated");
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
        Registry registry = cluster.registry();
        Map<String, Map<String, Object>> tests = new HashMap<>();
        for (Map<String, Object> t : registry.sql("SELECT name, state, expires_at, keep, owner_process FROM spotsh.tests")) {
            tests.put((String) t.get("name"), t);
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

    private static String leakReason(Instance i, Map<String, Object> test, Instant now) {
        String expires = i.tags().get(Tags.EXPIRES);
        if (expires != null && Instant.parse(expires).isBefore(now)) {
            return "expired at " + expires;
        }
        if (test == null) {
            return "test " + i.test() + " is not in this registry";
        }
        String state = (String) test.get("state");
        if (state.equals("finished") || state.equals("failed") || state.equals("terminated")) {
            return "test " + i.test() + " is " + state;
        }
        Object testExpiry = test.get("expires_at");
        if (testExpiry instanceof OffsetDateTime t && t.toInstant().isBefore(now)) {
            return "test " + i.test() + " expired at " + t;
        }
        OwnerProcess owner = OwnerProcess.parse((String) test.get("owner_process"));
        if (!Boolean.TRUE.equals(test.get("keep")) && owner != null && owner.goneFromThisHost()) {
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
                markTerminated(test, id);
            }
        }
        for (String test : tests) {
            closeIfEmpty(test);
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

    private void markTerminated(String test, String id) {
        Registry registry = cluster.registry();
        registry.sql("UPDATE spotsh.instances i SET state = 'terminated', state_changed_at = now() FROM spotsh.tests t"
                + " WHERE t.id = i.test_id AND t.name = ? AND i.instance_id = ? AND i.state <> 'terminated'", test, id);
        registry.sql("UPDATE spotsh.nodes n SET state = 'dead', dead_at = now(), dead_reason = 'terminated'"
                + " FROM spotsh.tests t WHERE t.id = n.test_id AND t.name = ? AND n.instance_id = ? AND n.state = 'registered'",
                test, id);
    }

    /** A test whose instances are all gone is over: its nodes can no longer log in to the registry. */
    private void closeIfEmpty(String test) {
        Registry registry = cluster.registry();
        List<Map<String, Object>> live = registry.sql("SELECT 1 FROM spotsh.instances i JOIN spotsh.tests t ON t.id = i.test_id"
                + " WHERE t.name = ? AND i.state <> 'terminated' LIMIT 1", test);
        List<Map<String, Object>> open = registry.sql("SELECT 1 FROM spotsh.tests WHERE name = ?"
                + " AND state NOT IN ('finished', 'failed', 'terminated')", test);
        if (live.isEmpty() && !open.isEmpty()) {
            registry.setTestState(test, "terminated");
        }
    }
}
