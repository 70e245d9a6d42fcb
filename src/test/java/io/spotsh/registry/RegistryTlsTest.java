package io.spotsh.registry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded registry's CA and server certificate: names, reuse, renewal, file modes. */
class RegistryTlsTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("spotsh-tls-test").resolve("tls");
    }

    @AfterEach
    void tearDown() throws Exception {
        TestRegistry.delete(dir.getParent());
    }

    @Test
    void theServerCertificateNamesEveryAddressAndComesFromTheCa() throws Exception {
        RegistryTls tls = RegistryTls.ensure(dir, List.of("127.0.0.1", "localhost", "10.1.2.3", "Registry.Example.Org"));
        X509Certificate server = RegistryTls.readCertificate(tls.serverCertificate());
        X509Certificate ca = RegistryTls.readCertificate(tls.caCertificate());
        assertEquals(Set.of("127.0.0.1", "localhost", "10.1.2.3", "registry.example.org"), RegistryTls.subjectAltNames(server));
        // IP addresses go in as iPAddress entries (type 7), names as dNSName (type 2): libpq matches each by its kind
        assertTrue(server.getSubjectAlternativeNames().contains(List.of(7, "10.1.2.3")), server.getSubjectAlternativeNames().toString());
        assertTrue(server.getSubjectAlternativeNames().contains(List.of(2, "localhost")));
        server.verify(ca.getPublicKey());
        assertEquals(-1, server.getBasicConstraints(), "the server certificate signs nothing");
        assertTrue(ca.getBasicConstraints() >= 0, "the CA is a CA");
        assertEquals("EC", ca.getPublicKey().getAlgorithm());
        assertEquals(Files.readString(tls.caCertificate()), tls.caPem());
        assertTrue(tls.caPem().length() < 1_000, "small enough for userdata: " + tls.caPem().length());
    }

    @Test
    void keysAreOwnerOnlyAndTheFolderToo() throws Exception {
        RegistryTls tls = RegistryTls.ensure(dir, List.of("127.0.0.1"));
        assertEquals("rw-------", mode(dir.resolve("ca.key")));
        assertEquals("rw-------", mode(tls.serverKey()));
        assertEquals("rw-r--r--", mode(tls.caCertificate()));
        assertEquals("rwx------", mode(dir));
        assertTrue(Files.readString(tls.serverKey()).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertFalse(tls.toString().contains("PRIVATE"), tls.toString());
        try (var files = Files.list(dir)) {
            assertEquals(Set.of("ca.key", "ca.crt", "server.key", "server.crt"),
                    files.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toSet()), "no temporary files left");
        }
    }

    @Test
    void madeOnceThenReused() throws Exception {
        RegistryTls first = RegistryTls.ensure(dir, List.of("localhost", "127.0.0.1"));
        assertTrue(first.serverRenewed());
        byte[] caKey = Files.readAllBytes(dir.resolve("ca.key"));
        byte[] serverCert = Files.readAllBytes(first.serverCertificate());
        RegistryTls again = RegistryTls.ensure(dir, List.of("127.0.0.1", "localhost", "LOCALHOST"));
        assertFalse(again.serverRenewed(), "the same names in another order and case are the same set");
        assertEquals(first.caPem(), again.caPem());
        assertTrue(java.util.Arrays.equals(caKey, Files.readAllBytes(dir.resolve("ca.key"))));
        assertTrue(java.util.Arrays.equals(serverCert, Files.readAllBytes(again.serverCertificate())));
    }

    /** Another listen address or advertised host: a new server certificate from the same CA, so nodes' CA stays. */
    @Test
    void newNamesGetANewServerCertificateFromTheSameCa() throws Exception {
        RegistryTls first = RegistryTls.ensure(dir, List.of("127.0.0.1", "localhost"));
        String firstServer = Files.readString(first.serverCertificate());
        RegistryTls wider = RegistryTls.ensure(dir, List.of("127.0.0.1", "localhost", "10.0.0.5"));
        assertTrue(wider.serverRenewed());
        assertEquals(first.caPem(), wider.caPem());
        assertNotEquals(firstServer, Files.readString(wider.serverCertificate()));
        assertEquals(Set.of("127.0.0.1", "localhost", "10.0.0.5"),
                RegistryTls.subjectAltNames(RegistryTls.readCertificate(wider.serverCertificate())));
        RegistryTls.readCertificate(wider.serverCertificate())
                .verify(RegistryTls.readCertificate(wider.caCertificate()).getPublicKey());
    }

    /** A damaged server certificate, or one another CA signed, is remade; a damaged CA is named, never replaced silently. */
    @Test
    void damageIsRepairedOrNamed() throws Exception {
        RegistryTls first = RegistryTls.ensure(dir, List.of("127.0.0.1"));
        Files.writeString(first.serverCertificate(), "garbage");
        assertTrue(RegistryTls.ensure(dir, List.of("127.0.0.1")).serverRenewed());

        Path other = dir.resolveSibling("other");
        RegistryTls foreign = RegistryTls.ensure(other, List.of("127.0.0.1"));
        Files.copy(foreign.serverCertificate(), first.serverCertificate(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(foreign.serverKey(), first.serverKey(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        RegistryTls repaired = RegistryTls.ensure(dir, List.of("127.0.0.1"));
        assertTrue(repaired.serverRenewed(), "a server certificate of another CA is not ours");
        assertNotEquals(foreign.caPem(), repaired.caPem());

        Files.writeString(dir.resolve("ca.crt"), "not a certificate");
        RegistryServerException e = assertThrows(RegistryServerException.class,
                () -> RegistryTls.ensure(dir, List.of("127.0.0.1")));
        assertTrue(e.getMessage().contains(dir.resolve("ca.crt").toString()) && e.getMessage().contains("remove"),
                e.getMessage());
    }

    private static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
