package io.spotsh.ycsb;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;

/**
 * YCSB's {@code cassandra-cql} binding on the Apache Cassandra Java driver 4: the table YCSB's README creates
 * ({@code y_id varchar PRIMARY KEY, field0..fieldN varchar}), one driver session shared by all YCSB threads
 * (opened by the first {@link #init}, closed by the last {@link #cleanup}), a prepared statement per operation
 * and field set.
 *
 * <p>Properties, as YCSB's own {@code cassandra-cql} binding has them: {@code hosts} (required), {@code port}
 * (9042), {@code cassandra.keyspace} ({@code ycsb}), {@code cassandra.readconsistencylevel} and
 * {@code cassandra.writeconsistencylevel} ({@code QUORUM}), {@code cassandra.username} and
 * {@code cassandra.password}; and for driver 4 {@code cassandra.localdatacenter} (see {@link Sessions}).
 */
public class CqlClient extends DB {
    static final String KEY = "y_id";
    static final String KEYSPACE = "cassandra.keyspace";
    static final String READ_CL = "cassandra.readconsistencylevel";
    static final String WRITE_CL = "cassandra.writeconsistencylevel";

    private static final Object LOCK = new Object();
    private static int users;
    private static CqlSession session;
    private static ConsistencyLevel readLevel;
    private static ConsistencyLevel writeLevel;
    private static final Map<String, PreparedStatement> PREPARED = new ConcurrentHashMap<>();

    @Override
    public void init() throws DBException {
        synchronized (LOCK) {
            users++;
            if (session != null) {
                return;
            }
            Properties p = getProperties();
            try {
                readLevel = level(p, READ_CL);
                writeLevel = level(p, WRITE_CL);
                session = Sessions.open(p, p.getProperty(KEYSPACE, "ycsb"));
            } catch (RuntimeException e) {
                users--;
                throw new DBException("cassandra-cql: cannot connect to " + p.getProperty(Sessions.HOSTS) + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void cleanup() throws DBException {
        synchronized (LOCK) {
            if (--users == 0 && session != null) {
                session.close();
                session = null;
                PREPARED.clear();
            }
        }
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        try {
            PreparedStatement ps = prepare("read", table, fields, () -> "SELECT " + columns(fields) + " FROM " + table
                    + " WHERE " + KEY + " = ? LIMIT 1");
            Row row = session.execute(ps.bind(key).setConsistencyLevel(readLevel)).one();
            if (row == null) {
                return Status.NOT_FOUND;
            }
            copy(row, result);
            return Status.OK;
        } catch (RuntimeException e) {
            return error("read", key, e);
        }
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
                       Vector<HashMap<String, ByteIterator>> result) {
        try {
            // CQL has no key order to scan in; YCSB's binding scans in token order from the start key's token
            PreparedStatement ps = prepare("scan", table, fields, () -> "SELECT " + columns(fields) + " FROM " + table
                    + " WHERE token(" + KEY + ") >= token(?) LIMIT ?");
            ResultSet rs = session.execute(ps.bind(startkey, recordcount).setConsistencyLevel(readLevel));
            for (Row row : rs) {
                HashMap<String, ByteIterator> tuple = new HashMap<>();
                copy(row, tuple);
                result.add(tuple);
            }
            return Status.OK;
        } catch (RuntimeException e) {
            return error("scan", startkey, e);
        }
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        try {
            List<String> names = new ArrayList<>(new TreeSet<>(values.keySet()));
            PreparedStatement ps = prepare("update", table, names, () -> {
                List<String> sets = new ArrayList<>();
                names.forEach(n -> sets.add(n + " = ?"));
                return "UPDATE " + table + " SET " + String.join(", ", sets) + " WHERE " + KEY + " = ?";
            });
            Object[] bound = new Object[names.size() + 1];
            for (int i = 0; i < names.size(); i++) {
                bound[i] = values.get(names.get(i)).toString();
            }
            bound[names.size()] = key;
            session.execute(ps.bind(bound).setConsistencyLevel(writeLevel));
            return Status.OK;
        } catch (RuntimeException e) {
            return error("update", key, e);
        }
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        try {
            List<String> names = new ArrayList<>(new TreeSet<>(values.keySet()));
            PreparedStatement ps = prepare("insert", table, names, () -> "INSERT INTO " + table + " (" + KEY
                    + (names.isEmpty() ? "" : ", " + String.join(", ", names)) + ") VALUES (?"
                    + ", ?".repeat(names.size()) + ")");
            Object[] bound = new Object[names.size() + 1];
            bound[0] = key;
            for (int i = 0; i < names.size(); i++) {
                bound[i + 1] = values.get(names.get(i)).toString();
            }
            session.execute(ps.bind(bound).setConsistencyLevel(writeLevel));
            return Status.OK;
        } catch (RuntimeException e) {
            return error("insert", key, e);
        }
    }

    @Override
    public Status delete(String table, String key) {
        try {
            PreparedStatement ps = prepare("delete", table, null, () -> "DELETE FROM " + table + " WHERE " + KEY + " = ?");
            session.execute(ps.bind(key).setConsistencyLevel(writeLevel));
            return Status.OK;
        } catch (RuntimeException e) {
            return error("delete", key, e);
        }
    }

    private interface Cql {
        String text();
    }

    /** One statement per operation, table and field set, prepared by the first thread that needs it. */
    private static PreparedStatement prepare(String op, String table, java.util.Collection<String> fields, Cql cql) {
        String id = op + " " + table + " " + (fields == null ? "*" : new TreeSet<>(fields));
        return PREPARED.computeIfAbsent(id, k -> session.prepare(cql.text()));
    }

    private static String columns(Set<String> fields) {
        return fields == null ? "*" : String.join(", ", new TreeSet<>(fields));
    }

    private static void copy(Row row, Map<String, ByteIterator> into) {
        int i = 0;
        for (ColumnDefinition column : row.getColumnDefinitions()) {
            ByteBuffer value = row.getBytesUnsafe(i++);
            if (value == null) {
                into.put(column.getName().asInternal(), null);
            } else {
                byte[] bytes = new byte[value.remaining()];
                value.duplicate().get(bytes);
                into.put(column.getName().asInternal(), new ByteArrayByteIterator(bytes));
            }
        }
    }

    private static ConsistencyLevel level(Properties p, String name) {
        String v = p.getProperty(name, "QUORUM").strip().toUpperCase(Locale.ROOT);
        try {
            return DefaultConsistencyLevel.valueOf(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("property " + name + " must be a consistency level (ONE, QUORUM, ALL, ...), was '"
                    + p.getProperty(name) + "'");
        }
    }

    private static Status error(String op, String key, RuntimeException e) {
        // YCSB counts the status; the first lines tell why without flooding stderr at full load
        if (ERRORS_SHOWN.incrementAndGet() <= 10) {
            System.err.println("cassandra-cql: " + op + " " + key + ": " + e);
        }
        return Status.ERROR;
    }

    private static final java.util.concurrent.atomic.AtomicInteger ERRORS_SHOWN = new java.util.concurrent.atomic.AtomicInteger();
}
