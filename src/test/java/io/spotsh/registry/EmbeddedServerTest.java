package io.spotsh.registry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedServerTest {
    private static Path stateDir;
    private static RegistrySettings settings;

    @BeforeAll
    static void init() {
        stateDir = TestRegistry.newStateDir();
        settings = TestRegistry.settings(stateDir);
    }

    @AfterAll
    static void cleanUp() {
        new EmbeddedServer(settings).stop();
        TestRegistry.delete(stateDir);
    }

    @Test
    void dataSurvivesARestartOnTheSamePortAndRestartIsFast() throws Exception {
        EmbeddedServer server = new EmbeddedServer(settings);
        int port;
        try (Registry registry = Registry.open(settings)) {
            registry.createTest("survivor", "cassandra", "local", Map.of("rf", 3), Duration.ofHours(1));
            port = server.status().port();
        }
        assertTrue(server.status().running(), "the server outlives the Registry that started it");
        assertTrue(server.stop());
        assertEquals("stopped", server.status().state());
        assertFalse(server.stop(), "stopping a stopped server reports false");

        long started = System.nanoTime();
        try (Registry again = Registry.open(settings)) {
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis < 2_000, "start-up of an initialised registry took " + millis + " ms");
            List<Map<String, Object>> tests = again.tests();
            assertEquals("survivor", tests.get(0).get("name"));
            assertEquals(3L, again.test("survivor").params().get("rf"));
        }
        assertEquals(port, server.status().port(), "the port is kept across restarts");
    }

    @Test
    void threadsStartingAtOnceShareOneServer() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> ports = pool.invokeAll(List.of(
                    () -> new EmbeddedServer(settings).start().port(),
                    () -> new EmbeddedServer(settings).start().port(),
                    () -> new EmbeddedServer(settings).start().port(),
                    () -> new EmbeddedServer(settings).start().port()));
            for (Future<Integer> port : ports) {
                assertEquals(ports.get(0).get(), port.get());
            }
        } finally {
            pool.shutdown();
        }
        ServerStatus status = new EmbeddedServer(settings).status();
        assertEquals("ready", status.state(), status.toString());
        assertTrue(ProcessHandle.of(status.pid()).isPresent());
    }

    /** --registry-listen: nodes may log in from anywhere, by password, to the spotsh database only; the superuser never. */
    @Test
    void aListenAddressLetsNodeRolesInFromOtherHosts() throws Exception {
        Path dir = TestRegistry.newStateDir();
        RegistrySettings wide = TestRegistry.settings(dir).withListenAddress("0.0.0.0").withAdvertiseHost("127.0.0.7");
        try (Registry registry = Registry.open(wide)) {
            RegistrationUrl url = registry.createTest("wide", "cassandra", "local", Map.of(), null).registrationUrl();
            assertEquals("127.0.0.7", url.host(), "the advertised host goes into registration URLs");
            assertEquals("*", registry.sql("SHOW listen_addresses").get(0).get("listen_addresses"));
            String hba = Files.readString(dir.resolve("registry/data/pg_hba.conf"));
            assertTrue(hba.contains("hostssl   spotsh    +spotsh_nodes  0.0.0.0/0      scram-sha-256"), hba);
            assertFalse(hba.lines().anyMatch(l -> l.contains("0.0.0.0/0") && l.contains(" all ")), hba);
            assertFalse(hba.lines().anyMatch(l -> l.startsWith("host ") && l.contains("spotsh_nodes")), "TLS only: " + hba);
            registry.recordInstances("wide", "data", List.of("i-1"), null);
            assertEquals(1, registry.register("wide", "data", "i-1", "10.0.0.1", "h", null));
            // the certificate names what nodes dial: the advertised host
            assertTrue(RegistryTls.subjectAltNames(RegistryTls.readCertificate(dir.resolve("registry/tls/server.crt")))
                    .contains("127.0.0.7"));
        } finally {
            new EmbeddedServer(wide).stop();
            TestRegistry.delete(dir);
        }
    }

    /**
     * The server speaks TLS with the state folder's certificate; node roles must use it, the operator on loopback need
     * not. Started again with another advertised host, it gets a certificate naming that host, from the same CA.
     */
    @Test
    void tlsForNodesOnlyWithACertificateForTheAddressesInUse() throws Exception {
        Path dir = TestRegistry.newStateDir();
        RegistrySettings local = TestRegistry.settings(dir);
        try (Registry registry = Registry.open(local)) {
            assertEquals("on", registry.sql("SHOW ssl").get(0).get("ssl"));
            RegistrationUrl url = registry.createTest("tls", "cassandra", "local", Map.of(), null).registrationUrl();
            Path tls = dir.resolve("registry/tls");
            assertEquals(java.util.Set.of("127.0.0.1", "localhost"),
                    RegistryTls.subjectAltNames(RegistryTls.readCertificate(tls.resolve("server.crt"))));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("server.key"))));
            String ca = Files.readString(tls.resolve("ca.crt"));

            java.util.Properties node = new java.util.Properties();
            node.setProperty("user", url.user());
            node.setProperty("password", url.password());
            Endpoint endpoint = new EmbeddedServer(local).start();
            node.setProperty("sslmode", "disable");
            java.sql.SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> java.sql.DriverManager.getConnection(endpoint.jdbcUrl(), node).close());
            assertTrue(refused.getMessage().contains("pg_hba.conf rejects connection") && refused.getMessage().contains("no encryption"),
                    refused.getMessage());
            node.setProperty("sslmode", "require");
            try (var c = java.sql.DriverManager.getConnection(endpoint.jdbcUrl(), node);
                 var rs = c.createStatement().executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                assertTrue(rs.next() && rs.getBoolean(1), "the node's session is encrypted");
            }
            java.util.Properties operator = endpoint.connectionProperties();
            operator.setProperty("sslmode", "disable");
            try (var c = java.sql.DriverManager.getConnection(endpoint.jdbcUrl(), operator)) {
                assertTrue(c.isValid(5), "the superuser on loopback needs no TLS");
            }

            registry.close();
            new EmbeddedServer(local).stop();
            RegistrySettings advertised = local.withListenAddress("0.0.0.0").withAdvertiseHost("127.0.0.9");
            try (Registry again = Registry.open(advertised)) {
                assertEquals("127.0.0.9", again.test("tls").registrationUrl().host());
                assertEquals(java.util.Set.of("127.0.0.1", "localhost", "127.0.0.9"),
                        RegistryTls.subjectAltNames(RegistryTls.readCertificate(tls.resolve("server.crt"))));
                assertEquals(ca, Files.readString(tls.resolve("ca.crt")), "the CA is kept");
                assertEquals(ca, again.test("tls").registrationUrl().caCertificate());
            } finally {
                new EmbeddedServer(advertised).stop();
            }
        } finally {
            new EmbeddedServer(local).stop();
            TestRegistry.delete(dir);
        }
    }

    /**
     * A server another process started keeps the names its certificate has: a second process with other settings
     * (cron's reap without --registry-listen) must not take the advertised host away from the first one's nodes.
     */
    @Test
    void aRunningServerKeepsItsCertificate() throws Exception {
        Path dir = TestRegistry.newStateDir();
        RegistrySettings wide = TestRegistry.settings(dir).withListenAddress("0.0.0.0").withAdvertiseHost("127.0.0.8");
        try {
            new EmbeddedServer(wide).start();
            Path cert = dir.resolve("registry/tls/server.crt");
            String before = Files.readString(cert);
            try (Registry reaper = Registry.open(TestRegistry.settings(dir))) {
                reaper.tests();
            }
            assertEquals(before, Files.readString(cert));

            // a process that tells nodes to dial a name the running server's certificate lacks: verify-ca, and says why
            List<String> notes = new java.util.ArrayList<>();
            try (Registry other = Registry.open(TestRegistry.settings(dir).withListenAddress("0.0.0.0")
                    .withAdvertiseHost("127.0.0.10"), notes::add)) {
                RegistrationUrl url = other.createTest("other", "cassandra", "local", Map.of(), null).registrationUrl();
                assertEquals("verify-ca", url.sslMode());
                assertEquals(1, notes.size(), notes.toString());
                assertTrue(notes.get(0).contains("nodes dial 127.0.0.10") && notes.get(0).contains("sslmode=verify-ca"),
                        notes.get(0));
            }
            assertEquals(before, Files.readString(cert));
        } finally {
            new EmbeddedServer(wide).stop();
            TestRegistry.delete(dir);
        }
    }

    @Test
    void superuserPasswordIsPrivate() throws Exception {
        new EmbeddedServer(settings).start();
        Path file = stateDir.resolve("registry/superuser.password");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String password = Files.readString(file).trim();
        assertTrue(password.matches("[A-Za-z0-9]{32}"));
        String described = new EmbeddedServer(settings).start() + " " + settings + " " + new EmbeddedServer(settings).status();
        assertFalse(described.contains(password), described);
    }
}
