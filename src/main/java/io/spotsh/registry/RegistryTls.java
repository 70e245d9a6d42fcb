package io.spotsh.registry;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The embedded registry's TLS files in one folder ({@code <stateDir>/registry/tls}): a CA made once per state folder
 * and a server certificate it signs for the names nodes dial. Both keys are EC P-256: small (the CA goes into every
 * node's userdata, under EC2's 16 KB) and cheap to handshake with when a thousand nodes phone home at once.
 *
 * <pre>{@code
 * RegistryTls tls = RegistryTls.ensure(registryDir.resolve("tls"), List.of("127.0.0.1", "localhost", "10.0.0.5"));
 * tls.serverCertificate();   // ssl_cert_file; tls.serverKey() is ssl_key_file (0600)
 * tls.caPem();               // what nodes verify the server with (sslmode=verify-full)
 * }</pre>
 *
 * {@link #ensure} reuses what is there and remakes only what no longer fits: the server certificate when the set of
 * names changes, when it nears its end or was signed by another CA; the CA only when its files are missing. Keys are
 * written 0600 before they hold anything.
 */
public final class RegistryTls {
    static final String CA_KEY = "ca.key";
    static final String CA_CERT = "ca.crt";
    static final String SERVER_KEY = "server.key";
    static final String SERVER_CERT = "server.crt";
    /** Nodes live for hours; a CA outliving any test spares re-sending it. */
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration SERVER_LIFETIME = Duration.ofDays(825);
    /** A server certificate this close to its end is remade, so no test runs into its expiry. */
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    /** Nodes' clocks may lag the head's a little at first boot. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final String caPem;
    private final Set<String> names;
    private final boolean serverRenewed;

    private RegistryTls(Path dir, String caPem, Set<String> names, boolean serverRenewed) {
        this.dir = dir;
        this.caPem = caPem;
        this.names = names;
        this.serverRenewed = serverRenewed;
    }

    /**
     * The TLS files in {@code dir} for a server reached as {@code names} (IP addresses or DNS names), made or
     * remade as needed. Throws {@link RegistryServerException} naming the file it could not read or write.
     */
    public static RegistryTls ensure(Path dir, Collection<String> names) {
        Set<String> wanted = normalise(names);
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Issuer ca = Files.isRegularFile(dir.resolve(CA_KEY)) && Files.isRegularFile(dir.resolve(CA_CERT))
                    ? readCa(dir) : newCa(dir);
            boolean renew = !serverFits(dir, ca.certificate(), wanted);
            if (renew) {
                newServer(dir, ca, wanted);
            }
            return new RegistryTls(dir, pem(ca.certificate()), wanted, renew);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new RegistryServerException("cannot prepare the registry's TLS certificates in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    public Path caCertificate() {
        return dir.resolve(CA_CERT);
    }

    public Path serverCertificate() {
        return dir.resolve(SERVER_CERT);
    }

    public Path serverKey() {
        return dir.resolve(SERVER_KEY);
    }

    /** The CA certificate as PEM text, for nodes. */
    public String caPem() {
        return caPem;
    }

    /** The names the server certificate covers. */
    public Set<String> names() {
        return names;
    }

    /** Whether {@link #ensure} made a new server certificate (a running server must reload to use it). */
    public boolean serverRenewed() {
        return serverRenewed;
    }

    /** Names as the certificate holds them: IP addresses in their canonical form, DNS names in lower case. */
    static Set<String> normalise(Collection<String> names) {
        Set<String> out = new TreeSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                continue;
            }
            String n = name.strip();
            if (n.startsWith("[") && n.endsWith("]")) {
                n = n.substring(1, n.length() - 1);
            }
            out.add(isIpLiteral(n) ? ip(n) : n.toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    /** The subject alternative names of a certificate (DNS names and IP addresses), normalised. */
    static Set<String> subjectAltNames(X509Certificate cert) throws GeneralSecurityException {
        List<String> names = new ArrayList<>();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if (type == GeneralName.dNSName || type == GeneralName.iPAddress) {
                    names.add((String) san.get(1));
                }
            }
        }
        return normalise(names);
    }

    static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static boolean serverFits(Path dir, X509Certificate ca, Set<String> wanted) {
        Path cert = dir.resolve(SERVER_CERT);
        if (!Files.isRegularFile(cert) || !Files.isRegularFile(dir.resolve(SERVER_KEY))) {
            return false;
        }
        try {
            X509Certificate server = readCertificate(cert);
            server.verify(ca.getPublicKey());
            return subjectAltNames(server).equals(wanted)
                    && server.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return false;  // unreadable, another CA's or damaged: a new one replaces it
        }
    }

    private record Issuer(X509Certificate certificate, PrivateKey key) {
    }

    private static Issuer readCa(Path dir) throws IOException, GeneralSecurityException {
        Path keyFile = dir.resolve(CA_KEY);
        X509Certificate cert;
        try {
            cert = readCertificate(dir.resolve(CA_CERT));
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(dir.resolve(CA_CERT) + " is not a PEM certificate (" + e.getMessage()
                    + "); remove " + CA_CERT + " and " + CA_KEY + " to make a new CA", e);
        }
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(keyFile, StandardCharsets.US_ASCII)))) {
            Object object = parser.readObject();
            if (!(object instanceof PrivateKeyInfo info)) {
                throw new GeneralSecurityException(keyFile + " holds no PKCS#8 private key; remove " + CA_CERT
                        + " and " + CA_KEY + " to make a new CA");
            }
            return new Issuer(cert, new JcaPEMKeyConverter().getPrivateKey(info));
        }
    }

    private static Issuer newCa(Path dir) throws IOException, GeneralSecurityException, OperatorCreationException {
        KeyPair pair = ecKeyPair();
        // a random suffix: two state folders' CAs never share a name, so neither vouches for the other's server
        X500Name name = new X500Name("CN=spotsh registry CA " + HexFormat.of().formatHex(randomBytes(6)) + ",O=spotsh");
        Instant now = Instant.now();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(CA_LIFETIME)), name, pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        X509Certificate cert = sign(builder, pair.getPrivate());
        writeKey(dir.resolve(CA_KEY), pair.getPrivate());
        writePublic(dir.resolve(CA_CERT), pem(cert));
        return new Issuer(cert, pair.getPrivate());
    }

    private static void newServer(Path dir, Issuer ca, Set<String> names)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        KeyPair pair = ecKeyPair();
        List<GeneralName> sans = new ArrayList<>();
        for (String name : names) {
            sans.add(new GeneralName(isIpLiteral(name) ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        Instant now = Instant.now();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(SERVER_LIFETIME)),
                new X500Name("CN=spotsh registry,O=spotsh"), pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()))
                .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca.certificate()));
        X509Certificate cert = sign(builder, ca.key());
        // key before certificate: a crash in between leaves a pair that does not verify, which the next start remakes
        writeKey(dir.resolve(SERVER_KEY), pair.getPrivate());
        writePublic(dir.resolve(SERVER_CERT), pem(cert));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(1, randomBytes(16));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    /** A private key as PKCS#8 PEM, in a file that is 0600 from its creation on and replaces the old one whole. */
    private static void writeKey(Path file, PrivateKey key) throws IOException {
        write(file, pem(new JcaPKCS8Generator(key, null)), "rw-------");
    }

    private static void writePublic(Path file, String text) throws IOException {
        write(file, text, "rw-r--r--");
    }

    private static void write(Path file, String text, String mode) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** An IPv4 dotted quad or anything with a colon (IPv6); anything else is a DNS name, never looked up. */
    static boolean isIpLiteral(String s) {
        return s.matches("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)")
                || s.contains(":");
    }

    private static String ip(String literal) {
        try {
            return InetAddress.getByName(literal).getHostAddress();  // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not an IP address", e);
        }
    }

    @Override
    public String toString() {
        return "registry TLS in " + dir + " for " + String.join(", ", new LinkedHashSet<>(names));
    }
}
