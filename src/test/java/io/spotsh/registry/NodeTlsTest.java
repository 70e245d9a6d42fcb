package io.spotsh.registry;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What nodes of an external registry get from the operator's JDBC URL, and what the operator is told. */
class NodeTlsTest {
    private static final String BASE = "jdbc:postgresql://db.example.org:5432/spotsh?user=op&password=pw";

    @Test
    void plainTextIsPassedOnWithAWarning() {
        for (String query : List.of("", "&sslmode=disable", "&sslmode=allow", "&sslmode=prefer")) {
            NodeTls tls = NodeTls.external(BASE + query);
            assertTrue(tls.warning() != null && tls.warning().contains("plain text")
                    && tls.warning().contains("sslmode=verify-full&sslrootcert="), query + ": " + tls.warning());
            assertNull(tls.caPem());
        }
        assertNull(NodeTls.external(BASE).sslMode(), "no sslmode: libpq's default, as pgjdbc's");
        assertEquals("disable", NodeTls.external(BASE + "&sslmode=disable").sslMode());
    }

    @Test
    void theOperatorsCaAndModeGoToNodes() throws Exception {
        Path dir = Files.createTempDirectory("spotsh-node-tls");
        try {
            RegistryTls tls = RegistryTls.ensure(dir.resolve("tls"), List.of("db.example.org"));
            NodeTls full = NodeTls.external(BASE + "&sslmode=verify-full&sslrootcert=" + tls.caCertificate());
            assertEquals("verify-full", full.sslMode());
            assertEquals(tls.caPem(), full.caPem(), "the CA file's certificates, read on the operator's machine");
            assertNull(full.warning());
            NodeTls caOnly = NodeTls.external(BASE + "&sslmode=verify-ca&sslrootcert=" + tls.caCertificate());
            assertTrue(caOnly.warning().contains("not that it names the address"), caOnly.warning());
            assertEquals("verify-full", NodeTls.external(BASE + "&ssl=true").sslMode(), "pgjdbc's ssl=true");
            assertTrue(NodeTls.external(BASE + "&sslmode=require").warning().contains("do not check"));

            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> NodeTls.external(BASE + "&sslmode=verify-full&sslrootcert=" + dir.resolve("none.crt")));
            assertTrue(missing.getMessage().contains("sslrootcert=" + dir.resolve("none.crt")), missing.getMessage());
            IllegalArgumentException notACert = assertThrows(IllegalArgumentException.class,
                    () -> NodeTls.external(BASE + "&sslmode=verify-full&sslrootcert=" + tls.serverKey()));
            assertTrue(notACert.getMessage().contains("sslrootcert=" + tls.serverKey()), notACert.getMessage());
            IllegalArgumentException badMode = assertThrows(IllegalArgumentException.class,
                    () -> NodeTls.external(BASE + "&sslmode=verify_full"));
            assertTrue(badMode.getMessage().contains("sslmode=verify_full is not one of"), badMode.getMessage());
        } finally {
            TestRegistry.delete(dir);
        }
    }

    /**
     * The embedded server reached as an external one, by JDBC URL: nodes get the URL's sslmode and CA; a URL that
     * leaves them in plain text is warned about once, not on every reconnect.
     */
    @Test
    void anExternalRegistryPassesItsSettingsToNodes() throws Exception {
        try (TestRegistry fixture = TestRegistry.start()) {
            Endpoint e = new EmbeddedServer(fixture.settings).start();
            String base = "jdbc:postgresql://127.0.0.1:" + e.port() + "/spotsh?user=spotsh&password=" + e.password();
            List<String> notes = new java.util.ArrayList<>();
            try (Registry plain = Registry.open(RegistrySettings.external(base + "&sslmode=disable"), notes::add)) {
                RegistrationUrl url = plain.createTest("ext-plain", "cassandra", "local", Map.of(), null).registrationUrl();
                assertTrue(url.uri().endsWith("/spotsh?sslmode=disable"), url.toString());
                assertNull(url.caCertificate());
                try {
                    plain.sql("SELECT pg_terminate_backend(pg_backend_pid())");
                } catch (RegistryException expected) {
                    // our own session was cut: the next call reconnects
                }
                plain.tests();
            }
            assertEquals(1, notes.size(), notes.toString());
            assertTrue(notes.get(0).startsWith("warning: the registry URL has sslmode=disable"), notes.get(0));
            assertFalse(notes.get(0).contains(e.password()), notes.get(0));

            notes.clear();
            Path ca = fixture.stateDir.resolve("registry/tls/ca.crt");
            try (Registry verified = Registry.open(RegistrySettings.external(
                    base + "&sslmode=verify-full&sslrootcert=" + ca), notes::add)) {
                RegistrationUrl url = verified.createTest("ext-tls", "cassandra", "local", Map.of(), null).registrationUrl();
                assertTrue(url.uri().endsWith("/spotsh?sslmode=verify-full"), url.toString());
                assertEquals(Files.readString(ca), url.caCertificate());
                assertEquals(true, verified.sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").get(0).get("ssl"),
                        "the operator's own connection verified the server the same way");
            }
            assertEquals(List.of(), notes);
        }
    }

    @Test
    void theRegistrationUrlCarriesTheModeAndNeverShowsThePassword() {
        NodeTls tls = new NodeTls("verify-full", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n", null);
        RegistrationUrl url = new RegistrationUrl("spotsh_t1", "s3cr3t", "10.0.0.5", 5432, "spotsh", tls);
        assertEquals("postgresql://spotsh_t1:s3cr3t@10.0.0.5:5432/spotsh?sslmode=verify-full", url.uri());
        assertEquals("postgresql://spotsh_t1:***@10.0.0.5:5432/spotsh?sslmode=verify-full", url.toString());
        assertEquals("postgresql://spotsh_t1:s3cr3t@10.0.0.5:5432/spotsh",
                new RegistrationUrl("spotsh_t1", "s3cr3t", "10.0.0.5", 5432, "spotsh", null).uri());
    }
}
