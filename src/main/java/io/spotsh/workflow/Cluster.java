package io.spotsh.workflow;

import io.spotsh.cloud.Provider;
import io.spotsh.collect.Collector;
import io.spotsh.collect.PhaseCost;
import io.spotsh.collect.RunFacts;
import io.spotsh.collect.Results;
import io.spotsh.common.BadInput;
import io.spotsh.common.Durations;
import io.spotsh.common.Help;
import io.spotsh.common.Log;
import io.spotsh.common.StatusLine;
import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.RunResult;
import io.spotsh.node.UserDataRenderer;
import io.spotsh.registry.ImageRecords;
import io.spotsh.registry.Registry;
import io.spotsh.registry.TestInfo;
import io.spotsh.registry.TestRecords;
import io.spotsh.report.RunReport;
import io.spotsh.tools.LocalTools;
import io.spotsh.types.Sanity;
import io.spotsh.types.TestType;
import io.spotsh.types.TestTypes;
import io.spotsh.types.TypeException;
import io.spotsh.types.Workload;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The current test: launch it, wait for its nodes, replace duds, see its status, end it, and find what
 * any test left running. One test at a time per binding; tests in other shells or plans are isolated by name.
 *
 * <pre>{@code
 * cluster.launch(name: 'ring-6', dataNodes: 6, clientNodes: 2, dudRate: 0.05)
 * cluster.await(timeout: '10m', replaceAfter: '2m')   // logs "I see 5/6 data servers reporting..."
 * cluster.status()
 * cluster.terminate()                                 // waits until every instance is terminated
 * }</pre>
 *
 * Every exit path of a plan or the shell ends the test this process launched ({@link #close}), unless it
 * was launched with {@code keep: true} or {@code --keep}.
 */
@Help("the current test: launch, await, configure, check, workloads, collect, status, replace, terminate, leaks, reap, cost")
public final class Cluster implements AutoCloseable {
    private final Log log;
    private final Function<String, Provider> providerOpener;
    private final TestTypes types;
    private final String defaultProvider;
    private final boolean keepDefault;
    private final Map<String, Provider> providers = new ConcurrentHashMap<>();
    // the helpers, wired once; each gets only what it uses
    private final Supplier<Registry> registry;
    private final TestRecords records;
    private final ImageRecords images;
    private final RegisteredNodes registeredNodes;
    private final NodeActions actions;
    private final Launcher launcher;
    private final Reaper reaper;
    private final Phases phases;
    private volatile TestRun run;
    private volatile StatusLine statusLine = StatusLine.NONE;
    private volatile boolean dryRunDefault;
    private volatile LocalTools localTools;
    private volatile boolean interactive;
    private volatile Path resultsDir = Path.of("results");
    private volatile Supplier<Fanout> fanoutFactory;
    private Fanout fanout;

    /**
     * @param registry       opened on first use (an idle shell never starts the embedded registry)
     * @param providerOpener opens a provider by name; each is opened once and closed with the cluster
     * @param userData       renders the boot script every instance runs
     */
    public Cluster(Log log, Supplier<Registry> registry, Function<String, Provider> providerOpener,
                   UserDataRenderer userData, TestTypes types, String defaultProvider, boolean keepDefault) {
        this.log = log;
        this.providerOpener = providerOpener;
        this.types = types;
        this.defaultProvider = defaultProvider;
        this.keepDefault = keepDefault;
        this.registry = registry;
        this.records = new TestRecords(registry);
        this.images = new ImageRecords(registry);
        this.registeredNodes = new RegisteredNodes(records);
        this.actions = new NodeActions(this::fanout, log);
        this.launcher = new Launcher(records, userData, log);
        this.reaper = new Reaper(records, log);
        this.phases = new Phases(records, registeredNodes, actions, log);
    }

    // ---- launch -------------------------------------------------------------------------------------

    @Help("launch(name:, type:, dataNodes:, clientNodes:, provider:, instanceType:, maxPrice:, az:, ttl:, params:, keep:, dryRun:) — size, record and request the cluster")
    public Cluster launch(Map<String, ?> args) {
        if (run != null && !run.ended) {
            throw new WorkflowException("test " + run.name + " is still running here; cluster.terminate() it (or keep it and start a new shell) before launching another");
        }
        LaunchSpec spec = LaunchSpec.from(args, defaultProvider, name -> provider(name).launchOptions(), keepDefault,
                dryRunDefault);
        TestType type = types.get(spec.type());
        Map<String, Integer> sizing = type.size(spec.dataNodes(), spec.clientNodes(), spec.params());
        spec = spec.withParams(type.params(sizing, spec.params()));
        Provider provider = provider(spec.provider());
        if (provider.runsHere() && !spec.dryRun()) {
            provideTools(type);
        }
        ImageTools.Choice image = ImageTools.choose(images, provider, type, spec.providerOptions());
        spec = spec.withProviderOptions(image.options());
        if (spec.dryRun()) {
            double hourly = launcher.dryRun(spec, sizing, provider, resultsDir);
            if (dryRunDefault) {
                throw new DryRunComplete(String.format("dry run of %s: nothing launched (about $%.3f/h)", spec.name(), hourly));
            }
            return this;
        }
        run = launcher.launch(spec, sizing, provider);
        if (image.imageId() != null) {
            images.setTestImage(run.name, image.imageId());
        }
        run.sizing = Map.copyOf(sizing);
        run.params = spec.params();
        records.setSizing(run.name, sizing);
        return this;
    }

    /** Local nodes run this machine's programs: provide what is missing (or say so) before anything is launched. */
    private void provideTools(TestType type) {
        LocalTools tools = localTools;
        if (tools == null) {
            throw new IllegalStateException("no local tools wired into this cluster (setLocalTools)");
        }
        tools.provide(type);
    }

    /** Works on a test launched earlier (by this or another spotsh process): status, nodes, terminate. */
    @Help("use('name') — work on an existing test (launched by another spotsh)")
    public Cluster use(String name) {
        TestInfo test = records.test(name);
        TestRun used = new TestRun(test.name(), test.type(), provider(test.provider(), records.region(name)), null, null,
                null, Map.of(), true, false);
        used.params = test.params();
        Map<String, Integer> sizing = records.sizing(name);
        if (sizing != null) {
            used.sizing = sizing;
        }
        run = used;
        return this;
    }

    // ---- wait ---------------------------------------------------------------------------------------

    @Help("await(timeout: '15m', replaceAfter: '5m', every: '10s', dudPolicy: 'keep'|'terminate') — wait until every node reported and answers SSH")
    public Cluster await(Map<String, ?> args) {
        waiter(Waiter.Settings.from(args)).await(current());
        return this;
    }

    public Cluster await() {
        return await(Map.of());
    }

    @Help("replace(['i-...']) — replace instances that never reported (new ids become expected, old ones are duds)")
    public List<String> replace(Collection<String> instanceIds) {
        return launcher.replace(current(), instanceIds, false);
    }

    // ---- look -------------------------------------------------------------------------------------------

    @Help("status() — per role: expected, registered, reachable, duds, reclaimed, terminated, refused, keyRefused")
    public List<Map<String, Object>> status() {
        TestRun r = current();
        waiter(Waiter.Settings.from(Map.of())).refreshFromCloud(r);
        RoleStatus.attention(records, r.name).values().forEach(log::log);
        InterruptionWatch.pending(records, r, log);
        return new RoleStatus(records, registeredNodes).of(r);
    }

    @Help("trust('i-...') — accept the new host key a registered node offered (refused and shown in status until then)")
    public int trust(String instanceId) {
        TestRun r = current();
        int number = records.trust(r.name, instanceId);
        log.log("Trusting the new host key of " + instanceId + " (node " + number + " of " + r.name + ")");
        return number;
    }

    @Help("cost() — instance-hours × the zone's spot price, per role and in total (USD), beside on demand and the saving")
    public List<Map<String, Object>> cost() {
        return new Costs(records).of(current());
    }

    @Help("nodes — the registered nodes of the current test (also bound as 'nodes')")
    public Nodes getNodes() {
        return new Nodes(this);
    }

    @Help("name — the current test's name")
    public String getName() {
        return run == null ? null : run.name;
    }

    /**
     * What the shell prints after {@code launch}, {@code await} or {@code cluster}: the test's line and a row per role
     * (requested, registered, reachable, duds). Reads the registry only, never the cloud.
     */
    @Override
    public String toString() {
        TestRun r = run;
        return r == null ? ClusterLine.NO_TEST : ClusterLine.of(r, records, Instant.now());
    }

    // ---- the test: configure, check, workloads, collect ----------------------------------------------

    @Help("type — the test type: name, description, its workload phases")
    public Map<String, Object> getType() {
        TestRun r = current();
        TestType type = types.get(r.type);
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("name", type.name());
        about.put("description", type.description());
        about.put("workloads", type.workloads(r.params).stream().map(Workload::name).toList());
        about.put("params", r.params);
        about.put("sizing", r.sizing);
        return about;
    }

    @Help("configure() — once every node is up: wait for their boot to finish, then the type's cluster-wide setup (e.g. redis-cli --cluster create)")
    public Cluster configure() {
        TestRun r = current();
        startRun(r);
        new BootWait(registeredNodes::of, actions, log).untilFinished(r);
        try {
            types.get(r.type).configure(typeCluster(r));
        } catch (TypeException e) {
            records.event(r.name, "configure-failed", null, null, e.getMessage());
            throw new WorkflowException("cluster.configure " + r.name + ": " + e.getMessage(), e);
        }
        records.event(r.name, "configured", null, null, r.type);
        return this;
    }

    @Help("check() — the type's sanity check; a plan fails on it (after collecting what exists), the shell shows what is wrong")
    public Sanity check() {
        TestRun r = current();
        startRun(r);
        Sanity sanity = types.get(r.type).check(typeCluster(r));
        records.event(r.name, sanity.isOk() ? "check-ok" : "check-failed", null, null,
                sanity.isOk() ? sanity.summary() : String.join("; ", sanity.problems()));
        if (sanity.isOk()) {
            log.log("Sanity check of " + r.name + " passed: " + sanity.summary());
            return sanity;
        }
        log.log("Sanity check of " + r.name + " FAILED (" + sanity.problems().size() + " problems): " + sanity.summary());
        sanity.problems().forEach(p -> log.log("  " + p));
        if (!interactive) {
            throw new WorkflowException("cluster.check " + r.name + ": the cluster is not sane: " + String.join("; ", sanity.problems()));
        }
        log.log("Fix what is wrong and call cluster.check() again");
        return sanity;
    }

    @Help("workload('load', timeout: '30m') — one workload phase of the type, on all its nodes at once: marked, timed, recorded")
    public RunResult workload(Map<String, ?> options, String name) {
        TestRun r = current();
        startRun(r);
        TestType type = types.get(r.type);
        List<Workload> all = type.workloads(r.params);
        Workload workload = all.stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow(() -> new BadInput(
                "cluster.workload: test type " + type.name() + " has no workload '" + name + "' (it has: "
                        + all.stream().map(Workload::name).toList() + ")"));
        return new Workloads(phases, log).run(r, typeCluster(r), workload, duration(options, "timeout", Duration.ofMinutes(30)));
    }

    public RunResult workload(String name) {
        return workload(Map.of(), name);
    }

    @Help("workloads() — every workload phase of the type, in order; stops at the first that fails")
    public List<RunResult> workloads() {
        TestRun r = current();
        List<RunResult> results = new ArrayList<>();
        for (Workload w : types.get(r.type).workloads(r.params)) {
            results.add(workload(w.name()));
        }
        return results;
    }

    @Help("collect(into: 'results') — every node's workload output, sysstat files and logs into results/<test>/<run>/, summary.csv, an archive")
    public Results collect(Map<String, ?> options) {
        TestRun r = current();
        RunRecord record = startRun(r);
        Path into = options.containsKey("into") ? Path.of(String.valueOf(options.get("into"))) : resultsDir;
        Path dir = into.resolve(r.name).resolve(record.name).toAbsolutePath();
        log.log("Collecting results of " + r.name + " into " + dir);
        try {
            try {
                RunJson.write(r, record, records, new Costs(records).of(r), dir);
            } catch (RuntimeException e) {
                // the results matter more than the report's page of facts: collect them anyway
                log.log("run.json not written (report.html will lack the run's facts): " + e.getMessage());
            }
            Results results = new Collector(typeCluster(r), types.get(r.type), () -> runFacts(r, record))
                    .collect(record.name, dir);
            record.results = results;
            records.runCollected(record.id, dir.toString(), results.archive().toString(), results.summaryCsv().toString(),
                    results.missing().isEmpty() ? null : "nothing from " + results.missing());
            records.event(r.name, "collected", null, null, dir.toString());
            results.missing().forEach((node, why) -> log.log("Nothing collected from " + node + ": " + why));
            if (DiskFull.inAny(results.missing().values())) {
                throw DiskFull.error(dir, results.collected().size(), results.collected().size() + results.missing().size(), null);
            }
            log.log("Results of " + results.collected().size() + " nodes in " + dir + "; " + results.summary().nodeRows().size()
                    + " figures in " + results.summaryCsv().getFileName() + "; archive " + results.archive());
            log.log("Report: " + dir.resolve(RunReport.FILE));
            return results;
        } catch (RuntimeException e) {
            records.runFailed(record.id, e.getMessage());
            if (DiskFull.in(e) && !(e instanceof WorkflowException)) {
                throw DiskFull.error(dir, collectedSoFar(dir), registeredNodes.of(r).size(), e);
            }
            throw e;
        }
    }

    /** Node folders that made it into a run folder (collect moves each node's files there when they arrived whole). */
    private static int collectedSoFar(Path dir) {
        try (var entries = java.nio.file.Files.list(dir)) {
            return (int) entries.filter(java.nio.file.Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith(".")).count();
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    public Results collect() {
        return collect(Map.of());
    }

    /** {@code registry.compare}: run B against run A, refused when unlike unless {@code force: true}. */
    @Help("compare('results/t/runA', 'results/t/runB', force: false) — B against A: change in %, beyond noise or not")
    public List<Map<String, Object>> compare(Map<String, ?> options, String runA, String runB) {
        return registry.get().compare(options, runA, runB);
    }

    public List<Map<String, Object>> compare(String runA, String runB) {
        return compare(Map.of(), runA, runB);
    }

    @Help("resultsDir — where collect() and a failing plan's exit put results (default: results/ here)")
    public Path getResultsDir() {
        return resultsDir;
    }

    public void setResultsDir(Object dir) {
        this.resultsDir = Path.of(String.valueOf(dir));
    }

    /**
     * What the registry knows of the run for summary.csv and samples.jsonl: each registered node's instance type
     * and zone, and each ended phase's window and its instances' cost (a phase run twice: its last window).
     */
    private RunFacts runFacts(TestRun r, RunRecord record) {
        Map<String, String> zones = new java.util.HashMap<>();
        records.instances(r.name).forEach(i -> zones.put(i.instanceId(), i.zone()));
        Map<String, RunFacts.Placement> nodes = new java.util.LinkedHashMap<>();
        for (TestRecords.NodeRow n : records.registeredNodes(r.name)) {
            nodes.put(n.role() + "-" + n.number(), new RunFacts.Placement(Costs.instanceType(r, n.instanceId()),
                    zones.get(n.instanceId())));
        }
        Costs costs = new Costs(records);
        Map<String, PhaseCost> phases = new java.util.LinkedHashMap<>();
        for (TestRecords.PhaseRow p : records.phases(record.id)) {
            if (p.finishedAt() != null) {
                Instant from = p.startedAt().toInstant();
                Instant to = p.finishedAt().toInstant();
                phases.put(p.name(), new PhaseCost(p.name(), from, to, costs.during(r, from, to)));
            }
        }
        return new RunFacts(nodes, phases, Instant.now());
    }

    /** The run this test is on, started (and recorded) on first use. */
    private RunRecord startRun(TestRun r) {
        synchronized (r) {
            if (r.record == null) {
                String name = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
                r.record = new RunRecord(records.startRun(r.name, "results/" + r.name + "/" + name), name);
            }
            return r.record;
        }
    }

    /** A failing plan still brings home what exists before its nodes go. */
    private void collectBeforeTeardown(TestRun r) {
        try {
            collect();
        } catch (RuntimeException e) {
            log.log("Collecting what exists of " + r.name + " failed: " + e.getMessage());
        }
    }

    private TestClusterView typeCluster(TestRun r) {
        return new TestClusterView(r, records, registeredNodes, actions, log);
    }

    private Waiter waiter(Waiter.Settings settings) {
        TestRun r = run;
        return new Waiter(records, registeredNodes, launcher, statusLine, log, settings,
                r == null ? null : resultsDir.resolve(r.name).resolve("await.log"));
    }

    /** The shell lets an operator fix a failed sanity check; a plan fails on it. */
    public void setInteractive(boolean interactive) {
        this.interactive = interactive;
    }

    // ---- end --------------------------------------------------------------------------------------------

    @Help("terminate() — terminate every instance of the test, duds included, and wait until each is terminated")
    public Map<String, Object> terminate() {
        return reaper.terminateTest(current());
    }

    @Help("leaks() / leaks(all: true) — this registry's instances whose test is finished, expired, unknown or whose"
            + " owner died, and anyone's expired ones; all: other registries' too (foreign, never ended here)")
    public List<Map<String, Object>> leaks(Map<String, ?> args) {
        return reaper.leaks(provider(run != null ? providerName(run) : defaultProvider), Boolean.TRUE.equals(args.get("all")));
    }

    public List<Map<String, Object>> leaks() {
        return leaks(Map.of());
    }

    @Help("reap() / reap(dryRun: true, all: true) — terminate what leaks() finds and verify; all lists foreign instances too")
    public Map<String, Object> reap(Map<String, ?> args) {
        boolean dryRun = Boolean.TRUE.equals(args.get("dryRun"));
        String name = args.containsKey("provider") ? String.valueOf(args.get("provider"))
                : run != null ? providerName(run) : defaultProvider;
        return reaper.reap(provider(name), dryRun, Boolean.TRUE.equals(args.get("all")));
    }

    public Map<String, Object> reap() {
        return reap(Map.of());
    }

    @Help("keep(true) — leave the test running when this plan or shell exits")
    public Cluster keep(boolean keep) {
        current().keep = keep;
        records.setKeep(current().name, keep);
        return this;
    }

    /** Ends the test this process launched, unless asked to keep it: every exit path of a plan or shell comes here. */
    @Override
    public void close() {
        TestRun r = run;
        try {
            if (r != null && r.launchedHere && !r.ended && !r.keep) {
                if (r.record != null && !r.record.collected()) {
                    collectBeforeTeardown(r);
                }
                log.log("Ending test " + r.name + " on exit (launch with keep: true or --keep to leave it running)");
                terminate();
            } else if (r != null && r.launchedHere && !r.ended) {
                log.log("Leaving test " + r.name + " running (keep); 'spotsh reap' ends it once it expires");
            }
        } finally {
            synchronized (this) {
                if (fanout != null) {
                    fanout.close();
                    fanout = null;
                }
            }
            for (Provider p : providers.values()) {
                p.close();
            }
            providers.clear();
        }
    }

    /** How to open the session's SSH fan-out (its connections stay open between commands). */
    public void setFanout(Supplier<Fanout> factory) {
        this.fanoutFactory = factory;
    }

    private synchronized Fanout fanout() {
        if (fanout == null) {
            if (fanoutFactory == null) {
                throw new WorkflowException("no SSH fan-out is configured for this cluster");
            }
            fanout = fanoutFactory.get();
        }
        return fanout;
    }

    NodeActions actions() {
        return actions;
    }

    // ---- phases -----------------------------------------------------------------------------------------

    /**
     * One named phase of the test: duds kept so far are ended (the first phase is when the cluster is known
     * good), every node gets a sysstat marker at start and end, and the phase is timed and recorded.
     */
    @Help("phase('load') { ... } — mark start and end on all nodes, time the phase, record it in the registry")
    public Object phase(String name, groovy.lang.Closure<?> body) {
        TestRun r = current();
        startRun(r); // a phase belongs to a run: one that is stopped (SIGTERM, a failure) still collects what exists
        java.util.Set<String> goneBefore = goneIds(r);
        java.time.Instant start = java.time.Instant.now();
        try {
            return phases.run(r, name, body::call);
        } finally {
            markAffected(r, name, start, goneBefore);
        }
    }

    private java.util.Set<String> goneIds(TestRun r) {
        java.util.Set<String> gone = new java.util.HashSet<>();
        for (TestRecords.InstanceRow i : records.instances(r.name)) {
            if (i.state().equals("reclaimed") || i.state().equals("terminated")) {
                gone.add(i.instanceId());
            }
        }
        return gone;
    }

    /**
     * Instances lost while the phase ran (a spot reclaim, a termination) mark it: their nodes are marked dead now,
     * and a {@code phase-affected} event (in run.json, for the report) names each with the phase's interval.
     */
    private void markAffected(TestRun r, String phase, java.time.Instant start, java.util.Set<String> goneBefore) {
        try {
            waiter(Waiter.Settings.from(Map.of())).refreshFromCloud(r);
            for (TestRecords.InstanceRow i : records.instances(r.name)) {
                if ((i.state().equals("reclaimed") || i.state().equals("terminated")) && !goneBefore.contains(i.instanceId())) {
                    String text = "phase " + phase + ": " + i.role() + " instance " + i.instanceId() + " " + i.state()
                            + " in the interval " + start + " .. " + java.time.Instant.now();
                    log.log("Phase " + phase + " affected: " + i.instanceId() + " (" + i.role() + ") was " + i.state()
                            + " while it ran; its results cover only part of the phase");
                    records.event(r.name, "phase-affected", i.role(), i.instanceId(), text);
                }
            }
        } catch (RuntimeException e) {
            log.log("Could not check which instances phase " + phase + " lost: " + e.getMessage());
        }
    }

    /** {@code --dry-run}: every launch only prints what it would request, and the plan stops there. */
    /** What provides the programs of nodes on a provider that runs them here (the local cloud). */
    public void setLocalTools(LocalTools localTools) {
        this.localTools = localTools;
    }

    public void setDryRun(boolean dryRun) {
        this.dryRunDefault = dryRun;
    }

    /** Where long waits show live progress; the shell sets its terminal's status line. */
    public void setStatusLine(StatusLine statusLine) {
        this.statusLine = statusLine == null ? StatusLine.NONE : statusLine;
    }

    // ---- the current test and its providers ------------------------------------------------------

    private Provider provider(String name) {
        return providers.computeIfAbsent(name, providerOpener);
    }

    /** The provider in the region a test was launched in (opened once, closed with the cluster). */
    private Provider provider(String name, String region) {
        Provider home = provider(name);
        if (region == null || region.equals(home.region())) {
            return home;
        }
        return providers.computeIfAbsent(name + "@" + region, k -> home.inRegion(region));
    }

    private String providerName(TestRun r) {
        return r.provider.name();
    }

    private TestRun current() {
        TestRun r = run;
        if (r == null) {
            throw new WorkflowException("no test yet: cluster.launch(name: ..., dataNodes: ...) or cluster.use('name') first");
        }
        return r;
    }

    // ---- shared with Nodes ------------------------------------------------------------------------

    String testName() {
        return current().name;
    }

    List<String> missingIds() {
        return records.missing(current().name);
    }

    /** The live registered nodes of the current test, by role and number, with their SSH ports. */
    List<Node> registeredNodes() {
        return registeredNodes.of(current());
    }

    static Duration duration(Map<String, ?> args, String key, Duration fallback) {
        return args.containsKey(key) ? Durations.parse(args.get(key), key) : fallback;
    }
}
