package io.spotsh.registry;

import io.spotsh.common.Durations;
import io.spotsh.common.Help;
import org.postgresql.util.PSQLException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The registry of tests and their nodes, kept in PostgreSQL: the embedded server under the
 * state directory, or an existing one. Nodes register themselves through {@code phone-home.sh};
 * this is the operator's side.
 *
 * <pre>{@code
 * try (Registry registry = Registry.open(RegistrySettings.embedded(stateDir))) {
 *     TestInfo test = registry.createTest("cass-300", "cassandra", "aws", Map.of("rf", 3), Duration.ofHours(6));
 *     userdata.put("SPOTSH_REGISTRY_URL", test.registrationUrl().uri());   // the only place the password goes
 *     // ... nodes phone home ...
 *     registry.nodes("cass-300");                       // [[role:data, node_number:1, instance_id:i-0a.., ...], ...]
 *     registry.markDead("cass-300", "i-0abc", "no SSH after 5 min");   // its replacement takes its number
 *     registry.sql("select role, count(*) from spotsh.nodes group by role");
 *     registry.finishTest("cass-300", "finished");
 * }
 * }</pre>
 *
 * The constructor connects to nothing; the first call starts the embedded server if needed,
 * connects and applies pending migrations. Calls from several threads share one connection,
 * one call at a time; a lost connection is re-opened on the next call (restarting the embedded
 * server if someone stopped it). Failures are {@link RegistryException}s naming the registry.
 */
@Help("the PostgreSQL registry: tests, nodes, events, ad-hoc SQL")
public final class Registry implements AutoCloseable {
    /** An instance's paid hours: from its request until terminated or reclaimed, else until now. */
    private static final String PAID_HOURS = "(extract(epoch FROM CASE WHEN i.state IN ('terminated', 'reclaimed')"
            + " THEN i.state_changed_at ELSE now() END - i.requested_at) / 3600)";

    /** {@link RegistryException#sqlState()} of a registration refused for good (recorded as an event). */
    public static final String REFUSED = "SP005";
    /** {@link RegistryException#sqlState()} of a registration to try again shortly (its id is being recorded). */
    public static final String RETRY = "SP007";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Set<String> TEST_STATES =
            Set.of("created", "launching", "running", "finished", "failed", "terminated");
    private static final Set<String> CLOSED_STATES = Set.of("finished", "failed", "terminated");
    private static final Set<String> INSTANCE_STATES = Set.of("requested", "running", "dud", "reclaimed", "terminated");

    private final RegistrySettings settings;
    private final EmbeddedServer server;
    private final ReentrantLock lock = new ReentrantLock();
    /** Written under the lock; read without it by where() for messages. */
    private volatile Endpoint endpoint;
    /** Read once from the registry; never changes after. */
    private volatile String id;
    private Connection connection;
    /** How nodes reach this registry safely; set on connecting. */
    private volatile NodeTls nodeTls;
    private final Consumer<String> notes;
    private boolean migrated;
    private boolean closed;

    /** A registry that connects on first use; warnings go to stderr. */
    public Registry(RegistrySettings settings) {
        this(settings, line -> System.err.println("spotsh: " + line));
    }

    /**
     * A registry that connects on first use.
     *
     * @param notes where warnings go (the session's log): e.g. that an external registry's URL lets nodes phone
     *              home without checking the server's certificate
     */
    public Registry(RegistrySettings settings, Consumer<String> notes) {
        this.settings = settings;
        this.server = settings.isEmbedded() ? new EmbeddedServer(settings) : null;
        this.notes = notes;
    }

    /** Connects now (starting the embedded server if needed) and brings the schema up to date. */
    public static Registry open(RegistrySettings settings) {
        return open(settings, line -> System.err.println("spotsh: " + line));
    }

    /** {@link #open(RegistrySettings)} with warnings going to {@code notes}. */
    public static Registry open(RegistrySettings settings, Consumer<String> notes) {
        Registry registry = new Registry(settings, notes);
        registry.call("connecting", c -> null);
        return registry;
    }

    /**
     * All tests, oldest first: name, type, provider, state, nodes, dead, expected, created_at, expires_at, owner,
     * then roles (live nodes per role), zones, age, expires_in ("expired 5m00s ago" once past) and instance_hours so
     * far (each instance from request until terminated or reclaimed, else until now), usd (those hours at the spot
     * price each instance's zone had when it was requested; null when no price was recorded) and on_demand_usd (the
     * same hours on demand; null unless every instance's on-demand price was known). {@code cluster.cost()} prices
     * by the cloud's own price history instead, where it has one.
     */
    @Help("tests() — every test: name, type, provider, state, nodes per role, zones, age, expiry, instance-hours and USD so far")
    public List<Map<String, Object>> tests() {
        List<Map<String, Object>> rows = query("listing tests",
                "SELECT t.name, t.type, t.provider, t.state,"
                        + " (SELECT count(*) FROM spotsh.nodes n WHERE n.test_id = t.id AND n.state = 'registered') AS nodes,"
                        + " (SELECT count(*) FROM spotsh.nodes n WHERE n.test_id = t.id AND n.state = 'dead') AS dead,"
                        + " (SELECT count(*) FROM spotsh.instances i WHERE i.test_id = t.id) AS expected,"
                        + " date_trunc('second', t.created_at) AS created_at,"
                        + " date_trunc('second', t.expires_at) AS expires_at, t.owner,"
                        + " (SELECT string_agg(r.role || '=' || r.count, ', ' ORDER BY r.role) FROM (SELECT n.role, count(*)"
                        + " FROM spotsh.nodes n WHERE n.test_id = t.id AND n.state = 'registered' GROUP BY n.role) r) AS roles,"
                        + " array_to_string(t.zones, ', ') AS zones,"
                        + " extract(epoch FROM now() - t.created_at)::bigint AS age,"
                        + " extract(epoch FROM t.expires_at - now())::bigint AS expires_in,"
                        + " (SELECT round(coalesce(sum(extract(epoch FROM CASE WHEN i.state IN ('terminated', 'reclaimed')"
                        + " THEN i.state_changed_at ELSE now() END - i.requested_at)), 0) / 3600, 3)"
                        + " FROM spotsh.instances i WHERE i.test_id = t.id) AS instance_hours,"
                        + " (SELECT round(sum(" + PAID_HOURS + " * i.spot_usd_per_hour), 4)"
                        + " FROM spotsh.instances i WHERE i.test_id = t.id) AS usd,"
                        + " (SELECT CASE WHEN bool_and(i.on_demand_usd_per_hour IS NOT NULL)"
                        + " THEN round(sum(" + PAID_HOURS + " * i.on_demand_usd_per_hour), 4) END"
                        + " FROM spotsh.instances i WHERE i.test_id = t.id) AS on_demand_usd"
                        + " FROM spotsh.tests t ORDER BY t.id");
        for (Map<String, Object> row : rows) {
            row.put("age", Durations.format(Duration.ofSeconds(((Number) row.get("age")).longValue())));
            Number left = (Number) row.get("expires_in");
            row.put("expires_in", left == null ? null : left.longValue() >= 0
                    ? Durations.format(Duration.ofSeconds(left.longValue()))
                    : "expired " + Durations.format(Duration.ofSeconds(-left.longValue())) + " ago");
        }
        return rows;
    }

    /** The nodes of a test by role and number: role, node_number, instance_id, ip, hostname, state, times, host key fingerprint. */
    @Help("nodes('test') — a test's nodes by role and number: instance, ip, hostname, state, host key")
    public List<Map<String, Object>> nodes(String testName) {
        requireTest(testName);
        List<Map<String, Object>> rows = query("listing the nodes of test " + testName,
                "SELECT n.role, n.node_number, n.instance_id, host(n.ip) AS ip, n.hostname, n.state,"
                        + " date_trunc('second', n.registered_at) AS registered_at,"
                        + " date_trunc('second', n.last_seen) AS last_seen, n.host_key"
                        + " FROM spotsh.nodes n JOIN spotsh.tests t ON t.id = n.test_id WHERE t.name = ?"
                        + " ORDER BY n.role, n.node_number, n.state DESC, n.id", testName);
        for (Map<String, Object> row : rows) {
            row.put("host_key", HostKeys.fingerprint((String) row.remove("host_key")));
        }
        return rows;
    }

    /** What happened to a test, in order: at, kind, role, node_number, instance_id, message. */
    @Help("events('test') — what happened to a test, in order")
    public List<Map<String, Object>> events(String testName) {
        requireTest(testName);
        return query("listing the events of test " + testName,
                "SELECT e.at, e.kind, e.role, e.node_number, e.instance_id, e.message"
                        + " FROM spotsh.events e JOIN spotsh.tests t ON t.id = e.test_id WHERE t.name = ? ORDER BY e.id",
                testName);
    }

    /** A test's runs, in order: when each started and was collected, its phases, where its results are. */
    @Help("runs('test') — a test's runs: phases, status, results folder, summary.csv, archive")
    public List<Map<String, Object>> runs(String testName) {
        requireTest(testName);
        return query("listing the runs of test " + testName,
                "SELECT r.id AS run, r.started_at, r.status, (SELECT string_agg(p.name || ' ' || p.status"
                        + " || coalesce(' ' || round(p.seconds::numeric, 1) || 's', ''), ', ' ORDER BY p.id)"
                        + " FROM spotsh.phases p WHERE p.run_id = r.id) AS phases, r.results_dir, r.summary_csv, r.archive"
                        + " FROM spotsh.runs r JOIN spotsh.tests t ON t.id = r.test_id WHERE t.name = ? ORDER BY r.id",
                testName);
    }

    /**
     * Run B against run A (run folders {@code results/<test>/<run>}): per phase, operation and metric A, B, the change
     * in % and whether it exceeds the runs' noise (Mann-Whitney U on the per-interval samples); writes
     * {@code compare.csv} and {@code compare.html} beside B. Runs of different types or sizes are refused unless {@code force: true}; this
     * registry says what type and sizing each run's test had. {@code spotsh compare} is the same.
     */
    @Help("compare('results/t/runA', 'results/t/runB', force: false) — B against A: change in %, beyond noise or not")
    public List<Map<String, Object>> compare(Map<String, ?> options, String runA, String runB) {
        io.spotsh.report.RunFolder a = io.spotsh.report.RunFolder.read(java.nio.file.Path.of(runA));
        io.spotsh.report.RunFolder b = io.spotsh.report.RunFolder.read(java.nio.file.Path.of(runB));
        if (!Boolean.TRUE.equals(options.get("force"))) {
            TestRecords records = new TestRecords(() -> this);
            io.spotsh.report.Comparison.requireAlike(a, b, test -> {
                try {
                    return new io.spotsh.report.Comparison.TestShape(test(test).type(), records.sizing(test));
                } catch (RegistryException e) {
                    if (e.getMessage() != null && e.getMessage().contains("no test named")) {
                        return null;  // not in this registry: only its node folders are compared
                    }
                    throw e;
                }
            }, warning -> notes.accept("compare: " + warning));
        }
        io.spotsh.report.Comparison comparison = io.spotsh.report.Comparison.of(a, b);
        notes.accept("compare: written " + comparison.writeCsv(b.dir().resolve("compare.csv")));
        notes.accept("compare: written " + comparison.writeHtml(b.dir().resolve("compare.html")));
        return comparison.maps();
    }

    public List<Map<String, Object>> compare(String runA, String runB) {
        return compare(Map.of(), runA, runB);
    }

    /** Runs any SQL with {@code ?} parameters: the rows of a query, or {@code [[updated: n]]} for anything else. */
    @Help("sql('select ...', params...) — ad-hoc SQL with ? parameters; rows back")
    public List<Map<String, Object>> sql(String query, Object... params) {
        return call("running " + abbreviate(query), c -> {
            try (PreparedStatement ps = c.prepareStatement(query)) {
                Rows.bind(ps, params);
                if (ps.execute()) {
                    try (ResultSet rs = ps.getResultSet()) {
                        return Rows.read(rs);
                    }
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("updated", Math.max(0, ps.getUpdateCount()));
                return new ArrayList<>(List.of(row));
            }
        });
    }

    /** Creates a test and its registration role; {@code ttl} null means it never expires. */
    public TestInfo createTest(String name, String type, String provider, Map<String, ?> params, Duration ttl) {
        checkName("test name", name);
        checkName("test type", type);
        checkName("provider", provider);
        return call("creating test " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name FROM spotsh.create_test(?, ?, ?, ?::jsonb, ?::interval, ?)")) {
                Rows.bind(ps, name, type, provider, Json.write(params == null ? Map.of() : params),
                        ttl == null ? null : ttl.toSeconds() + " seconds", System.getProperty("user.name"));
                ps.executeQuery().close();
            }
            return load(c, name);
        });
    }

    /** The test of that name (with its registration URL); throws if there is none. */
    @Help("test('name') — one test's record")
    public TestInfo test(String name) {
        return call("looking up test " + name, c -> load(c, name));
    }

    /** Closes a test (finished, failed or terminated): its nodes can no longer log in. */
    public TestInfo finishTest(String name, String state) {
        if (!CLOSED_STATES.contains(state)) {
            throw new RegistryException("a test finishes as one of " + CLOSED_STATES + ", not '" + state + "'");
        }
        return setTestState(name, state);
    }

    /** Moves a test to any state: created, launching, running, finished, failed or terminated. */
    public TestInfo setTestState(String name, String state) {
        if (!TEST_STATES.contains(state)) {
            throw new RegistryException("test state must be one of " + TEST_STATES + ", not '" + state + "'");
        }
        return call("setting test " + name + " to " + state, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM spotsh.set_test_state(?, ?)")) {
                Rows.bind(ps, name, state);
                ps.executeQuery().close();
            }
            return load(c, name);
        });
    }

    /** Drops a test with its nodes, events and registration role, so its name can be used again. */
    @Help("deleteTest('name') — drop a test with its nodes and events")
    public void deleteTest(String name) {
        call("deleting test " + name, c -> scalar(c, "SELECT spotsh.delete_test(?)", name));
    }

    /**
     * Registers a node as its phone-home would and returns its number. For nodes that cannot
     * run phone-home.sh, and for operators fixing things by hand. Only an instance requested for
     * the test ({@link #recordInstances}) in its role is taken; a refusal (an event records it) is
     * a RegistryException with state {@link #REFUSED}, or {@link #RETRY} while spotsh is still
     * recording the test's instances.
     */
    public int register(String testName, String role, String instanceId, String ip, String hostname, String hostKey) {
        String what = "registering " + instanceId + " (role " + role + ") in test " + testName;
        String answer = call(what, c -> (String) scalar(c, "SELECT spotsh.register(?, ?, ?, ?, ?, ?)",
                testName, role, instanceId, ip, hostname, hostKey));
        if (answer != null && answer.startsWith("refused: ")) {
            throw new RegistryException(what + " refused by the " + where() + ": " + answer.substring(9), REFUSED, null);
        }
        if (answer != null && answer.startsWith("retry: ")) {
            throw new RegistryException(what + ": not yet, on the " + where() + ": " + answer.substring(7), RETRY, null);
        }
        try {
            return Integer.parseInt(answer);
        } catch (NumberFormatException e) {
            throw new RegistryException(what + ": the " + where() + " answered '" + answer + "' instead of a node number");
        }
    }

    /**
     * Accepts the host key a registered node offered in place of its pinned one (register() refused it and kept
     * it aside), with the address it came with; returns the node's number. An event records it.
     */
    @Help("trust('test', 'i-...') — accept the new host key a registered node offered (refused until then)")
    public int trust(String testName, String instanceId) {
        return call("trusting the new host key of " + instanceId + " in test " + testName,
                c -> ((Number) scalar(c, "SELECT spotsh.trust_host_key(?, ?)", testName, instanceId)).intValue());
    }

    /** Marks a node dead and returns the number it frees; the next node to register in its role takes the lowest freed number. */
    @Help("markDead('test', 'i-...', 'why') — free a dead node's number for its replacement")
    public int markDead(String testName, String instanceId, String reason) {
        return call("marking " + instanceId + " dead in test " + testName,
                c -> ((Number) scalar(c, "SELECT spotsh.mark_dead(?, ?, ?)", testName, instanceId, reason)).intValue());
    }

    /** Records the instances requested from a provider for a role, so that {@link #missing} can name the duds. */
    public void recordInstances(String testName, String role, Collection<String> instanceIds, String zone) {
        call("recording " + instanceIds.size() + " " + role + " instances of test " + testName, c -> {
            long testId = load(c, testName).id();
            try (PreparedStatement ps = c.prepareStatement(
                    "WITH added AS (INSERT INTO spotsh.instances (test_id, role, instance_id, zone)"
                            + " SELECT ?, ?, id, ? FROM unnest(?::text[]) AS id ON CONFLICT DO NOTHING RETURNING 1)"
                            + " INSERT INTO spotsh.events (test_id, kind, role, message)"
                            + " SELECT ?, 'instances-requested', ?, count(*) || ' instances' || coalesce(' in ' || ?, '')"
                            + " FROM added")) {
                Rows.bind(ps, testId, role, zone, c.createArrayOf("text", instanceIds.toArray()), testId, role, zone);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * What the instances cost an hour when requested: their type, the zone's spot price and the on-demand price
     * ({@code null}: the provider could not tell). {@link #tests()} sums them into cost so far.
     */
    public void recordPrices(String testName, Collection<String> instanceIds, String instanceType, Double spotUsdPerHour,
                             Double onDemandUsdPerHour) {
        call("recording the prices of " + instanceIds.size() + " instances of test " + testName, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE spotsh.instances i SET instance_type = ?,"
                    + " spot_usd_per_hour = ?, on_demand_usd_per_hour = ? FROM spotsh.tests t"
                    + " WHERE t.id = i.test_id AND t.name = ? AND i.instance_id = ANY (?::text[])")) {
                Rows.bind(ps, instanceType, spotUsdPerHour, onDemandUsdPerHour, testName,
                        c.createArrayOf("text", instanceIds.toArray()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Sets what became of a requested instance: requested, running, dud, reclaimed or terminated. */
    public void setInstanceState(String testName, String instanceId, String state) {
        if (!INSTANCE_STATES.contains(state)) {
            throw new RegistryException("instance state must be one of " + INSTANCE_STATES + ", not '" + state + "'");
        }
        int updated = call("setting instance " + instanceId + " of test " + testName + " to " + state,
                c -> ((Number) scalar(c, "WITH i AS (UPDATE spotsh.instances i SET state = ?, state_changed_at = now()"
                        + " FROM spotsh.tests t WHERE t.id = i.test_id AND t.name = ? AND i.instance_id = ? RETURNING i.*),"
                        + " e AS (INSERT INTO spotsh.events (test_id, kind, role, instance_id, message)"
                        + " SELECT test_id, 'instance-state', role, instance_id, state FROM i)"
                        + " SELECT count(*) FROM i", state, testName, instanceId)).intValue());
        if (updated == 0) {
            throw new RegistryException("test " + testName + " has no requested instance " + instanceId + " on " + where());
        }
    }

    /** The instance ids requested for a test that have not phoned home yet, in request order. */
    @Help("missing('test') — requested instance ids that never phoned home")
    public List<String> missing(String testName) {
        requireTest(testName);
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> row : query("listing missing instances of test " + testName,
                "SELECT i.instance_id FROM spotsh.instances i JOIN spotsh.tests t ON t.id = i.test_id"
                        + " WHERE t.name = ? AND i.state = 'requested' ORDER BY i.id", testName)) {
            ids.add((String) row.get("instance_id"));
        }
        return ids;
    }

    /**
     * This registry's id, made once when its schema was created: every instance it launches is tagged with it
     * ({@code spotsh:registry}), and terminate and reap touch only instances carrying it. Not a secret.
     */
    @Help("id() — this registry's id, tagged on every instance it launches")
    public String id() {
        String known = id;
        if (known == null) {
            known = call("reading the registry id", c -> (String) scalar(c, "SELECT id::text FROM spotsh.registry_identity"));
            id = known;
        }
        return known;
    }

    /** Which registry this is: host, port and database, and for the embedded one its folder; its id once known. */
    @Help("where() — which registry this is")
    public String where() {
        String at = endpoint != null ? endpoint.toString() : null;
        String which = id == null ? "" : " (id " + id + ")";
        if (server != null) {
            return "embedded registry " + (at == null ? "" : at + " ") + "in " + server.registryDir() + which;
        }
        return "registry " + (at != null ? at : Endpoint.maskPassword(settings.jdbcUrl())) + which;
    }

    /** The embedded server behind this registry, or null for an external one. */
    public EmbeddedServer server() {
        return server;
    }

    /** Closes the connection; the embedded server keeps running for other processes and for nodes. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            dropConnection();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return where();
    }

    private TestInfo load(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT t.*, c.password FROM spotsh.tests t"
                + " LEFT JOIN spotsh.test_credentials c ON c.test_id = t.id WHERE t.name = ?")) {
            Rows.bind(ps, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new RegistryException("no test named '" + name + "' in the " + where());
                }
                String role = rs.getString("registration_role");
                String password = rs.getString("password");
                RegistrationUrl url = role == null || password == null ? null
                        : new RegistrationUrl(role, password, advertisedHost(), endpoint.port(), endpoint.database(),
                                nodeTls);
                @SuppressWarnings("unchecked")
                Map<String, Object> params = (Map<String, Object>) Json.parse(rs.getString("params"));
                return new TestInfo(rs.getLong("id"), rs.getString("name"), rs.getString("type"),
                        rs.getString("provider"), rs.getString("state"), rs.getString("owner"), params,
                        rs.getObject("created_at", OffsetDateTime.class), rs.getObject("finished_at", OffsetDateTime.class),
                        rs.getObject("expires_at", OffsetDateTime.class), url);
            }
        }
    }

    private void requireTest(String name) {
        call("looking up test " + name, c -> {
            if (scalar(c, "SELECT 1 FROM spotsh.tests WHERE name = ?", name) == null) {
                throw new RegistryException("no test named '" + name + "' in the " + where());
            }
            return null;
        });
    }

    /**
     * The rows of a query, each read by {@code row} straight off the result set. For the queries spotsh makes on every
     * fan-out and every look of a wait (a thousand nodes each time): no map per row, and a small method for the JIT
     * where {@link #sql}'s one reads any column type.
     */
    <T> List<T> rows(String query, RowReader<T> row, Object... params) {
        return call("running " + abbreviate(query), c -> {
            try (PreparedStatement ps = c.prepareStatement(query)) {
                Rows.bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> rows = new ArrayList<>();
                    while (rs.next()) {
                        rows.add(row.read(rs));
                    }
                    return rows;
                }
            }
        });
    }

    /** Reads the current row of a result set. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private String advertisedHost() {
        if (server != null) {
            return server.advertisedHost();
        }
        return settings.advertiseHost() != null ? settings.advertiseHost() : endpoint.host();
    }

    private List<Map<String, Object>> query(String what, String sql, Object... params) {
        return call(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Rows.bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    return Rows.read(rs);
                }
            }
        });
    }

    private static Object scalar(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Rows.bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1) : null;
            }
        }
    }

    /** Work done on the shared connection. */
    private interface SqlWork<T> {
        T apply(Connection c) throws SQLException;
    }

    private <T> T call(String what, SqlWork<T> work) {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(what + ": interrupted while waiting for the registry connection", e);
        }
        try {
            return work.apply(connection());
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state == null || state.startsWith("08") || state.equals("57P01")) {
                dropConnection();  // the next call reconnects
            }
            String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                    ? p.getServerErrorMessage().getMessage() : e.getMessage();
            throw new RegistryException(what + " failed on the " + where() + ": " + message, state, e);
        } finally {
            lock.unlock();
        }
    }

    private Connection connection() throws SQLException {
        if (closed) {
            throw new RegistryException("the " + where() + " was closed");
        }
        if (connection != null && connection.isValid(5)) {
            return connection;
        }
        dropConnection();
        endpoint = server != null ? server.start() : Endpoint.fromJdbcUrl(settings.jdbcUrl(), System.getenv("PGPASSWORD"));
        NodeTls tls = server != null ? NodeTls.embedded(server.tls(), server.advertisedHost())
                : NodeTls.external(settings.jdbcUrl());
        if (tls.warning() != null && nodeTls == null) {
            notes.accept("warning: " + tls.warning());  // once per registry: reconnecting says it no more
        }
        nodeTls = tls;
        connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.connectionProperties());
        if (!migrated) {
            Migrations.fromClasspath().apply(connection, where());
            migrated = true;
        }
        return connection;
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // it is gone either way
            }
            connection = null;
        }
    }

    private static void checkName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new RegistryException(what + " must be 1-63 letters, digits, '.', '_' or '-', starting with a"
                    + " letter or digit; got '" + value + "'");
        }
    }

    private static String abbreviate(String sql) {
        String flat = sql.strip().replaceAll("\\s+", " ");
        return flat.length() <= 60 ? flat : flat.substring(0, 57) + "...";
    }
}
