package io.spotsh.registry;

import org.postgresql.util.PGobject;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Result sets as lists of ordered maps (what the shell prints as tables), and parameter binding. */
final class Rows {
    private Rows() {
    }

    /** Every row as a LinkedHashMap from column label to a plain Java value. */
    static List<Map<String, Object>> read(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int columns = meta.getColumnCount();
        String[] labels = new String[columns];
        for (int i = 0; i < columns; i++) {
            String label = meta.getColumnLabel(i + 1);
            // "select a.id, b.id": keep both columns
            labels[i] = Arrays.asList(labels).subList(0, i).contains(label) ? label + "_" + (i + 1) : label;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < columns; i++) {
                row.put(labels[i], value(rs, i + 1, meta.getColumnTypeName(i + 1)));
            }
            rows.add(row);
        }
        return rows;
    }

    private static Object value(ResultSet rs, int column, String typeName) throws SQLException {
        switch (typeName) {
            case "timestamptz":
                return rs.getObject(column, OffsetDateTime.class);
            case "timestamp":
                return rs.getObject(column, LocalDateTime.class);
            case "date":
                return rs.getObject(column, LocalDate.class);
            default:
                break;
        }
        Object value = rs.getObject(column);
        if (value instanceof PGobject pg) {
            return pg.getValue();  // json, jsonb, inet, interval...: their text form
        }
        if (value instanceof Array array) {
            return Arrays.asList((Object[]) array.getArray());
        }
        return value;
    }

    /** Binds parameters; Groovy strings become strings, Instants timestamps with time zone. */
    static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof CharSequence) {
                ps.setString(i + 1, p.toString());
            } else if (p instanceof Instant instant) {
                ps.setObject(i + 1, instant.atOffset(ZoneOffset.UTC));
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }
}
