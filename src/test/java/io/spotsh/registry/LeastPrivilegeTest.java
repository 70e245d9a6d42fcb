package io.spotsh.registry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A test's registration role can register (and heartbeat) into its own test and do nothing else. */
class LeastPrivilegeTest {
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private static TestRegistry fixture;
    private static RegistrationUrl a;
    private static RegistrationUrl b;

    @BeforeAll
    static void start() {
        fixture = TestRegistry.start();
        a = fixture.registry.createTest("test-a", "cassandra", "local", Map.of(), null).registrationUrl();
        b = fixture.registry.createTest("test-b", "cassandra", "local", Map.of(), null).registrationUrl();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static Connection as(RegistrationUrl url) throws SQLException {
        return fixture.connect(url.user(), url.password());
    }

    private static Object scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }

    private static void assertRefused(Connection c, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }, sql);
        assertEquals(INSUFFICIENT_PRIVILEGE, e.getSQLState(), sql + ": " + e.getMessage());
    }

    @Test
    void registersAndHeartbeatsIntoItsOwnTest() throws Exception {
        fixture.registry.recordInstances("test-a", "data", List.of("i-own"), null);
        try (Connection c = as(a)) {
            assertEquals("1", scalar(c, "SELECT spotsh.register('test-a', 'data', 'i-own', '10.0.0.1', 'h', '')"));
            assertEquals(1, scalar(c, "SELECT spotsh.heartbeat('test-a', 'i-own')"));
        }
    }

    @Test
    void cannotRegisterIntoAnotherTestOrLearnWhichTestsExist() throws Exception {
        try (Connection c = as(a)) {
            assertRefused(c, "SELECT spotsh.register('test-b', 'data', 'i-x', '10.0.0.1', 'h', '')");
            assertRefused(c, "SELECT spotsh.heartbeat('test-b', 'i-x')");
            assertRefused(c, "SELECT spotsh.register('no-such-test', 'data', 'i-x', '10.0.0.1', 'h', '')");
        }
        assertTrue(fixture.registry.nodes("test-b").isEmpty());
    }

    @Test
    void cannotReadOrChangeAnyTable() throws Exception {
        try (Connection c = as(b)) {
            for (String table : List.of("tests", "test_credentials", "nodes", "instances", "events", "schema_migrations")) {
                assertRefused(c, "SELECT * FROM spotsh." + table);
            }
            assertRefused(c, "UPDATE spotsh.nodes SET node_number = 1");
            assertRefused(c, "INSERT INTO spotsh.events (kind) VALUES ('forged')");
            assertRefused(c, "DELETE FROM spotsh.tests");
        }
    }

    @Test
    void cannotCallOperatorFunctions() throws Exception {
        try (Connection c = as(a)) {
            assertRefused(c, "SELECT spotsh.mark_dead('test-a', 'i-own', 'x')");
            assertRefused(c, "SELECT spotsh.create_test('evil', 'x', 'y', '{}', null)");
            assertRefused(c, "SELECT spotsh.set_test_state('test-b', 'failed')");
            assertRefused(c, "SELECT spotsh.delete_test('test-b')");
            assertRefused(c, "SELECT spotsh.test_for_session('test-b')");
        }
    }

    @Test
    void cannotCreateTablesAnywhere() throws Exception {
        try (Connection c = as(a)) {
            assertRefused(c, "CREATE TABLE public.loot (x text)");
            assertRefused(c, "CREATE TABLE spotsh.loot (x text)");
            assertRefused(c, "CREATE TEMP TABLE loot (x text)");
            assertRefused(c, "CREATE SCHEMA loot");
        }
    }

    @Test
    void cannotConnectToOtherDatabases() {
        Endpoint other = Endpoint.local("127.0.0.1", a.port(), "postgres", a.user(), a.password());
        Properties props = new Properties();
        props.setProperty("user", a.user());
        props.setProperty("password", a.password());
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(other.jdbcUrl(), props).close());
        assertEquals(INSUFFICIENT_PRIVILEGE, e.getSQLState(), e.getMessage());
    }

    /**
     * One server, two registry databases (spotsh_nodes is the server's, shared by both): a node role of the other
     * database's test, even one named as a test here, can register, heartbeat and read nothing here.
     */
    @Test
    void aNodeRoleOfAnotherRegistryDatabaseOfTheServerCanDoNothingHere() throws Exception {
        fixture.registry.createTest("shared-name", "cassandra", "local", Map.of(), null);
        fixture.registry.recordInstances("shared-name", "data", List.of("i-here"), null);
        String key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl here";
        assertEquals(1, fixture.registry.register("shared-name", "data", "i-here", "10.0.0.1", "here", key));

        try (Connection op = fixture.connectAsOperator(); Statement st = op.createStatement()) {
            st.execute("CREATE DATABASE other_registry");
        }
        Endpoint superuser = new EmbeddedServer(fixture.settings).start();
        String otherUrl = "jdbc:postgresql://127.0.0.1:" + superuser.port() + "/other_registry?user=" + superuser.user()
                + "&password=" + URLEncoder.encode(superuser.password(), StandardCharsets.UTF_8);
        try (Registry other = Registry.open(RegistrySettings.external(otherUrl))) {
            RegistrationUrl foreign = other.createTest("shared-name", "cassandra", "local", Map.of(), null).registrationUrl();
            other.recordInstances("shared-name", "data", List.of("i-here", "i-there"), null);
            try (Connection c = fixture.connect(foreign.user(), foreign.password())) {
                assertEquals("spotsh", scalar(c, "SELECT current_database()"), "it did get in: CONNECT is PUBLIC's");
                assertRefused(c, "SELECT spotsh.register('shared-name', 'data', 'i-here', '10.6.6.6', 'evil', '')");
                assertRefused(c, "SELECT spotsh.register('shared-name', 'data', 'i-there', '10.6.6.6', 'evil', '')");
                assertRefused(c, "SELECT spotsh.heartbeat('shared-name', 'i-here')");
                assertRefused(c, "SELECT spotsh.register('test-a', 'data', 'i-x', '10.6.6.6', 'evil', '')");
                for (String table : List.of("tests", "test_credentials", "nodes", "instances", "events")) {
                    assertRefused(c, "SELECT * FROM spotsh." + table);
                }
            }
            // and at home it still works: the fix refuses strangers, not its own nodes
            try (Connection c = DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + superuser.port() + "/other_registry", props(foreign))) {
                assertEquals("1", scalar(c, "SELECT spotsh.register('shared-name', 'data', 'i-there', '10.0.9.9', 'there', '')"));
            }
        }
        Map<String, Object> node = fixture.registry.nodes("shared-name").get(0);
        assertEquals("10.0.0.1", node.get("ip"));
        assertEquals("here", node.get("hostname"));
        assertEquals("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU", node.get("host_key"));
        assertEquals(1, fixture.registry.nodes("shared-name").size());
    }

    private static Properties props(RegistrationUrl url) {
        Properties props = new Properties();
        props.setProperty("user", url.user());
        props.setProperty("password", url.password());
        return props;
    }

    @Test
    void wrongPasswordIsRefused() {
        SQLException e = assertThrows(SQLException.class, () -> fixture.connect(a.user(), "not-the-password").close());
        assertEquals("28P01", e.getSQLState(), e.getMessage());
    }

    /** spotsh.scram_verifier() computes in SQL what RFC 5802 says; checked against the JDK's PBKDF2 and HMAC. */
    @Test
    void registrationRolesHaveAValidScramSecretWithFewIterations() throws Exception {
        String secret;
        try (Connection c = fixture.connectAsOperator();
             var ps = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            ps.setString(1, a.user());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                secret = rs.getString(1);
            }
        }
        Matcher m = Pattern.compile("SCRAM-SHA-256\\$(\\d+):([^$]+)\\$([^:]+):(.+)").matcher(secret);
        assertTrue(m.matches(), "not a SCRAM secret");
        assertEquals("64", m.group(1));
        byte[] salt = Base64.getDecoder().decode(m.group(2));
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(a.password().toCharArray(), salt, 64, 256)).getEncoded();
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(salted, "HmacSHA256"));
        byte[] clientKey = hmac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] serverKey = hmac.doFinal("Server Key".getBytes(StandardCharsets.US_ASCII));
        assertEquals(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(clientKey)), m.group(3));
        assertEquals(Base64.getEncoder().encodeToString(serverKey), m.group(4));
    }

    @Test
    void aFinishedTestsRoleCannotLogIn() throws Exception {
        RegistrationUrl c = fixture.registry.createTest("test-c", "cassandra", "local", Map.of(), null).registrationUrl();
        as(c).close();
        fixture.registry.finishTest("test-c", "finished");
        SQLException e = assertThrows(SQLException.class, () -> as(c).close());
        assertEquals("28000", e.getSQLState(), e.getMessage());
    }
}
