package io.spotsh.registry;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
