package io.spotsh.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded server's configuration. spotsh owns {@code spotsh.conf} (included at the end of
 * postgresql.conf, so it wins) and {@code pg_hba.conf}, and rewrites both on every start from
 * the settings; the port, chosen once at initdb, is read back from spotsh.conf and kept.
 */
final class ServerConfig {
    private static final Pattern PORT = Pattern.compile("(?m)^port\\s*=\\s*(\\d+)");

    private ServerConfig() {
    }

    /** Right after initdb: hook spotsh.conf into postgresql.conf and record the port for good. */
    static void initialise(Path dataDir, int port) throws IOException {
        Files.writeString(dataDir.resolve("postgresql.conf"),
                "\n# spotsh's settings, rewritten on every start by spotsh\ninclude_if_exists = 'spotsh.conf'\n",
                StandardOpenOption.APPEND);
        Files.writeString(dataDir.resolve("spotsh.conf"), "port = " + port + "\n");
    }

    static int port(Path dataDir) {
        try {
            Matcher m = PORT.matcher(Files.readString(dataDir.resolve("spotsh.conf")));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            throw new RegistryServerException("no port in " + dataDir.resolve("spotsh.conf"));
        } catch (IOException e) {
            throw new RegistryServerException("cannot read the registry's port from " + dataDir.resolve("spotsh.conf")
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes spotsh.conf and pg_hba.conf. The server speaks TLS with {@code tls}'s certificate. The tests'
     * registration roles (members of spotsh_nodes) may log in over TLS only, loopback included: what they send
     * (an address, an SSH host key spotsh later trusts) must not be rewritable on the way. The superuser may log in
     * from loopback and the unix socket only, with or without TLS. With {@code remoteNodes} the node roles may also
     * log in from anywhere, by password (SCRAM) over TLS, to the spotsh database.
     */
    static void write(Path dataDir, int port, String listenAddresses, String socketDir, int maxConnections,
                      boolean remoteNodes, RegistryTls tls) throws IOException {
        String conf = String.join("\n",
                "# Written by spotsh on every start; put your own settings in postgresql.conf above the include.",
                "port = " + port,
                "listen_addresses = '" + listenAddresses + "'",
                "unix_socket_directories = '" + socketDir.replace("'", "''") + "'",
                "max_connections = " + maxConnections,
                // operators can always get in, even while hundreds of nodes fill every other slot
                "superuser_reserved_connections = 3",
                "password_encryption = 'scram-sha-256'",
                // every node's connection calls a PL/pgSQL function; loaded once in the postmaster,
                // each new backend inherits it instead of loading it again (~1 ms of CPU per node)
                "shared_preload_libraries = 'plpgsql'",
                "lc_messages = 'C'",
                "log_line_prefix = '%m [%p] %q%u@%d '",
                "ssl = on",
                "ssl_cert_file = '" + quote(tls.serverCertificate()) + "'",
                "ssl_key_file = '" + quote(tls.serverKey()) + "'",
                "ssl_min_protocol_version = 'TLSv1.2'",
                "");
        Files.writeString(dataDir.resolve("spotsh.conf"), conf);
        StringBuilder hba = new StringBuilder()
                .append("# Written by spotsh on every start. The first line that matches decides.\n")
                .append("# TYPE    DATABASE  USER           ADDRESS        METHOD\n")
                // node roles phone home over TCP with TLS, never in clear text, not even on loopback
                .append("local     all       +spotsh_nodes                 reject\n")
                .append("hostnossl all       +spotsh_nodes  all            reject\n")
                .append("local     all       all                          scram-sha-256\n")
                .append("host      all       all            127.0.0.0/8    scram-sha-256\n")
                .append("host      all       all            ::1/128        scram-sha-256\n");
        if (remoteNodes) {
            hba.append("hostssl   ").append(EmbeddedServer.DATABASE).append("    +spotsh_nodes  0.0.0.0/0      scram-sha-256\n")
                    .append("hostssl   ").append(EmbeddedServer.DATABASE).append("    +spotsh_nodes  ::/0           scram-sha-256\n");
        }
        Files.writeString(dataDir.resolve("pg_hba.conf"), hba.toString());
    }

    /** Whether spotsh.conf turns TLS on (a server started by an older spotsh does not). */
    static boolean sslOn(Path dataDir) {
        try {
            return Files.readString(dataDir.resolve("spotsh.conf")).lines().anyMatch(l -> l.strip().equals("ssl = on"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String quote(Path file) {
        return file.toAbsolutePath().toString().replace("'", "''");
    }

    /** The last lines of a log, for error messages. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "last lines of " + log + ":\n  "
                    + String.join("\n  ", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no server log at " + log + ")";
        }
    }
}
