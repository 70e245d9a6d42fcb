package io.spotsh.registry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationsTest {
    private static TestRegistry fixture;
    private static Endpoint endpoint;

    @BeforeAll
    static void start() {
        fixture = TestRegistry.start();
        endpoint = new EmbeddedServer(fixture.settings).start();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /** A fresh database on the test's server, so each case starts from an empty schema. */
    private static Endpoint newDatabase(String name) throws Exception {
        try (Connection c = fixture.connectAsOperator(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return Endpoint.local(endpoint.host(), endpoint.port(), name, endpoint.user(), endpoint.password());
    }

    private static Connection connect(Endpoint e) throws Exception {
        return DriverManager.getConnection(e.jdbcUrl(), e.connectionProperties());
    }

    private static List<Integer> appliedVersions(Connection c) throws Exception {
        List<Integer> versions = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM spotsh.schema_migrations ORDER BY version")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }

    private static List<Integer> shippedVersions() {
        return Migrations.fromClasspath().list().stream().map(Migrations.Migration::version).toList();
    }

    @Test
    void applyingTwiceAppliesOnce() throws Exception {
        try (Connection c = fixture.connectAsOperator()) {
            assertEquals(0, Migrations.fromClasspath().apply(c, "test"), "Registry.open already migrated");
            assertEquals(0, Migrations.fromClasspath().apply(c, "test"));
            assertEquals(shippedVersions(), appliedVersions(c));
        }
    }

    @Test
    void twoProcessesMigratingAtOnceApplyEachMigrationOnce() throws Exception {
        Endpoint db = newDatabase("concurrent_migration");
        CyclicBarrier together = new CyclicBarrier(2);
        Callable<Integer> migrate = () -> {
            try (Connection c = connect(db)) {
                together.await();
                return Migrations.fromClasspath().apply(c, "test");
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = pool.invokeAll(List.of(migrate, migrate));
            assertEquals(shippedVersions().size(), runs.get(0).get() + runs.get(1).get());
        } finally {
            pool.shutdown();
        }
        try (Connection c = connect(db)) {
            assertEquals(shippedVersions(), appliedVersions(c));
        }
    }

    @Test
    void aChangedMigrationIsAClearError() throws Exception {
        List<Migrations.Migration> edited = new ArrayList<>(Migrations.fromClasspath().list());
        Migrations.Migration first = edited.get(0);
        edited.set(0, Migrations.migration(first.file(), first.sql() + "\n-- an edit after release\n"));
        try (Connection c = fixture.connectAsOperator()) {
            MigrationException e = assertThrows(MigrationException.class, () -> new Migrations(edited).apply(c, "here"));
            assertTrue(e.getMessage().contains("V001__registry.sql was changed after it was applied"), e.getMessage());
        }
    }

    @Test
    void aSchemaFromANewerSpotshIsAClearError() throws Exception {
        List<Migrations.Migration> older = Migrations.fromClasspath().list().subList(0, 1);
        try (Connection c = fixture.connectAsOperator()) {
            MigrationException e = assertThrows(MigrationException.class, () -> new Migrations(older).apply(c, "here"));
            assertTrue(e.getMessage().contains("a newer spotsh updated it"), e.getMessage());
        }
    }

    @Test
    void aFailingMigrationLeavesNothingBehind() throws Exception {
        Endpoint db = newDatabase("failing_migration");
        List<Migrations.Migration> list = new ArrayList<>(Migrations.fromClasspath().list());
        list.add(Migrations.migration("V900__broken.sql", "CREATE TABLE spotsh.half (x int);\nSELECT no_such_function();"));
        try (Connection c = connect(db)) {
            MigrationException e = assertThrows(MigrationException.class, () -> new Migrations(list).apply(c, "here"));
            assertTrue(e.getMessage().contains("V900__broken.sql failed"), e.getMessage());
            assertEquals(shippedVersions(), appliedVersions(c));
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT to_regclass('spotsh.half') IS NOT NULL")) {
                rs.next();
                assertFalse(rs.getBoolean(1), "the broken migration's table was rolled back");
            }
        }
    }
}
