package io.spotsh.registry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Within a test, the test's password is not enough to be a node: only requested instances register, in their
 * role, a registered node keeps its pinned host key until the operator trusts another, inputs have limits, and
 * node roles cannot hold the server's connections.
 */
class RegistrationIntegrityTest {
    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl node";
    private static final String OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBj7JvVNxDZXc0eV9TrvG1hGWVuh8cZyqaIbdXqCzsrQ impostor";

    private static TestRegistry fixture;
    private static Registry registry;
    private static TestRecords records;

    @BeforeAll
    static void start() {
        fixture = TestRegistry.start();
        registry = fixture.registry;
        records = new TestRecords(() -> registry);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static List<Map<String, Object>> eventsOf(String test, String kind) {
        return registry.events(test).stream().filter(e -> kind.equals(e.get("kind"))).toList();
    }

    @Test
    void onlyRequestedInstancesInTheirRoleTakeANumberAndEveryRefusalIsRecorded() {
        registry.createTest("asked", "cassandra", "local", Map.of(), Duration.ofHours(1));
        registry.recordInstances("asked", "data", List.of("i-d1", "i-d2"), null);
        registry.recordInstances("asked", "client", List.of("i-c1"), null);

        RegistryException stranger = assertThrows(RegistryException.class,
                () -> registry.register("asked", "data", "i-stranger", "10.0.0.9", "h", KEY));
        assertEquals(Registry.REFUSED, stranger.sqlState());
        assertTrue(stranger.getMessage().contains("instance i-stranger was never requested for test \"asked\""),
                stranger.getMessage());
        RegistryException wrongRole = assertThrows(RegistryException.class,
                () -> registry.register("asked", "data", "i-c1", "10.0.0.9", "h", KEY));
        assertTrue(wrongRole.getMessage().contains("requested for test \"asked\" as role client, not data"),
                wrongRole.getMessage());
        records.setInstanceState("asked", "i-d2", "dud");
        RegistryException dud = assertThrows(RegistryException.class,
                () -> registry.register("asked", "data", "i-d2", "10.0.0.9", "h", KEY));
        assertTrue(dud.getMessage().contains("a dud that was replaced"), dud.getMessage());

        assertTrue(registry.nodes("asked").isEmpty(), "nobody took data-1, the seed");
        assertEquals(1, registry.register("asked", "data", "i-d1", "10.0.0.1", "d1", KEY));
        List<Map<String, Object>> refused = eventsOf("asked", "registration-refused");
        assertEquals(List.of("i-stranger", "i-c1", "i-d2"), refused.stream().map(e -> e.get("instance_id")).toList());
        assertEquals(List.of("i-stranger", "i-c1", "i-d2"),
                records.refusedRegistrations("asked").stream().map(TestRecords.Refusal::instanceId).toList());

        // the same refusal again is not another row: a caller in a loop cannot fill the events
        assertThrows(RegistryException.class, () -> registry.register("asked", "data", "i-stranger", "10.0.0.9", "h", KEY));
        assertEquals(3, eventsOf("asked", "registration-refused").size());
    }

    @Test
    void anUnknownIdIsToldToRetryWhileInstancesAreBeingRequestedAndRefusedAfterwards() {
        registry.createTest("window", "cassandra", "local", Map.of(), Duration.ofHours(1));
        records.requesting("window", Duration.ofMinutes(5));
        RegistryException early = assertThrows(RegistryException.class,
                () -> registry.register("window", "data", "i-early", "10.0.0.1", "h", KEY));
        assertEquals(Registry.RETRY, early.sqlState(), early.getMessage());
        assertTrue(eventsOf("window", "registration-refused").isEmpty(), "a retry is no refusal");
        records.recordInstances("window", "data", List.of("i-early"), null);
        records.requesting("window", null);
        assertEquals(1, registry.register("window", "data", "i-early", "10.0.0.1", "h", KEY));
        RegistryException late = assertThrows(RegistryException.class,
                () -> registry.register("window", "data", "i-late", "10.0.0.1", "h", KEY));
        assertEquals(Registry.REFUSED, late.sqlState(), late.getMessage());
    }

    @Test
    void aRebootKeepsItsNumberAnotherHostKeyIsRefusedUntilTrusted() {
        registry.createTest("keys", "cassandra", "local", Map.of(), Duration.ofHours(1));
        registry.recordInstances("keys", "data", List.of("i-1", "i-2"), null);
        assertEquals(1, registry.register("keys", "data", "i-1", "10.0.0.1", "one", KEY));
        assertEquals(2, registry.register("keys", "data", "i-2", "10.0.0.2", "two", KEY));
        assertEquals(1, registry.register("keys", "data", "i-1", "10.0.0.11", "one-rebooted", KEY), "same key: a reboot");

        RegistryException swapped = assertThrows(RegistryException.class,
                () -> registry.register("keys", "data", "i-1", "10.6.6.6", "evil", OTHER_KEY));
        assertEquals(Registry.REFUSED, swapped.sqlState());
        assertTrue(swapped.getMessage().contains("offered another host key than the one pinned")
                && swapped.getMessage().contains("cluster.trust('i-1')"), swapped.getMessage());
        TestRecords.NodeRow pinned = records.registeredNodes("keys").get(0);
        assertEquals(new TestRecords.NodeRow("data", 1, "i-1", "10.0.0.11", "one-rebooted", KEY), pinned,
                "address and key stay as pinned: SSH goes on using them");
        List<TestRecords.KeyConflict> conflicts = records.hostKeyConflicts("keys");
        assertEquals(1, conflicts.size());
        assertEquals(OTHER_KEY, conflicts.get(0).offeredKey());
        assertEquals("10.6.6.6", conflicts.get(0).offeredIp());
        assertEquals("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU", conflicts.get(0).pinnedFingerprint());
        assertEquals(1, eventsOf("keys", "host-key-refused").size());

        assertEquals(1, registry.register("keys", "data", "i-1", "10.0.0.11", "one-rebooted", KEY),
                "the pinned key still registers");
        assertEquals(1, registry.trust("keys", "i-1"));
        assertEquals(new TestRecords.NodeRow("data", 1, "i-1", "10.6.6.6", "evil", OTHER_KEY),
                records.registeredNodes("keys").get(0));
        assertTrue(records.hostKeyConflicts("keys").isEmpty());
        assertEquals(1, eventsOf("keys", "host-key-trusted").size());
        assertEquals(1, registry.register("keys", "data", "i-1", "10.6.6.6", "evil", OTHER_KEY), "now it is the pinned one");
        RegistryException nothing = assertThrows(RegistryException.class, () -> registry.trust("keys", "i-2"));
        assertTrue(nothing.getMessage().contains("offered no other host key"), nothing.getMessage());
    }

    @Test
    void oversizedOrMalformedInputIsRefusedClearlyAndNothingIsStored() {
        registry.createTest("limits", "cassandra", "local", Map.of(), Duration.ofHours(1));
        registry.recordInstances("limits", "data", List.of("i-1"), null);
        String huge = "ssh-ed25519 " + "A".repeat(5 * 1024 * 1024);
        RegistryException key = assertThrows(RegistryException.class,
                () -> registry.register("limits", "data", "i-1", "10.0.0.1", "h", huge));
        assertTrue(key.getMessage().contains("host key of 5242892 characters is over the limit of 4096"), key.getMessage());
        assertTrue(key.getMessage().length() < 500, "the value is not echoed: " + key.getMessage().length());
        assertEquals("22023", key.sqlState());

        Map<String, String> bad = Map.of(
                "hostname 'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh'... (300 characters) is over 255",
                "hostname:" + "h".repeat(300),
                "ip 'not-an-ip' is not an IP address", "ip:not-an-ip",
                "role 'data; drop' must be", "role:data; drop",
                "host key 'not-a-key' is not an OpenSSH public key line", "key:not-a-key");
        for (Map.Entry<String, String> c : bad.entrySet()) {
            String field = c.getValue().substring(0, c.getValue().indexOf(':'));
            String value = c.getValue().substring(field.length() + 1);
            RegistryException e = assertThrows(RegistryException.class, () -> registry.register("limits",
                    field.equals("role") ? value : "data", "i-1", field.equals("ip") ? value : "10.0.0.1",
                    field.equals("hostname") ? value : "h", field.equals("key") ? value : KEY));
            assertTrue(e.getMessage().contains(c.getKey()) && e.getMessage().contains("instance 'i-1'"), e.getMessage());
        }
        RegistryException name = assertThrows(RegistryException.class,
                () -> registry.register("x".repeat(100_000), "data", "i-1", "10.0.0.1", "h", KEY));
        assertTrue(name.getMessage().contains("... (100000 characters) is not a test name"), name.getMessage());
        assertTrue(registry.nodes("limits").isEmpty());
        assertEquals(0L, registry.sql("SELECT count(*) AS n FROM spotsh.nodes WHERE length(host_key) > 4096"
                + " OR length(hostname) > 255").get(0).get("n"));
    }

    @Test
    void nodeRolesHaveAConnectionLimitAndTimeouts() throws Exception {
        TestInfo test = registry.createTest("conns", "cassandra", "local", Map.of(), Duration.ofHours(1));
        String role = test.registrationUrl().user();
        Map<String, Object> limits = registry.sql("SELECT r.rolconnlimit, s.setconfig::text AS config FROM pg_roles r"
                + " JOIN pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0 WHERE r.rolname = ?", role).get(0);
        assertEquals(RegistrySettings.DEFAULT_MAX_CONNECTIONS / 4, limits.get("rolconnlimit"));
        String config = (String) limits.get("config");
        for (String setting : List.of("idle_session_timeout=60s", "statement_timeout=60s",
                "idle_in_transaction_session_timeout=60s")) {
            assertTrue(config.contains(setting), config);
        }

        // the limit is the server's to enforce: lowered to 2, a third connection is turned away
        registry.sql("ALTER ROLE " + role + " CONNECTION LIMIT 2");
        List<Connection> held = new ArrayList<>();
        try {
            held.add(connect(test));
            held.add(connect(test));
            SQLException third = assertThrows(SQLException.class, () -> connect(test).close());
            assertTrue(third.getMessage().contains("too many connections for role"), third.getMessage());
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    @Test
    void anIdleNodeConnectionIsClosedByTheServer() throws Exception {
        TestInfo test = registry.createTest("idle", "cassandra", "local", Map.of(), Duration.ofHours(1));
        String role = test.registrationUrl().user();
        registry.sql("ALTER ROLE " + role + " SET idle_session_timeout = '1s'");
        try (Connection node = connect(test)) {
            try (Statement st = node.createStatement()) {
                st.execute("SELECT 1");  // then idle
            }
            // the server ends the session: its backend leaves pg_stat_activity (60 s is a bound, not the expectation)
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!registry.sql("SELECT 1 FROM pg_stat_activity WHERE usename = ?", role).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the idle node session is still open after 60 s");
                Thread.sleep(50);
            }
            SQLException closed = assertThrows(SQLException.class, () -> {
                try (Statement st = node.createStatement()) {
                    st.execute("SELECT 1");
                }
            });
            assertTrue(closed.getSQLState() != null && (closed.getSQLState().startsWith("08")
                    || closed.getSQLState().equals("57P05")), closed.getSQLState() + ": " + closed.getMessage());
        }
    }

    @Test
    void theMigrationLimitsRolesOfTestsCreatedBeforeIt() throws Exception {
        // a role as V002's create_test left it, then V007's loop over existing roles again
        TestInfo test = registry.createTest("old", "cassandra", "local", Map.of(), Duration.ofHours(1));
        String role = test.registrationUrl().user();
        registry.sql("ALTER ROLE " + role + " CONNECTION LIMIT -1");
        registry.sql("ALTER ROLE " + role + " RESET idle_session_timeout");
        Migrations.Migration v007 = Migrations.fromClasspath().list().stream().filter(m -> m.version() == 7)
                .findFirst().orElseThrow();
        String loop = v007.sql().substring(v007.sql().indexOf("-- The roles of tests created before this migration"));
        loop = loop.substring(0, loop.indexOf("END $$;") + "END $$;".length());
        registry.sql(loop);
        Map<String, Object> limits = registry.sql("SELECT r.rolconnlimit, s.setconfig::text AS config FROM pg_roles r"
                + " JOIN pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0 WHERE r.rolname = ?", role).get(0);
        assertEquals(RegistrySettings.DEFAULT_MAX_CONNECTIONS / 4, limits.get("rolconnlimit"));
        assertTrue(((String) limits.get("config")).contains("idle_session_timeout=60s"), (String) limits.get("config"));
        assertFalse(registry.sql("SELECT 1 FROM spotsh.tests WHERE name = 'old'").isEmpty());
    }

    private static Connection connect(TestInfo test) throws SQLException {
        return fixture.connect(test.registrationUrl().user(), test.registrationUrl().password());
    }
}
