package io.spotsh.registry;

import io.spotsh.common.FileTree;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A real embedded registry in a temporary state directory, for one test class. The unpacked
 * PostgreSQL binaries are shared by every test of the JVM (unpacking takes a second or two)
 * and removed when it exits; {@link #close()} stops the server and deletes the state directory.
 */
final class TestRegistry implements AutoCloseable {
    private static final Path BINARIES = sharedBinaries();

    final Path stateDir;
    final RegistrySettings settings;
    final Registry registry;

    private TestRegistry(Path stateDir, RegistrySettings settings) {
        this.stateDir = stateDir;
        this.settings = settings;
        this.registry = Registry.open(settings);
    }

    static TestRegistry start() {
        return start(RegistrySettings.DEFAULT_MAX_CONNECTIONS);
    }

    static TestRegistry start(int maxConnections) {
        Path dir = newStateDir();
        return new TestRegistry(dir, settings(dir).withMaxConnections(maxConnections));
    }

    static Path newStateDir() {
        try {
            return Files.createTempDirectory("spotsh-registry-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RegistrySettings settings(Path stateDir) {
        return RegistrySettings.embedded(stateDir).withBinariesDir(BINARIES);
    }

    /** A connection of its own to the registry database, as the given role. */
    Connection connect(String user, String password) throws SQLException {
        Endpoint e = new EmbeddedServer(settings).start();
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return DriverManager.getConnection(e.jdbcUrl(), props);
    }

    /** A new superuser connection, independent of the registry's own. */
    Connection connectAsOperator() throws SQLException {
        Endpoint e = new EmbeddedServer(settings).start();
        return DriverManager.getConnection(e.jdbcUrl(), e.connectionProperties());
    }

    @Override
    public void close() {
        registry.close();
        new EmbeddedServer(settings).stop();
        delete(stateDir);
    }

    static void delete(Path dir) {
        try {
            FileTree.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Skips the calling test when psql is missing, except in CI, where that is a failure. */
    static void requirePsql() {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, "psql"));
        }
        if (!found) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("psql is not on PATH; CI must install a PostgreSQL client (Debian: postgresql-client)");
            }
            Assumptions.abort("psql is not on PATH: install a PostgreSQL client to run the phone-home tests");
        }
    }

    private static Path sharedBinaries() {
        try {
            Path dir = Files.createTempDirectory("spotsh-test-pgsql");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> FileTree.deleteQuietly(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
