package io.spotsh.registry;

import java.util.Objects;

/**
 * The libpq URI a test's nodes phone home with, {@code postgresql://ROLE:PASSWORD@HOST:PORT/DB}:
 * what userdata hands to {@code phone-home.sh} as {@code SPOTSH_REGISTRY_URL}. It carries the
 * test's registration password, so {@link #toString()} masks it; {@link #uri()} reveals it.
 */
public final class RegistrationUrl {
    private final String user;
    private final String password;
    private final String host;
    private final int port;
    private final String database;

    RegistrationUrl(String user, String password, String host, int port, String database) {
        this.user = Objects.requireNonNull(user);
        this.password = Objects.requireNonNull(password);
        this.host = Objects.requireNonNull(host);
        this.port = port;
        this.database = Objects.requireNonNull(database);
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

    private String format(String secret) {
        return "postgresql://" + user + ":" + secret + "@" + Endpoint.hostForUrl(host) + ":" + port + "/" + database;
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
