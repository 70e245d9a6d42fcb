package io.spotsh.workflow;

import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Tags;
import io.spotsh.common.Log;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;
import io.spotsh.workflow.LeakJudge.Finding;
import io.spotsh.workflow.LeakJudge.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ends things and proves it: terminates a test's instances and waits until the cloud says each one is
 * terminated, and finds instances that no live test owns (instances left running after the plan that launched
 * them ended or crashed) so cron can reap them.
 *
 * <p>Several operators may share one cloud account: this registry ends only instances tagged with its id (see
 * {@link LeakJudge}), in every region it has launched in; another registry's instances are ended only once their
 * {@code spotsh:expires} has passed.
 */
final class Reaper {
    private final TestRecords records;
    private final Log log;
    private final TerminateVerifier verifier;

    Reaper(TestRecords records, Log log) {
        this(records, log, TerminateVerifier.DEFAULT_TIMEOUT);
    }

    /** With another bound on terminate-and-verify: tests wait seconds, not minutes, for what never terminates. */
    Reaper(TestRecords records, Log log, Duration verifyTimeout) {
        this.records = records;
        this.log = log;
        this.verifier = new TerminateVerifier(verifyTimeout);
    }

    /** Terminates every instance of the test, duds and replacements included, then verifies through the cloud. */
    Map<String, Object> terminateTest(TestRun run) {
        String ourId = records.registryId();
        Set<String> ids = new LinkedHashSet<>();
        for (InstanceRow row : records.instances(run.name)) {
            if (!"terminated".equals(row.state())) {
                ids.add(row.instanceId());
            }
        }
        Provider cloud = run.provider.inRegion(records.region(run.name));
        try {
            // also what the cloud holds under this test's name and this registry's id (a launch it never recorded);
            // the same name in another registry is someone else's test
            for (Instance i : cloud.tagged()) {
                if (run.name.equals(i.test()) && ourId.equals(i.tags().get(Tags.REGISTRY))) {
                    ids.add(i.id());
                }
            }
            log.log("Terminating " + ids.size() + " instances of test " + run.name + "...");
            Map<String, String> left = verifier.terminate(cloud, ids);
            for (String id : ids) {
                if (!left.containsKey(id)) {
                    records.markTerminated(run.name, id);
                }
            }
            run.keptDuds.clear();
            if (!left.isEmpty()) {
                throw new WorkflowException("terminate " + run.name + ": " + left.size() + " instances not shown"
                        + " terminated after " + verifier.timeout().toSeconds() + " s: " + describe(left)
                        + "; run 'spotsh reap' or check the " + cloud.name() + " console (" + cloud.region() + ")");
            }
            long stillTagged = cloud.tagged().stream()
                    .filter(i -> run.name.equals(i.test()) && ourId.equals(i.tags().get(Tags.REGISTRY))).count();
            records.setState(run.name, "terminated");
            run.ended = true;
            log.log("Terminated " + ids.size() + " instances of test " + run.name + "; " + stillTagged
                    + " left running (checked with the " + cloud.name() + " provider).");
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("test", run.name);
            summary.put("terminated", ids.size());
            summary.put("left", stillTagged);
            return summary;
        } finally {
            closeSibling(run.provider, cloud);
        }
    }

    /** Terminates ids and describes until each shows terminated or the bound passes; returns those still not. */
    List<String> terminateAndVerify(Provider provider, Collection<String> ids) {
        return new ArrayList<>(verifier.terminate(provider, ids).keySet());
    }

    /**
     * Live spotsh-tagged instances that nobody should be paying for, with the reason, in every region this
     * registry has launched in; with {@code all}, also other registries' instances (foreign: never ended here
     * before they expire) and those with a tag that cannot be read (skipped).
     */
    List<Map<String, Object>> leaks(Provider provider, boolean all) {
        try (Regions regions = new Regions(provider)) {
            return rows(find(regions), all);
        }
    }

    List<Map<String, Object>> leaks(Provider provider) {
        return leaks(provider, false);
    }

    /** Terminates what {@link #leaks} finds and verifies; the summary says what was found and what is left. */
    Map<String, Object> reap(Provider provider, boolean dryRun, boolean all) {
        try (Regions regions = new Regions(provider)) {
            List<Finding> findings = find(regions);
            List<Finding> leaks = findings.stream().filter(f -> f.verdict() == Verdict.REAP).toList();
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("provider", provider.name());
            summary.put("registry", records.registryId());
            summary.put("regions", regions.looked());
            summary.put("found", leaks.size());
            summary.put("skipped", findings.stream().filter(f -> f.verdict() == Verdict.SKIPPED).count());
            summary.put("foreign", findings.stream().filter(f -> f.verdict() == Verdict.FOREIGN).count());
            if (dryRun) {
                summary.put("terminated", 0);
                summary.put("left", leaks.size());
                summary.put("leaks", rows(findings, all));
                return summary;
            }
            Map<String, String> left = terminate(regions, leaks);
            if (!leaks.isEmpty()) {
                log.log("Reaped " + (leaks.size() - left.size()) + " of " + leaks.size() + " leaked instances on "
                        + provider.name() + (left.isEmpty() ? "" : "; still not terminated: " + describe(left)));
            }
            summary.put("terminated", leaks.size() - left.size());
            summary.put("left", left.size());
            summary.put("leaks", rows(findings, all));
            return summary;
        }
    }

    Map<String, Object> reap(Provider provider, boolean dryRun) {
        return reap(provider, dryRun, false);
    }

    /** Judges every tagged instance of every region; a region that cannot be listed is reported and passed over. */
    private List<Finding> find(Regions regions) {
        LeakJudge judge = LeakJudge.of(records, Instant.now());
        List<Finding> findings = new ArrayList<>();
        for (String region : regions.names()) {
            List<Instance> tagged;
            try {
                tagged = regions.in(region).tagged();
            } catch (CloudException e) {
                log.log("Cannot list spotsh's instances in " + region + ": " + e.getMessage());
                continue;
            }
            for (Instance i : tagged) {
                Finding f = judge.judge(i, region);
                if (f == null) {
                    continue;
                }
                if (f.verdict() == Verdict.SKIPPED) {
                    log.log(i.id() + " (test " + i.test() + ", " + region + "): " + f.why());
                }
                findings.add(f);
            }
        }
        return findings;
    }

    /** Terminates the leaks region by region; returns id → what was last seen of those not shown terminated. */
    private Map<String, String> terminate(Regions regions, List<Finding> leaks) {
        Map<String, List<Finding>> byRegion = new LinkedHashMap<>();
        for (Finding f : leaks) {
            byRegion.computeIfAbsent(f.region(), r -> new ArrayList<>()).add(f);
            if (!f.ours()) {
                log.log("Reaping " + f.instance().id() + " of test " + f.instance().test() + ": expired, of registry "
                        + f.registry() + " (" + f.why() + ")");
            }
        }
        Map<String, String> left = new LinkedHashMap<>();
        Set<String> tests = new LinkedHashSet<>();
        for (Map.Entry<String, List<Finding>> region : byRegion.entrySet()) {
            List<String> ids = region.getValue().stream().map(f -> f.instance().id()).toList();
            Map<String, String> notYet = verifier.terminate(regions.in(region.getKey()), ids);
            left.putAll(notYet);
            for (Finding f : region.getValue()) {
                String test = f.instance().test();
                if (f.ours() && !notYet.containsKey(f.instance().id()) && test != null) {
                    tests.add(test);
                    records.markTerminated(test, f.instance().id());
                }
            }
        }
        for (String test : tests) {
            records.terminateIfNothingLeft(test);
        }
        return left;
    }

    private static List<Map<String, Object>> rows(List<Finding> findings, boolean all) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Finding f : findings) {
            if (!all && f.verdict() != Verdict.REAP) {
                continue;
            }
            Instance i = f.instance();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("instance_id", i.id());
            row.put("test", i.test());
            row.put("role", i.role());
            row.put("region", f.region());
            row.put("zone", i.zone());
            row.put("state", i.state().toString());
            row.put("launched", i.launchedAt());
            row.put("registry", f.registry());
            row.put("owner", i.tags().get(Tags.OWNER));
            row.put("expires", i.tags().get(Tags.EXPIRES));
            row.put("verdict", f.verdict().name().toLowerCase(java.util.Locale.ROOT));
            row.put("why", f.why());
            rows.add(row);
        }
        return rows;
    }

    private static String describe(Map<String, String> left) {
        List<String> parts = new ArrayList<>();
        left.forEach((id, seen) -> parts.add(id + " (" + seen + ")"));
        return String.join(", ", parts);
    }

    private static void closeSibling(Provider opened, Provider used) {
        if (used != opened) {
            used.close();
        }
    }

    /** The provider in each region this registry has launched in (its own first); siblings closed at the end. */
    private final class Regions implements AutoCloseable {
        private final Provider home;
        private final Map<String, Provider> open = new LinkedHashMap<>();
        private final List<String> names = new ArrayList<>();

        Regions(Provider home) {
            this.home = home;
            names.add(home.region());
            for (String region : records.regions(home.name())) {
                if (!names.contains(region)) {
                    names.add(region);
                }
            }
        }

        List<String> names() {
            return names;
        }

        /** The regions looked in, for the summary. */
        List<String> looked() {
            return List.copyOf(names);
        }

        Provider in(String region) {
            return open.computeIfAbsent(region, home::inRegion);
        }

        @Override
        public void close() {
            for (Provider p : open.values()) {
                closeSibling(home, p);
            }
        }
    }
}
