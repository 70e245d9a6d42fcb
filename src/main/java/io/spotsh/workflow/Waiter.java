package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.common.BadInput;
import io.spotsh.common.Durations;
import io.spotsh.common.Log;
import io.spotsh.common.StatusLine;
import io.spotsh.registry.RegistryException;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cluster.await}: every interval, per role, how many of the expected instances reported in
 * ({@code I see 5/6 data servers reporting...}) and which are missing ({@code Missing Instances: i-..,i-..}),
 * until all have registered and answer SSH. Instances missing
 * (or registered but not answering SSH) longer than {@code replaceAfter} are replaced; spot interruptions
 * are noticed and their nodes marked dead so replacements take their numbers.
 */
final class Waiter {
    enum DudPolicy { KEEP, TERMINATE }

    record Settings(Duration timeout, Duration replaceAfter, Duration every, DudPolicy dudPolicy) {
        private static final List<String> KEYS = List.of("timeout", "replaceAfter", "every", "dudPolicy");

        static Settings from(Map<String, ?> args) {
            for (String key : args.keySet()) {
                if (!KEYS.contains(key)) {
                    throw new BadInput("cluster.await: unknown argument '" + key + "' (known: " + String.join(", ", KEYS) + ")");
                }
            }
            String policy = String.valueOf(args.containsKey("dudPolicy") ? args.get("dudPolicy") : "keep");
            if (!policy.equals("keep") && !policy.equals("terminate")) {
                throw new BadInput("cluster.await: dudPolicy is 'keep' (until the first phase) or 'terminate', not '" + policy + "'");
            }
            Duration timeout = Cluster.duration(args, "timeout", Duration.ofMinutes(15));
            return new Settings(timeout,
                    args.containsKey("replaceAfter") ? Durations.parse(args.get("replaceAfter"), "replaceAfter") : null,
                    Cluster.duration(args, "every", Duration.ofSeconds(10)),
                    policy.equals("keep") ? DudPolicy.KEEP : DudPolicy.TERMINATE);
        }
    }

    private final TestRecords records;
    private final RegisteredNodes nodes;
    private final Launcher launcher;
    private final StatusLine statusLine;
    private final Log log;
    private final Settings settings;
    private final Path fullLog;

    /** {@code launcher} replaces the overdue; {@code statusLine} shows progress live while waiting. */
    Waiter(TestRecords records, RegisteredNodes nodes, Launcher launcher, StatusLine statusLine, Log log, Settings settings) {
        this(records, nodes, launcher, statusLine, log, settings, null);
    }

    /** {@code fullLog}: the test's await log, where id lists too long for a line are written whole (or null). */
    Waiter(TestRecords records, RegisteredNodes nodes, Launcher launcher, StatusLine statusLine, Log log, Settings settings,
           Path fullLog) {
        this.fullLog = fullLog;
        this.records = records;
        this.nodes = nodes;
        this.launcher = launcher;
        this.statusLine = statusLine;
        this.log = log;
        this.settings = settings;
    }

    void await(TestRun run) {
        long start = System.nanoTime();
        long deadline = start + settings.timeout().toNanos();
        Set<String> told = new HashSet<>();
        Map<String, List<String>> lastTold = new HashMap<>();
        try (SshProbe probe = new SshProbe(32, Duration.ofSeconds(2));
             InterruptionWatch notices = InterruptionWatch.start(records, run, log)) {
            String outage = null;
            while (true) {
                Map<String, RoleView> roles;
                Map<String, String> attention;
                try {
                    refreshFromCloud(run);
                    roles = look(run, probe);
                    attention = RoleStatus.attention(records, run.name);
                } catch (RegistryException e) {
                    // a registry restart: the nodes retry their phone-home meanwhile, so waiting on is right
                    if (outage == null) {
                        outage = e.getMessage();
                        log.log("The registry does not answer (" + outage + "); still waiting, the nodes keep retrying");
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new WorkflowException("cluster.await: after " + Durations.format(settings.timeout())
                                + " the registry still does not answer: " + e.getMessage(), e);
                    }
                    Thread.sleep(Math.min(settings.every().toMillis(), left / 1_000_000 + 1));
                    continue;
                }
                if (outage != null) {
                    log.log("The registry answers again; awaiting on");
                    records.event(run.name, "registry-outage", null, null, "the registry did not answer during await: " + outage);
                    outage = null;
                }
                attention.forEach((key, line) -> {
                    if (told.add(key)) {
                        log.log(line);
                    }
                });
                boolean done = true;
                List<String> overdue = new ArrayList<>();
                for (RoleView v : roles.values()) {
                    log.log("I see " + v.registered + "/" + v.expected.size() + " " + v.role + " servers reporting...");
                    tell(run, v.role, "Missing Instances", v.missing, lastTold);
                    tell(run, v.role, "Not answering SSH", v.silent, lastTold);
                    done &= v.missing.isEmpty() && v.silent.isEmpty();
                    overdue.addAll(v.overdue);
                }
                showStatus(run, roles, start, attention.size());
                if (done) {
                    int total = roles.values().stream().mapToInt(v -> v.expected.size()).sum();
                    log.log("All " + total + " nodes of test " + run.name + " reported in and answer SSH.");
                    records.event(run.name, "ready", null, null, total + " nodes reported in");
                    return;
                }
                if (!overdue.isEmpty()) {
                    launcher.replace(run, overdue, settings.dudPolicy() == DudPolicy.TERMINATE);
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new WorkflowException("cluster.await: after " + Durations.format(settings.timeout())
                            + " test " + run.name + " still misses " + summary(roles));
                }
                Thread.sleep(Math.min(settings.every().toMillis(), left / 1_000_000 + 1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkflowException("cluster.await interrupted", e);
        } finally {
            statusLine.clear();
        }
    }

    /**
     * One id list of the await lines: shortened past {@value MissingIds#FULL_UP_TO} ids; the full list then goes
     * to the test's await log, and to the registry's events whenever it changed.
     */
    private void tell(TestRun run, String role, String label, List<String> ids, Map<String, List<String>> lastTold) {
        if (ids.isEmpty()) {
            lastTold.remove(role + label);
            return;
        }
        log.log(MissingIds.line(label, ids, hint(label)));
        if (!MissingIds.shortened(ids)) {
            return;
        }
        String full = label + " (" + role + ", " + ids.size() + "): " + String.join(",", ids);
        if (fullLog != null) {
            try {
                Files.createDirectories(fullLog.getParent());
                Files.writeString(fullLog, OffsetDateTime.now().withNano(0) + " " + full + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                log.log("cannot write the full list to " + fullLog + ": " + e.getMessage());
            }
        }
        if (!ids.equals(lastTold.put(role + label, List.copyOf(ids)))) {
            records.event(run.name, label.equals("Missing Instances") ? "missing" : "not-answering-ssh", role, null, full);
        }
    }

    private String hint(String label) {
        if (label.equals("Missing Instances")) {
            return MissingIds.MISSING_HINT;
        }
        return fullLog != null ? fullLog + " lists them all" : "the registry's events list them all";
    }

    private void showStatus(TestRun run, Map<String, RoleView> roles, long start, int refused) {
        StringBuilder text = new StringBuilder("await " + run.name + ":");
        int missing = 0;
        for (RoleView v : roles.values()) {
            text.append(' ').append(v.role).append(' ').append(v.registered).append('/').append(v.expected.size());
            missing += v.missing.size() + v.silent.size();
        }
        text.append(" | ").append(Durations.format(Duration.ofNanos(System.nanoTime() - start))).append(" elapsed");
        if (missing > 0) {
            text.append(" | ").append(missing).append(" not ready");
        }
        if (refused > 0) {
            text.append(" | ").append(refused).append(" refused");
        }
        statusLine.show(text.toString());
    }

    /** One role's picture at one moment. */
    private static final class RoleView {
        final String role;
        final List<String> expected = new ArrayList<>();
        final List<String> missing = new ArrayList<>();
        final List<String> silent = new ArrayList<>();
        final List<String> overdue = new ArrayList<>();
        int registered;

        RoleView(String role) {
            this.role = role;
        }
    }

    private Map<String, RoleView> look(TestRun run, SshProbe probe) throws InterruptedException {
        Map<String, RoleView> roles = new LinkedHashMap<>();
        Map<String, OffsetDateTime> requestedAt = new LinkedHashMap<>();
        for (InstanceRow row : records.instances(run.name)) {
            if (row.expected()) {
                roles.computeIfAbsent(row.role(), RoleView::new).expected.add(row.instanceId());
                requestedAt.put(row.instanceId(), row.requestedAt());
            }
        }
        List<SshProbe.Target> unknown = new ArrayList<>();
        Set<String> registered = new HashSet<>();
        for (Node n : nodes.of(run)) {
            registered.add(n.instanceId());
            if (!run.reachable.contains(n.instanceId())) {
                unknown.add(new SshProbe.Target(n.instanceId(), n.ip(), n.sshPort()));
            }
        }
        run.reachable.addAll(probe.answering(unknown));
        OffsetDateTime now = OffsetDateTime.now();
        for (RoleView v : roles.values()) {
            for (String id : v.expected) {
                boolean silent = false;
                if (!registered.contains(id)) {
                    v.missing.add(id);
                } else {
                    v.registered++;
                    if (!run.reachable.contains(id)) {
                        v.silent.add(id);
                        silent = true;
                    }
                }
                boolean late = settings.replaceAfter() != null && requestedAt.get(id) != null
                        && Duration.between(requestedAt.get(id), now).compareTo(settings.replaceAfter()) > 0;
                if (late && (silent || !registered.contains(id))) {
                    v.overdue.add(id);
                }
            }
        }
        return roles;
    }

    /** Asks the cloud about the test's live instances: spot interruptions and instances that vanished. */
    void refreshFromCloud(TestRun run) {
        Map<String, String> roleOf = new LinkedHashMap<>();
        for (InstanceRow row : records.instances(run.name)) {
            if (row.expected() || row.state().equals("dud")) {
                roleOf.put(row.instanceId(), row.role());
            }
        }
        if (roleOf.isEmpty()) {
            return;
        }
        for (Instance i : run.provider.describe(roleOf.keySet())) {
            run.instances.put(i.id(), i);
            String role = roleOf.get(i.id());
            // the fallback: a node reports its own notice at once (InterruptionWatch); the cloud's API shows it later
            if (i.interruptAt() != null && i.state().live() && !run.noticed.contains(i.id())
                    && records.cloudInterruptionNotice(run.name, role, i.id(), i.interruptAt()) && run.noticed.add(i.id())) {
                log.log(InterruptionWatch.line(i.id(), role, "terminate", i.interruptAt()) + " (seen in the cloud's API)");
            }
            if (i.state().gone()) {
                boolean spot = i.reclaimed();
                String why = spot ? "reclaimed by a spot interruption" : "terminated (" + i.stateReason() + ")";
                if (records.isRegistered(run.name, i.id())) {
                    records.markDead(run.name, i.id(), why);
                }
                records.setInstanceState(run.name, i.id(), spot ? "reclaimed" : "terminated");
                run.reachable.remove(i.id());
                log.log("Instance " + i.id() + " (" + role + ") was " + why);
            }
        }
    }

    private String summary(Map<String, RoleView> roles) {
        List<String> parts = new ArrayList<>();
        for (RoleView v : roles.values()) {
            if (!v.missing.isEmpty()) {
                parts.add(v.missing.size() + " of " + v.expected.size() + " " + v.role + " nodes (never reported: "
                        + MissingIds.shown(v.missing, MissingIds.MISSING_HINT) + ")");
            }
            if (!v.silent.isEmpty()) {
                parts.add(v.silent.size() + " " + v.role + " nodes not answering SSH (" + MissingIds.shown(v.silent, hint("Not answering SSH")) + ")");
            }
        }
        return String.join("; ", parts);
    }
}
