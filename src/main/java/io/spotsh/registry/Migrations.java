package io.spotsh.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings the registry schema up to date: the files listed in {@code sql/migrations.txt}, each
 * applied once, in its own transaction, and recorded in {@code spotsh.schema_migrations} with
 * its checksum. A session-level advisory lock makes two spotsh processes starting at once
 * take turns; the second finds nothing left to do.
 */
final class Migrations {
    /** "spotsh" in ASCII, then 1: the advisory lock key of the whole run. */
    static final long LOCK_KEY = 0x73706f7473680001L;
    private static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");

    /** One migration file. */
    record Migration(int version, String name, String file, String sql, String checksum) {
    }

    private final List<Migration> migrations;

    Migrations(List<Migration> migrations) {
        this.migrations = List.copyOf(migrations);
    }

    /** The migrations shipped in the jar (or on the test classpath) under {@code sql/}. */
    static Migrations fromClasspath() {
        List<Migration> list = new ArrayList<>();
        for (String line : resource("sql/migrations.txt").split("\n")) {
            String file = line.trim();
            if (!file.isEmpty() && !file.startsWith("#")) {
                list.add(migration(file, resource("sql/" + file)));
            }
        }
        return new Migrations(list);
    }

    static Migration migration(String file, String sql) {
        Matcher m = FILE_NAME.matcher(file);
        if (!m.matches()) {
            throw new MigrationException("migration file " + file + " is not named V<number>__<name>.sql");
        }
        return new Migration(Integer.parseInt(m.group(1)), m.group(2), file, sql, sha256(sql));
    }

    List<Migration> list() {
        return migrations;
    }

    /** Applies what is missing and returns how many migrations it applied (0 when up to date). */
    int apply(Connection c, String where) {
        try {
            c.setAutoCommit(true);
            if (pending(c, where) == 0) {
                return 0;  // the usual start: no lock taken
            }
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            }
            try {
                createLedger(c);
                int applied = 0;
                Map<Integer, String[]> done = applied(c);
                for (Migration m : migrations) {
                    if (!done.containsKey(m.version())) {
                        applyOne(c, m, where);
                        applied++;
                    }
                }
                return applied;
            } finally {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
                }
            }
        } catch (SQLException e) {
            throw new MigrationException("cannot migrate the registry schema on " + where + ": " + e.getMessage(), e);
        }
    }

    /** How many migrations are still to apply; checks those already applied against the files. */
    private int pending(Connection c, String where) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('spotsh.schema_migrations') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return migrations.size();
            }
        }
        Map<Integer, String[]> done = applied(c);
        for (Map.Entry<Integer, String[]> entry : done.entrySet()) {
            Migration m = migrations.stream().filter(x -> x.version() == entry.getKey()).findFirst()
                    .orElseThrow(() -> new MigrationException("the registry on " + where + " has migration "
                            + entry.getKey() + " (" + entry.getValue()[0] + ") applied, which this spotsh does"
                            + " not know: a newer spotsh updated it; upgrade this one"));
            if (!m.checksum().equals(entry.getValue()[1])) {
                throw new MigrationException("migration " + m.file() + " was changed after it was applied to the"
                        + " registry on " + where + " (checksum then " + entry.getValue()[1].substring(0, 12)
                        + "…, now " + m.checksum().substring(0, 12) + "…): restore the file and put the change"
                        + " into a new migration");
            }
        }
        return migrations.size() - done.size();
    }

    private static void createLedger(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS spotsh");
            st.execute("CREATE TABLE IF NOT EXISTS spotsh.schema_migrations ("
                    + " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
        }
    }

    /** version → {name, checksum} of every applied migration. */
    private static Map<Integer, String[]> applied(Connection c) throws SQLException {
        Map<Integer, String[]> done = new TreeMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, name, checksum FROM spotsh.schema_migrations")) {
            while (rs.next()) {
                done.put(rs.getInt(1), new String[] {rs.getString(2), rs.getString(3)});
            }
        }
        return done;
    }

    private static void applyOne(Connection c, Migration m, String where) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement();
             PreparedStatement record = c.prepareStatement(
                     "INSERT INTO spotsh.schema_migrations (version, name, checksum) VALUES (?, ?, ?)")) {
            st.execute(m.sql());
            record.setInt(1, m.version());
            record.setString(2, m.name());
            record.setString(3, m.checksum());
            record.executeUpdate();
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw new MigrationException("migration " + m.file() + " failed on " + where + " and was rolled back: "
                    + e.getMessage(), e);
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static String resource(String name) {
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new MigrationException("registry schema file " + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MigrationException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
