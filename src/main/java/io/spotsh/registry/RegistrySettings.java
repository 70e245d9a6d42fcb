package io.spotsh.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the registry is and how an embedded one is run. Immutable; {@code with...} returns a copy.
 *
 * <pre>{@code
 * RegistrySettings.of(stateDir, System.getenv("SPOTSH_REGISTRY"))   // external when a URL is given
 *     .withListenAddress("0.0.0.0")                                // --registry-listen
 * }</pre>
 */
public final class RegistrySettings {
    /** PostgreSQL's own default; enough for hundreds of nodes thanks to phone-home's backoff. */
    public static final int DEFAULT_MAX_CONNECTIONS = 100;

    private final Path stateDir;
    private final String jdbcUrl;
    private final String listenAddress;
    private final String advertiseHost;
    private final int maxConnections;
    private final Path binariesDir;
    private final Duration startTimeout;

    private RegistrySettings(Path stateDir, String jdbcUrl, String listenAddress, String advertiseHost,
                             int maxConnections, Path binariesDir, Duration startTimeout) {
        if (maxConnections < 10) {
            throw new IllegalArgumentException("max_connections must be at least 10, not " + maxConnections);
        }
        this.stateDir = stateDir == null ? null : stateDir.toAbsolutePath().normalize();
        this.jdbcUrl = jdbcUrl;
        this.listenAddress = listenAddress;
        this.advertiseHost = advertiseHost;
        this.maxConnections = maxConnections;
        this.binariesDir = binariesDir;
        this.startTimeout = Objects.requireNonNull(startTimeout);
    }

    /** An embedded registry whose data lives in {@code <stateDir>/registry}. */
    public static RegistrySettings embedded(Path stateDir) {
        Objects.requireNonNull(stateDir, "stateDir");
        return new RegistrySettings(stateDir, null, null, null, DEFAULT_MAX_CONNECTIONS, null, Duration.ofSeconds(60));
    }

    /** An existing server, e.g. {@code jdbc:postgresql://host:5432/db?user=u&password=p} (or PGPASSWORD). */
    public static RegistrySettings external(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("registry URL must start with jdbc:postgresql://, got "
                    + Endpoint.maskPassword(String.valueOf(jdbcUrl)));
        }
        return new RegistrySettings(null, jdbcUrl, null, null, DEFAULT_MAX_CONNECTIONS, null, Duration.ofSeconds(60));
    }

    /** External when {@code jdbcUrl} is non-blank, else embedded under {@code stateDir}. */
    public static RegistrySettings of(Path stateDir, String jdbcUrl) {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            return embedded(stateDir);
        }
        RegistrySettings external = external(jdbcUrl.trim());
        return new RegistrySettings(stateDir, external.jdbcUrl, null, null, DEFAULT_MAX_CONNECTIONS, null,
                external.startTimeout);
    }

    /** Also listen on this address (an IP, or {@code 0.0.0.0} / {@code *} for all), so cloud nodes can phone home. */
    public RegistrySettings withListenAddress(String address) {
        return new RegistrySettings(stateDir, jdbcUrl, blankToNull(address), advertiseHost, maxConnections,
                binariesDir, startTimeout);
    }

    /** The host name or IP put into registration URLs; by default derived from the listen address. */
    public RegistrySettings withAdvertiseHost(String host) {
        return new RegistrySettings(stateDir, jdbcUrl, listenAddress, blankToNull(host), maxConnections,
                binariesDir, startTimeout);
    }

    /** The embedded server's max_connections (applied when this process starts the server). */
    public RegistrySettings withMaxConnections(int max) {
        return new RegistrySettings(stateDir, jdbcUrl, listenAddress, advertiseHost, max, binariesDir, startTimeout);
    }

    /** Where PostgreSQL's binaries are unpacked; {@code <stateDir>/pgsql} by default. Tests share one. */
    public RegistrySettings withBinariesDir(Path dir) {
        return new RegistrySettings(stateDir, jdbcUrl, listenAddress, advertiseHost, maxConnections, dir, startTimeout);
    }

    public RegistrySettings withStartTimeout(Duration timeout) {
        return new RegistrySettings(stateDir, jdbcUrl, listenAddress, advertiseHost, maxConnections, binariesDir,
                timeout);
    }

    public boolean isEmbedded() {
        return jdbcUrl == null;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The external server's JDBC URL (may hold a password: never print it), or null when embedded. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String listenAddress() {
        return listenAddress;
    }

    public String advertiseHost() {
        return advertiseHost;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public Path binariesDir() {
        if (binariesDir != null) {
            return binariesDir;
        }
        return stateDir.resolve("pgsql");
    }

    public Duration startTimeout() {
        return startTimeout;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public String toString() {
        return isEmbedded()
                ? "embedded registry in " + stateDir.resolve("registry")
                        + (listenAddress == null ? "" : " listening on " + listenAddress)
                : "registry " + Endpoint.maskPassword(jdbcUrl);
    }
}
