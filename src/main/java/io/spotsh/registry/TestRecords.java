package io.spotsh.registry;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the workflow writes down about its tests, and reads back: the test itself (state, owner process, keep,
 * sizing), the instances requested for it, its registered nodes, its events, its runs and their phases. The
 * workflow goes through these named methods only; the SQL lives here, next to the schema it reads.
 *
 * <pre>{@code
 * TestRecords records = new TestRecords(() -> registry);
 * records.create("ring-6", "generic", "local", Map.of(), Duration.ofHours(6));
 * records.recordInstances("ring-6", "data", List.of("i-0a1", "i-0a2"), "local-a");
 * records.event("ring-6", "ready", null, null, "2 nodes reported in");
 * records.instances("ring-6");        // [InstanceRow[role=data, instanceId=i-0a1, state=requested, ...], ...]
 * long phase = records.startPhase("ring-6", "load", null);
 * records.endPhase(phase, "ok", 12.5, null);
 * }</pre>
 *
 * The registry is asked for on first use, so building the workflow opens no connection. One object serves
 * every test of a registry; each method names its test.
 */
public final class TestRecords {
    /** One instance requested for a test, and what became of it. */
    public record InstanceRow(String role, String instanceId, String zone, String state, OffsetDateTime requestedAt,
                              OffsetDateTime stateChangedAt, Double onDemandUsdPerHour) {
        /** Requested or running: the test still waits for it or counts on it. */
        public boolean expected() {
            return state.equals("requested") || state.equals("running");
        }
    }

    /** A live registered node, as it phoned home: its number in its role, private address, host key. */
    public record NodeRow(String role, int number, String instanceId, String ip, String hostname, String hostKey) {
    }

    /** A registered node that offered another host key than its pinned one: refused, kept aside for {@link #trust}. */
    public record KeyConflict(String role, int number, String instanceId, String pinnedKey, String offeredKey,
                              String offeredIp, OffsetDateTime offeredAt) {
        /** {@code SHA256:...} as ssh-keygen -lf shows it, or the key itself if it has no fingerprint. */
        public String pinnedFingerprint() {
            String f = HostKeys.fingerprint(pinnedKey);
            return f != null ? f : pinnedKey;
        }

        public String offeredFingerprint() {
            String f = HostKeys.fingerprint(offeredKey);
            return f != null ? f : offeredKey;
        }
    }

    /** A registration the registry refused (an instance never requested, or in another role, or given up). */
    public record Refusal(String role, String instanceId, String reason, OffsetDateTime at) {
    }

    /**
     * What decides whether a test's instances are leaks: its state, expiry, keep flag and launching process; and
     * where they are (provider, region, zones; region null for a test recorded before regions were).
     */
    public record Ownership(String name, String state, OffsetDateTime expiresAt, boolean keep, String ownerProcess,
                            String provider, String region, List<String> zones) {
    }

    private final Supplier<Registry> registry;
    /** Each test's live nodes as last read, with the registry's digest of them; see {@link #registeredNodes}. */
    private final Map<String, NodeList> nodeLists = new ConcurrentHashMap<>();

    public TestRecords(Supplier<Registry> registry) {
        this.registry = registry;
    }

    private Registry registry() {
        return registry.get();
    }

    // ---- the test -------------------------------------------------------------------------------------

    /** Creates the test and its registration role; see {@link Registry#createTest}. */
    public TestInfo create(String name, String type, String provider, Map<String, ?> params, Duration ttl) {
        return registry().createTest(name, type, provider, params, ttl);
    }

    /** The test of that name; throws if there is none. */
    public TestInfo test(String name) {
        return registry().test(name);
    }

    /** Drops a test and everything recorded about it (a dry run leaves nothing behind). */
    public void delete(String name) {
        registry().deleteTest(name);
    }

    public void setState(String test, String state) {
        registry().setTestState(test, state);
    }

    /** Which spotsh process launched the test ({@code host:pid:startMillis}) and whether it is kept on exit. */
    public void setOwner(String test, String ownerProcess, boolean keep) {
        registry().sql("UPDATE spotsh.tests SET owner_process = ?, keep = ? WHERE name = ?", ownerProcess, keep, test);
    }

    public void setKeep(String test, boolean keep) {
        registry().sql("UPDATE spotsh.tests SET keep = ? WHERE name = ?", keep, test);
    }

    /** Nodes per role the test was sized for, so another spotsh working on it knows them too. */
    public void setSizing(String test, Map<String, Integer> sizing) {
        registry().sql("UPDATE spotsh.tests SET sizing = ?::jsonb WHERE name = ?", Json.write(sizing), test);
    }

    /** The sizing recorded with {@link #setSizing}, or null when the test has none. */
    public Map<String, Integer> sizing(String test) {
        Object sizing = registry().sql("SELECT sizing FROM spotsh.tests WHERE name = ?", test).get(0).get("sizing");
        if (sizing == null) {
            return null;
        }
        Map<String, Integer> roles = new LinkedHashMap<>();
        ((Map<?, ?>) Json.parse(sizing.toString()))
                .forEach((role, count) -> roles.put(String.valueOf(role), ((Number) count).intValue()));
        return roles;
    }

    /** Every test of the registry with what {@code reap} needs to judge its instances. */
    public List<Ownership> ownerships() {
        List<Ownership> tests = new ArrayList<>();
        for (Map<String, Object> t : registry().sql("SELECT name, state, expires_at, keep, owner_process, provider, region,"
                + " array_to_string(zones, ',') AS zones FROM spotsh.tests")) {
            String zones = (String) t.get("zones");
            tests.add(new Ownership((String) t.get("name"), (String) t.get("state"), (OffsetDateTime) t.get("expires_at"),
                    Boolean.TRUE.equals(t.get("keep")), (String) t.get("owner_process"), (String) t.get("provider"),
                    (String) t.get("region"), zones == null || zones.isEmpty() ? List.of() : List.of(zones.split(","))));
        }
        return tests;
    }

    // ---- ownership: which registry this is, where its tests are -----------------------------------------

    /** This registry's id, tagged on every instance it launches; see {@link Registry#id()}. */
    public String registryId() {
        return registry().id();
    }

    /** The region the test launches in; recorded before any request, so a crash mid-launch still leaves it. */
    public void setRegion(String test, String region) {
        registry().sql("UPDATE spotsh.tests SET region = ? WHERE name = ?", region, test);
    }

    /** Adds a zone the test has instances in (once). */
    public void addZone(String test, String zone) {
        registry().sql("UPDATE spotsh.tests SET zones = array_append(zones, ?::text) WHERE name = ?"
                + " AND NOT (?::text = ANY (zones))", zone, test, zone);
    }

    /** The regions this registry has launched the provider's tests in, by name. */
    public List<String> regions(String provider) {
        List<String> regions = new ArrayList<>();
        for (Map<String, Object> row : registry().sql("SELECT DISTINCT region FROM spotsh.tests WHERE provider = ?"
                + " AND region IS NOT NULL ORDER BY region", provider)) {
            regions.add((String) row.get("region"));
        }
        return regions;
    }

    /** The region the test was launched in, or null when it was recorded before regions were. */
    public String region(String test) {
        List<Map<String, Object>> rows = registry().sql("SELECT region FROM spotsh.tests WHERE name = ?", test);
        return rows.isEmpty() ? null : (String) rows.get(0).get("region");
    }

    /** The node image the test's nodes booted (recorded at launch), or null (the local cloud has none). */
    public String image(String test) {
        List<Map<String, Object>> rows = registry().sql("SELECT image FROM spotsh.tests WHERE name = ?", test);
        return rows.isEmpty() ? null : (String) rows.get(0).get("image");
    }

    /** Whether this registry requested the instance for one of its tests (an instance tagged before registry ids). */
    public boolean recorded(String instanceId) {
        return !registry().sql("SELECT 1 FROM spotsh.instances WHERE instance_id = ? LIMIT 1", instanceId).isEmpty();
    }

    // ---- events ---------------------------------------------------------------------------------------

    /** One line of the test's history ({@code registry.events(test)}); role and instance may be null. */
    public void event(String test, String kind, String role, String instanceId, String message) {
        registry().sql("INSERT INTO spotsh.events (test_id, kind, role, instance_id, message)"
                + " SELECT id, ?, ?, ?, ? FROM spotsh.tests WHERE name = ?", kind, role, instanceId, message, test);
    }

    // ---- instances ------------------------------------------------------------------------------------

    /** Records instances requested for a role as expected; see {@link Registry#recordInstances}. */
    public void recordInstances(String test, String role, Collection<String> instanceIds, String zone) {
        registry().recordInstances(test, role, instanceIds, zone);
    }

    /** What the instances cost an hour when requested; see {@link Registry#recordPrices}. */
    public void recordPrices(String test, Collection<String> instanceIds, String instanceType, Double spotUsdPerHour,
                             Double onDemandUsdPerHour) {
        registry().recordPrices(test, instanceIds, instanceType, spotUsdPerHour, onDemandUsdPerHour);
    }

    /**
     * Opens (or closes) the test's request window: while spotsh asks a provider for instances and records their
     * ids, a node whose id is not recorded yet is told to retry instead of being refused. The window closes by
     * itself after {@code open} has passed, should this process die in between.
     */
    public void requesting(String test, Duration open) {
        registry().sql("UPDATE spotsh.tests SET requesting_until = now() + ?::interval WHERE name = ?",
                open == null ? null : open.toMillis() + " milliseconds", test);
    }

    /** Every instance requested for the test, in request order. */
    public List<InstanceRow> instances(String test) {
        return registry().rows("SELECT i.role, i.instance_id, i.zone, i.state, i.requested_at, i.state_changed_at,"
                + " i.on_demand_usd_per_hour FROM spotsh.instances i JOIN spotsh.tests t ON t.id = i.test_id"
                + " WHERE t.name = ? ORDER BY i.id", rs -> {
            double price = rs.getDouble(7);
            Double onDemand = rs.wasNull() ? null : price;  // wasNull: the column read last
            return new InstanceRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class), onDemand);
        }, test);
    }

    /** Requested, running, dud, reclaimed or terminated; an event says so. */
    public void setInstanceState(String test, String instanceId, String state) {
        registry().setInstanceState(test, instanceId, state);
    }

    /** The instance ids requested for the test that have not phoned home, in request order. */
    public List<String> missing(String test) {
        return registry().missing(test);
    }

    /** The instance is terminated and, if it was a registered node, that node is dead; quietly, no events. */
    public void markTerminated(String test, String instanceId) {
        registry().sql("UPDATE spotsh.instances i SET state = 'terminated', state_changed_at = now() FROM spotsh.tests t"
                + " WHERE t.id = i.test_id AND t.name = ? AND i.instance_id = ? AND i.state <> 'terminated'", test, instanceId);
        registry().sql("UPDATE spotsh.nodes n SET state = 'dead', dead_at = now(), dead_reason = 'terminated'"
                + " FROM spotsh.tests t WHERE t.id = n.test_id AND t.name = ? AND n.instance_id = ? AND n.state = 'registered'",
                test, instanceId);
    }

    /** A still open test none of whose instances is left is terminated: its nodes can no longer log in. */
    public void terminateIfNothingLeft(String test) {
        List<Map<String, Object>> live = registry().sql("SELECT 1 FROM spotsh.instances i JOIN spotsh.tests t"
                + " ON t.id = i.test_id WHERE t.name = ? AND i.state <> 'terminated' LIMIT 1", test);
        List<Map<String, Object>> open = registry().sql("SELECT 1 FROM spotsh.tests WHERE name = ?"
                + " AND state NOT IN ('finished', 'failed', 'terminated')", test);
        if (live.isEmpty() && !open.isEmpty()) {
            registry().setTestState(test, "terminated");
        }
    }

    // ---- registered nodes -----------------------------------------------------------------------------

    /**
     * The live registered nodes: data first, then the other roles by name, each by node number. Every call asks the
     * registry, which is the truth (a node phones home, dies, is replaced); but a fan-out asks before every command, so
     * the registry sends the rows only when their digest differs from the one of the list read last. One statement,
     * one snapshot: the digest and the rows it covers cannot come from different moments.
     */
    public List<NodeRow> registeredNodes(String test) {
        NodeList known = nodeLists.get(test);
        String[] digest = new String[1];
        List<NodeRow> rows = registry().rows("WITH n AS (SELECT n.role, n.node_number, n.instance_id, host(n.ip) AS ip,"
                + " n.hostname, n.host_key FROM spotsh.nodes n JOIN spotsh.tests t ON t.id = n.test_id"
                + " WHERE t.name = ? AND n.state = 'registered'),"
                // a row's text form quotes its fields and tells NULL from '': different lists, different texts
                + " d AS (SELECT encode(sha256(convert_to(coalesce(string_agg(n::text, chr(10)"
                + " ORDER BY n.role, n.node_number), ''), 'UTF8')), 'hex') AS digest FROM n)"
                + " SELECT d.digest, n.role, n.node_number, n.instance_id, n.ip, n.hostname, n.host_key"
                + " FROM d LEFT JOIN n ON d.digest IS DISTINCT FROM ?"
                + " ORDER BY n.role <> 'data', n.role, n.node_number", rs -> {
            digest[0] = rs.getString(1);
            String role = rs.getString(2);
            return role == null ? null : new NodeRow(role, rs.getInt(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), rs.getString(7));
        }, test, known == null ? null : known.digest());
        if (known != null && known.digest().equals(digest[0])) {
            return known.rows();
        }
        List<NodeRow> nodes = rows.stream().filter(r -> r != null).toList();
        nodeLists.put(test, new NodeList(digest[0], nodes));
        return nodes;
    }

    private record NodeList(String digest, List<NodeRow> rows) {
    }

    /** Whether the instance is a live registered node of the test (then marking it dead frees its number). */
    public boolean isRegistered(String test, String instanceId) {
        return !registry().sql("SELECT 1 FROM spotsh.nodes n JOIN spotsh.tests t ON t.id = n.test_id"
                + " WHERE t.name = ? AND n.instance_id = ? AND n.state = 'registered'", test, instanceId).isEmpty();
    }

    /** Live nodes that offered another host key than the pinned one, by role and number. */
    public List<KeyConflict> hostKeyConflicts(String test) {
        List<KeyConflict> conflicts = new ArrayList<>();
        for (Map<String, Object> row : registry().sql("SELECT n.role, n.node_number, n.instance_id, n.host_key,"
                + " n.pending_host_key, host(n.pending_ip) AS pending_ip, n.pending_at FROM spotsh.nodes n"
                + " JOIN spotsh.tests t ON t.id = n.test_id WHERE t.name = ? AND n.state = 'registered'"
                + " AND n.pending_host_key IS NOT NULL ORDER BY n.role, n.node_number", test)) {
            conflicts.add(new KeyConflict((String) row.get("role"), ((Number) row.get("node_number")).intValue(),
                    (String) row.get("instance_id"), (String) row.get("host_key"), (String) row.get("pending_host_key"),
                    (String) row.get("pending_ip"), (OffsetDateTime) row.get("pending_at")));
        }
        return conflicts;
    }

    /** Registrations refused for good (recorded as events), the latest per instance id, oldest first. */
    public List<Refusal> refusedRegistrations(String test) {
        List<Refusal> refusals = new ArrayList<>();
        for (Map<String, Object> row : registry().sql("SELECT * FROM (SELECT DISTINCT ON (e.instance_id) e.role,"
                + " e.instance_id, e.message, e.at, e.id FROM spotsh.events e JOIN spotsh.tests t ON t.id = e.test_id"
                + " WHERE t.name = ? AND e.kind = 'registration-refused'"
                + " ORDER BY e.instance_id, e.id DESC) r ORDER BY r.id", test)) {
            refusals.add(new Refusal((String) row.get("role"), (String) row.get("instance_id"), (String) row.get("message"),
                    (OffsetDateTime) row.get("at")));
        }
        return refusals;
    }

    /** Accepts the host key the node offered in place of its pinned one; see {@link Registry#trust}. */
    public int trust(String test, String instanceId) {
        return registry().trust(test, instanceId);
    }

    /** Marks a node dead; the next node to register in its role takes its number. */
    public void markDead(String test, String instanceId, String reason) {
        registry().markDead(test, instanceId, reason);
    }

    // ---- runs and phases ------------------------------------------------------------------------------

    /** Starts a run of the test whose results go to {@code resultsDir}; returns its id. */
    public long startRun(String test, String resultsDir) {
        List<Map<String, Object>> row = registry().sql("INSERT INTO spotsh.runs (test_id, results_dir)"
                + " SELECT id, ? FROM spotsh.tests WHERE name = ? RETURNING id", resultsDir, test);
        return ((Number) row.get(0).get("id")).longValue();
    }

    /** The run's results are home: where, its archive and summary, and what could not be collected (or null). */
    public void runCollected(long run, String resultsDir, String archive, String summaryCsv, String message) {
        registry().sql("UPDATE spotsh.runs SET collected_at = clock_timestamp(), status = 'collected', results_dir = ?,"
                + " archive = ?, summary_csv = ?, message = ? WHERE id = ?", resultsDir, archive, summaryCsv, message, run);
    }

    public void runFailed(long run, String message) {
        registry().sql("UPDATE spotsh.runs SET status = 'failed', message = ? WHERE id = ?", message, run);
    }

    /** Starts a phase of the test, part of run {@code run} (or of none); returns its id. */
    public long startPhase(String test, String name, Long run) {
        List<Map<String, Object>> started = registry().sql("INSERT INTO spotsh.phases (test_id, name, run_id)"
                + " SELECT id, ?, ? FROM spotsh.tests WHERE name = ? RETURNING id", name, run, test);
        return ((Number) started.get(0).get("id")).longValue();
    }

    /** One phase of a run as recorded: its window; {@code finishedAt} is null while it runs. */
    public record PhaseRow(String name, String status, OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    /** The phases of run {@code run}, in the order they started. */
    public List<PhaseRow> phases(long run) {
        List<PhaseRow> rows = new ArrayList<>();
        for (Map<String, Object> row : registry().sql("SELECT name, status, started_at, finished_at FROM spotsh.phases"
                + " WHERE run_id = ? ORDER BY id", run)) {
            rows.add(new PhaseRow((String) row.get("name"), (String) row.get("status"),
                    (OffsetDateTime) row.get("started_at"), (OffsetDateTime) row.get("finished_at")));
        }
        return rows;
    }

    /** How the phase ended: ok, failed or interrupted, after how many seconds, and why (or null). */
    public void endPhase(long phase, String status, double seconds, String message) {
        registry().sql("UPDATE spotsh.phases SET finished_at = clock_timestamp(), status = ?, seconds = ?,"
                + " message = ? WHERE id = ?", status, seconds, message, phase);
    }

    /** What happened to the test, in order: at, kind, role, node_number, instance_id, message. */
    public List<Map<String, Object>> events(String test) {
        return registry().events(test);
    }

    /** The phases of run {@code run} as rows for a page, in order: name, started_at, finished_at, status, seconds, message. */
    public List<Map<String, Object>> phaseDetails(long run) {
        return registry().sql("SELECT name, started_at, finished_at, status, seconds, message FROM spotsh.phases"
                + " WHERE run_id = ? ORDER BY id", run);
    }

    // ---- spot interruptions ----------------------------------------------------------------------------

    /**
     * A node's spot interruption notice: the node's {@code role} and {@code number}, what will happen
     * ({@code terminate}, {@code stop} or {@code hibernate}) {@code at} when, when the registry heard of it, and
     * whether the node is still registered (not yet marked dead).
     */
    public record InterruptionNotice(String role, int number, String instanceId, String action, OffsetDateTime at,
                                     OffsetDateTime reportedAt, boolean live) {
    }

    /** The notices of the test's nodes (dead ones included: a reclaimed node's notice stays), oldest first. */
    public List<InterruptionNotice> interruptionNotices(String test) {
        List<InterruptionNotice> notices = new ArrayList<>();
        for (Map<String, Object> row : registry().sql("SELECT n.role, n.node_number, n.instance_id, n.interrupt_action,"
                + " n.interrupt_at, n.interrupt_reported_at, n.state = 'registered' AS live FROM spotsh.nodes n JOIN spotsh.tests t ON t.id = n.test_id"
                + " WHERE t.name = ? AND n.interrupt_at IS NOT NULL ORDER BY n.interrupt_reported_at, n.id", test)) {
            notices.add(new InterruptionNotice((String) row.get("role"), ((Number) row.get("node_number")).intValue(),
                    (String) row.get("instance_id"), (String) row.get("interrupt_action"),
                    (OffsetDateTime) row.get("interrupt_at"), (OffsetDateTime) row.get("interrupt_reported_at"),
                    Boolean.TRUE.equals(row.get("live"))));
        }
        return notices;
    }

    /**
     * A notice the cloud's API showed (the fallback when a node could not report its own): recorded on the node,
     * if registered and without one, and as an {@code interruption-notice} event unless the test has one for
     * the instance already. Returns whether it was new.
     */
    public boolean cloudInterruptionNotice(String test, String role, String instanceId, Instant at) {
        registry().sql("UPDATE spotsh.nodes n SET interrupt_action = 'terminate', interrupt_at = ?,"
                + " interrupt_reported_at = now() FROM spotsh.tests t WHERE t.id = n.test_id AND t.name = ?"
                + " AND n.instance_id = ? AND n.interrupt_at IS NULL", at, test, instanceId);
        List<Map<String, Object>> added = registry().sql("INSERT INTO spotsh.events (test_id, kind, role, node_number,"
                + " instance_id, message) SELECT t.id, 'interruption-notice', ?, (SELECT node_number FROM spotsh.nodes"
                + " WHERE test_id = t.id AND instance_id = ?), ?, ? FROM spotsh.tests t WHERE t.name = ?"
                + " AND NOT EXISTS (SELECT FROM spotsh.events e WHERE e.test_id = t.id AND e.kind = 'interruption-notice'"
                + " AND e.instance_id = ?)", role, instanceId, instanceId,
                "terminate at " + at.truncatedTo(ChronoUnit.SECONDS) + " (seen in the cloud's API)",
                test, instanceId);
        return ((Number) added.get(0).get("updated")).intValue() > 0;
    }
}
