package io.spotsh.report;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plain-text tables for rows of named columns, as the shell prints registry rows and fan-out results:
 * <pre>
 * role  node_number  instance_id
 * ----  -----------  -------------------
 * data            1  i-0a1b2c3d4e5f60718
 * </pre>
 * Numbers are right-aligned; long cells are cut so one wide value does not wreck the layout.
 */
public final class Table {
    private static final int MAX_CELL = 60;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final List<String> columns;
    private final List<List<Object>> rows = new ArrayList<>();

    public Table(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    /** A table whose columns are the union of the rows' keys, in first-seen order. */
    public static Table of(Collection<? extends Map<?, ?>> rows) {
        Set<String> columns = new LinkedHashSet<>();
        for (Map<?, ?> row : rows) {
            for (Object key : row.keySet()) {
                columns.add(String.valueOf(key));
            }
        }
        Table table = new Table(new ArrayList<>(columns));
        for (Map<?, ?> row : rows) {
            List<Object> cells = new ArrayList<>();
            for (String column : columns) {
                cells.add(row.get(column));
            }
            table.rows.add(cells);
        }
        return table;
    }

    /** A two-column table of a map's entries. */
    public static Table ofEntries(Map<?, ?> map) {
        Table table = new Table(List.of("key", "value"));
        map.forEach((k, v) -> table.add(k, v));
        return table;
    }

    public Table add(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + columns.size() + " columns");
        }
        rows.add(List.of(cells).stream().map(c -> (Object) c).toList());
        return this;
    }

    public int size() {
        return rows.size();
    }

    public String render() {
        int n = columns.size();
        int[] width = new int[n];
        boolean[] numeric = new boolean[n];
        List<String[]> text = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            width[c] = columns.get(c).length();
            numeric[c] = !rows.isEmpty();
        }
        for (List<Object> row : rows) {
            String[] cells = new String[n];
            for (int c = 0; c < n; c++) {
                Object value = row.get(c);
                cells[c] = cell(value);
                width[c] = Math.max(width[c], cells[c].length());
                if (value != null && !(value instanceof Number)) {
                    numeric[c] = false;
                }
            }
            text.add(cells);
        }
        StringBuilder out = new StringBuilder();
        line(out, columns.toArray(new String[0]), width, new boolean[n]);
        String[] rule = new String[n];
        for (int c = 0; c < n; c++) {
            rule[c] = "-".repeat(width[c]);
        }
        line(out, rule, width, new boolean[n]);
        for (String[] cells : text) {
            line(out, cells, width, numeric);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String[] cells, int[] width, boolean[] right) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                line.append("  ");
            }
            String pad = " ".repeat(width[c] - cells[c].length());
            line.append(right[c] ? pad + cells[c] : cells[c] + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String s;
        if (value instanceof OffsetDateTime || value instanceof java.time.LocalDateTime) {
            s = TIME.format((TemporalAccessor) value);
        } else if (value instanceof java.sql.Timestamp) {
            s = TIME.format(((java.sql.Timestamp) value).toLocalDateTime());
        } else if (value instanceof Double || value instanceof Float) {
            s = String.format("%.3f", ((Number) value).doubleValue());
        } else {
            s = String.valueOf(value);
        }
        s = s.replace('\n', ' ').replace('\r', ' ');
        return s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 1) + "…" : s;
    }

    @Override
    public String toString() {
        return render();
    }
}
