package io.spotsh.registry;

import java.util.Objects;

/**
 * The libpq URI a test's nodes phone home with, {@code postgresql://ROLE:PASSWORD@HOST:PORT/DB?sslmode=verify-full}:
 * what userdata hands to {@code phone-home.sh} as {@code SPOTSH_REGISTRY_URL}, with the CA certificate nodes check
 * the registry's certificate against ({@link #caCertificate()}, which userdata writes to a file on the node). It
 * carries the test's registration password, so {@link #toString()} masks it; {@link #uri()} reveals it.
 */
public final class RegistrationUrl {
    private final String user;
    private final String password;
    private final String host;
    private final int port;
    private final String database;
    private final NodeTls tls;

    RegistrationUrl(String user, String password, String host, int port, String database, NodeTls tls) {
        this.user = Objects.requireNonNull(user);
        this.password = Objects.requireNonNull(password);
        this.host = Objects.requireNonNull(host);
        this.port = port;
        this.database = Objects.requireNonNull(database);
        this.tls = tls == null ? new NodeTls(null, null, null) : tls;
    }

    /** The full URI with the password, for the node's environment only: never log or print it. */
    public String uri() {
        return format(password);
    }

    String password() {
        return password;
    }

    /** The test's registration role. */
    public String user() {
        return user;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    /** The sslmode in {@link #uri()}: {@code verify-full} for the embedded registry; null when the URI has none. */
    public String sslMode() {
        return tls.sslMode();
    }

    /** The CA certificate(s) nodes verify the registry with, PEM; null when there are none to send. */
    public String caCertificate() {
        return tls.caPem();
    }

    private String format(String secret) {
        return "postgresql://" + user + ":" + secret + "@" + Endpoint.hostForUrl(host) + ":" + port + "/" + database
                + (tls.sslMode() == null ? "" : "?sslmode=" + tls.sslMode());
    }

    /** The URI with {@code ***} for the password. */
    @Override
    public String toString() {
        return format("***");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegistrationUrl other && uri().equals(other.uri());
    }

    @Override
    public int hashCode() {
        return uri().hashCode();
    }
}
