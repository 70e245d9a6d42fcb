package io.spotsh.common;

import java.util.List;
import java.util.Map;

/** Something the shell prints as a table: its rows, one map of column to value each, then a line saying what they are. */
public interface Tabular {
    List<Map<String, Object>> rows();

    /** The line under the table (e.g. a fan-out's summary), or null for the row count. */
    default String caption(int rows) {
        return null;
    }
}
