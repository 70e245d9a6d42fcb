package io.spotsh.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * How nodes check the registry when they phone home: libpq's {@code sslmode} and the CA certificate(s) they verify
 * the server with, as PEM text sent in userdata; plus, when nodes would not check the server's name, a warning for
 * the operator saying why.
 *
 * <pre>{@code
 * NodeTls.embedded(server.tls())                       // verify-full with the state folder's CA
 * NodeTls.external("jdbc:postgresql://db:5432/spotsh?sslmode=verify-full&sslrootcert=/etc/db-ca.pem")
 * }</pre>
 *
 * @param sslMode the libpq sslmode nodes use; null leaves libpq's default (prefer)
 * @param caPem   the certificates nodes trust for the registry, PEM; null when they get none
 * @param warning what the operator should know (plain text, no name check), or null when nodes verify in full
 */
public record NodeTls(String sslMode, String caPem, String warning) {
    private static final List<String> MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /**
     * The embedded server, which nodes reach at {@code advertisedHost}. Its certificate names the address nodes are
     * told to dial (see {@code EmbeddedServer.tlsNames()}), so they check both CA and name: verify-full. Only a server
     * another spotsh process started with other listen settings may lack the name; until it restarts, nodes can
     * check its CA only (verify-ca), and the operator is told so.
     */
    static NodeTls embedded(RegistryTls tls, String advertisedHost) {
        if (RegistryTls.normalise(List.of(advertisedHost)).stream().allMatch(tls.names()::contains)) {
            return new NodeTls("verify-full", tls.caPem(), null);
        }
        return new NodeTls("verify-ca", tls.caPem(), "the running registry's certificate names "
                + String.join(", ", tls.names()) + " but nodes dial " + advertisedHost + " (another spotsh process"
                + " started the server with other listen settings): nodes check its CA but not its name"
                + " (sslmode=verify-ca) until it restarts ('spotsh registry stop', then any spotsh starts it)");
    }

    /**
     * An external server: nodes get the operator's own choice, the {@code sslmode} and {@code sslrootcert} of the JDBC
     * URL (pgjdbc's {@code ssl=true} alone means verify-full). The root certificate file is read here, on the
     * operator's machine, and its certificates go to the nodes. Throws {@link IllegalArgumentException} naming the
     * parameter or file it cannot use.
     */
    static NodeTls external(String jdbcUrl) {
        String query = jdbcUrl.indexOf('?') < 0 ? "" : jdbcUrl.substring(jdbcUrl.indexOf('?') + 1);
        String mode = Endpoint.param(query, "sslmode");
        if (mode == null && "true".equalsIgnoreCase(Endpoint.param(query, "ssl"))) {
            mode = "verify-full";
        }
        if (mode != null) {
            mode = mode.toLowerCase(Locale.ROOT);
            if (!MODES.contains(mode)) {
                throw new IllegalArgumentException("registry URL: sslmode=" + mode + " is not one of "
                        + String.join(", ", MODES));
            }
        }
        String rootCert = Endpoint.param(query, "sslrootcert");
        String caPem = rootCert == null || rootCert.isBlank() ? null : readCertificates(Path.of(rootCert));
        return new NodeTls(mode, caPem, warning(mode, caPem));
    }

    private static String warning(String mode, String caPem) {
        String shown = mode == null ? "no sslmode" : "sslmode=" + mode;
        String fix = "; give the registry URL sslmode=verify-full&sslrootcert=<the server's CA certificate>";
        if (mode == null || mode.equals("disable") || mode.equals("allow") || mode.equals("prefer")) {
            return "the registry URL has " + shown + ": nodes may phone home in plain text and never check the server,"
                    + " so whoever sits between them and the registry can rewrite the SSH host keys spotsh pins" + fix;
        }
        if (mode.equals("require")) {
            return "the registry URL has sslmode=require: nodes encrypt but " + (caPem == null
                    ? "do not check the registry's certificate, so a machine in between can pose as the registry" + fix
                    : "check only that the registry's certificate comes from the sslrootcert CA, not its name");
        }
        if (mode.equals("verify-ca")) {
            // the operator chose it, e.g. for a server reached by an address its certificate does not name
            return "the registry URL has sslmode=verify-ca: nodes check that the registry's certificate comes from its"
                    + " CA but not that it names the address they dial (sslmode=verify-full would)";
        }
        return null;
    }

    /** Every certificate in a PEM or DER file, as PEM: what libpq on the node reads. */
    private static String readCertificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("registry URL: sslrootcert=" + file + " holds no certificate");
            }
            StringBuilder pem = new StringBuilder();
            for (Certificate cert : certs) {
                pem.append(RegistryTls.pem(cert));
            }
            return pem.toString();
        } catch (IOException e) {
            throw new IllegalArgumentException("registry URL: cannot read sslrootcert=" + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("registry URL: sslrootcert=" + file + " is not a certificate file"
                    + " (PEM or DER): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "NodeTls[sslmode=" + sslMode + (caPem == null ? ", no CA" : ", with CA") + "]";
    }
}
