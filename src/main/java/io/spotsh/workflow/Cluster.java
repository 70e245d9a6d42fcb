package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Provider;
import io.spotsh.common.Durations;
import io.spotsh.common.Help;
import io.spotsh.common.Log;
import io.spotsh.common.StatusLine;
import io.spotsh.fanout.Fanout;
import io.spotsh.registry.Registry;
import io.spotsh.registry.TestInfo;
import io.spotsh.types.TestTypes;

import java.time.Duration;
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
@Help("the current test: launch, await, status, replace, terminate, leaks, reap, cost")
public final class Cluster implements AutoCloseable {
    private final Log log;
    private final Supplier<Registry> registry;
    private final Function<String, Provider> providerOpener;
    private final UserDataRenderer userData;
    private final TestTypes types;
    private final String defaultProvider;
    private final boolean keepDefault;
    private final Map<String, Provider> providers = new ConcurrentHashMap<>();
    private volatile TestRun run;
    private volatile StatusLine statusLine = StatusLine.NONE;
    private volatile boolean dryRunDefault;
    private volatile Supplier<Fanout> fanoutFactory;
    private Fanout fanout;

    public Cluster(Log log, Supplier<Registry> registry, Function<String, Provider> providerOpener,
                   UserDataRenderer userData, TestTypes types, String defaultProvider, boolean keepDefault) {
        this.log = log;
        this.registry = registry;
        this.providerOpener = providerOpener;
        this.userData = userData;
        this.types = types;
        this.defaultProvider = defaultProvider;
        this.keepDefault = keepDefault;
    }

    // ---- launch -------------------------------------------------------------------------------------

    @Help("launch(name:, type:, dataNodes:, clientNodes:, provider:, instanceType:, maxPrice:, az:, ttl:, params:, keep:, dryRun:) — size, record and request the cluster")
    public Cluster launch(Map<String, ?> args) {
        if (run != null && !run.ended) {
            throw new WorkflowException("test " + run.name + " is still running here; cluster.terminate() it (or keep it and start a new shell) before launching another");
        }
        LaunchSpec spec = LaunchSpec.from(args, defaultProvider, keepDefault, dryRunDefault);
        Map<String, Integer> sizing = types.get(spec.type()).size(spec.dataNodes(), spec.clientNodes(), spec.params());
        Provider provider = provider(spec.provider());
        if (spec.dryRun()) {
            double hourly = new Launcher(this, log).dryRun(spec, sizing, provider);
            if (dryRunDefault) {
                throw new DryRunComplete(String.format("dry run of %s: nothing launched (about $%.3f/h)", spec.name(), hourly));
            }
            return this;
        }
        run = new Launcher(this, log).launch(spec, sizing, provider);
        return this;
    }

    /** Works on a test launched earlier (by this or another spotsh process): status, nodes, terminate. */
    @Help("use('name') — work on an existing test (launched by another spotsh)")
    public Cluster use(String name) {
        TestInfo test = registry().test(name);
        run = new TestRun(test.name(), test.type(), provider(test.provider()), null, null, null, Map.of(), true, false);
        return this;
    }

    // ---- wait ---------------------------------------------------------------------------------------

    @Help("await(timeout: '15m', replaceAfter: '5m', every: '10s', dudPolicy: 'keep'|'terminate') — wait until every node reported and answers SSH")
    public Cluster await(Map<String, ?> args) {
        new Waiter(this, log, Waiter.Settings.from(args)).await(current());
        return this;
    }

    public Cluster await() {
        return await(Map.of());
    }

    @Help("replace(['i-...']) — replace instances that never reported (new ids become expected, old ones are duds)")
    public List<String> replace(Collection<String> instanceIds) {
        return new Launcher(this, log).replace(current(), instanceIds, false);
    }

    // ---- look -------------------------------------------------------------------------------------------

    @Help("status() — per role: expected, registered, reachable, duds, reclaimed, terminated")
    public List<Map<String, Object>> status() {
        TestRun r = current();
        new Waiter(this, log, Waiter.Settings.from(Map.of())).refreshFromCloud(r);
        Map<String, Map<String, Object>> byRole = new LinkedHashMap<>();
        for (Map<String, Object> row : instanceRows(r.name)) {
            String role = (String) row.get("role");
            Map<String, Object> s = byRole.computeIfAbsent(role, k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("role", k);
                for (String c : List.of("expected", "registered", "reachable", "duds", "reclaimed", "terminated")) {
                    m.put(c, 0);
                }
                return m;
            });
            String state = (String) row.get("state");
            switch (state) {
                case "requested", "running" -> bump(s, "expected");
                case "dud" -> bump(s, "duds");
                case "reclaimed" -> bump(s, "reclaimed");
                case "terminated" -> bump(s, "terminated");
                default -> { }
            }
        }
        for (Node n : registeredNodes()) {
            Map<String, Object> s = byRole.get(n.role());
            if (s != null) {
                bump(s, "registered");
                if (r.reachable.contains(n.instanceId())) {
                    bump(s, "reachable");
                }
            }
        }
        return new ArrayList<>(byRole.values());
    }

    private static void bump(Map<String, Object> row, String column) {
        row.put(column, ((Integer) row.get(column)) + 1);
    }

    @Help("cost() — instance-hours × the zone's spot price, per role and in total (USD)")
    public List<Map<String, Object>> cost() {
        return new Costs(this).of(current());
    }

    @Help("nodes — the registered nodes of the current test (also bound as 'nodes')")
    public Nodes getNodes() {
        return new Nodes(this);
    }

    @Help("name — the current test's name")
    public String getName() {
        return run == null ? null : run.name;
    }

    // ---- end --------------------------------------------------------------------------------------------

    @Help("terminate() — terminate every instance of the test, duds included, and wait until each is terminated")
    public Map<String, Object> terminate() {
        return new Reaper(this, log).terminateTest(current());
    }

    @Help("leaks() — instances tagged by spotsh whose test is finished, expired, unknown or whose owner died")
    public List<Map<String, Object>> leaks() {
        return new Reaper(this, log).leaks(provider(run != null ? providerName(run) : defaultProvider));
    }

    @Help("reap() / reap(dryRun: true) — terminate what leaks() finds and verify")
    public Map<String, Object> reap(Map<String, ?> args) {
        boolean dryRun = Boolean.TRUE.equals(args.get("dryRun"));
        String name = args.containsKey("provider") ? String.valueOf(args.get("provider"))
                : run != null ? providerName(run) : defaultProvider;
        return new Reaper(this, log).reap(provider(name), dryRun);
    }

    public Map<String, Object> reap() {
        return reap(Map.of());
    }

    @Help("keep(true) — leave the test running when this plan or shell exits")
    public Cluster keep(boolean keep) {
        current().keep = keep;
        registry().sql("UPDATE spotsh.tests SET keep = ? WHERE name = ?", keep, current().name);
        return this;
    }

    /** Ends the test this process launched, unless asked to keep it: every exit path of a plan or shell comes here. */
    @Override
    public void close() {
        TestRun r = run;
        try {
            if (r != null && r.launchedHere && !r.ended && !r.keep) {
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

    synchronized Fanout fanout() {
        if (fanout == null) {
            if (fanoutFactory == null) {
                throw new WorkflowException("no SSH fan-out is configured for this cluster");
            }
            fanout = fanoutFactory.get();
        }
        return fanout;
    }

    NodeActions actions() {
        return new NodeActions(this::fanout, log);
    }

    // ---- phases -----------------------------------------------------------------------------------------

    /**
     * One named phase of the test: duds kept so far are ended (the first phase is when the cluster is known
     * good), every node gets a sysstat marker at start and end, and the phase is timed and recorded.
     */
    @Help("phase('load') { ... } — mark start and end on all nodes, time the phase, record it in the registry")
    public Object phase(String name, groovy.lang.Closure<?> body) {
        return new Phases(this, log).run(current(), name, body);
    }

    /** {@code --dry-run}: every launch only prints what it would request, and the plan stops there. */
    public void setDryRun(boolean dryRun) {
        this.dryRunDefault = dryRun;
    }

    /** Where long waits show live progress; the shell sets its terminal's status line. */
    public void setStatusLine(StatusLine statusLine) {
        this.statusLine = statusLine == null ? StatusLine.NONE : statusLine;
    }

    // ---- shared with the workflow's helpers --------------------------------------------------------

    StatusLine statusLine() {
        return statusLine;
    }

    Registry registry() {
        return registry.get();
    }

    UserDataRenderer userData() {
        return userData;
    }

    Provider provider(String name) {
        return providers.computeIfAbsent(name, providerOpener);
    }

    String providerName(TestRun r) {
        return r.provider.name();
    }

    TestRun current() {
        TestRun r = run;
        if (r == null) {
            throw new WorkflowException("no test yet: cluster.launch(name: ..., dataNodes: ...) or cluster.use('name') first");
        }
        return r;
    }

    String testName() {
        return current().name;
    }

    void event(String test, String kind, String role, String instanceId, String message) {
        registry().sql("INSERT INTO spotsh.events (test_id, kind, role, instance_id, message)"
                + " SELECT id, ?, ?, ?, ? FROM spotsh.tests WHERE name = ?", kind, role, instanceId, message, test);
    }

    /** Every instance requested for a test: role, instance_id, zone, state, requested_at, in request order. */
    List<Map<String, Object>> instanceRows(String test) {
        return registry().sql("SELECT i.role, i.instance_id, i.zone, i.state, i.requested_at"
                + " FROM spotsh.instances i JOIN spotsh.tests t ON t.id = i.test_id WHERE t.name = ? ORDER BY i.id", test);
    }

    /** Whether the instance is a live registered node of the test (then marking it dead frees its number). */
    boolean isRegistered(String test, String instanceId) {
        return !registry().sql("SELECT 1 FROM spotsh.nodes n JOIN spotsh.tests t ON t.id = n.test_id"
                + " WHERE t.name = ? AND n.instance_id = ? AND n.state = 'registered'", test, instanceId).isEmpty();
    }

    List<String> missingIds() {
        return registry().missing(current().name);
    }

    /** The live registered nodes of the current test, by role and number, with their SSH ports. */
    List<Node> registeredNodes() {
        TestRun r = current();
        List<Map<String, Object>> rows = registry().sql("SELECT n.role, n.node_number, n.instance_id, host(n.ip) AS ip,"
                + " n.hostname, n.host_key FROM spotsh.nodes n JOIN spotsh.tests t ON t.id = n.test_id"
                + " WHERE t.name = ? AND n.state = 'registered' ORDER BY n.role <> 'data', n.role, n.node_number", r.name);
        List<String> unknownPorts = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            if (!r.instances.containsKey((String) row.get("instance_id"))) {
                unknownPorts.add((String) row.get("instance_id"));
            }
        }
        if (!unknownPorts.isEmpty()) {
            for (Instance i : r.provider.describe(unknownPorts)) {
                r.instances.put(i.id(), i);
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            String id = (String) row.get("instance_id");
            Instance instance = r.instances.get(id);
            // the cloud's view of the address wins: a private IP may not be reachable from here
            String address = instance != null && instance.address() != null ? instance.address() : (String) row.get("ip");
            nodes.add(new Node(r.name, (String) row.get("role"), ((Number) row.get("node_number")).intValue(), id,
                    address, (String) row.get("hostname"), instance == null ? 22 : instance.sshPort(),
                    (String) row.get("host_key")));
        }
        return nodes;
    }

    static Duration duration(Map<String, ?> args, String key, Duration fallback) {
        return args.containsKey(key) ? Durations.parse(args.get(key), key) : fallback;
    }
}
