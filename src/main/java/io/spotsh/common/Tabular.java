package io.spotsh.common;

import java.util.List;
import java.util.Map;

/** Something the shell prints as a table: its rows, one map of column to value each. */
public interface Tabular {
    List<Map<String, Object>> rows();
}
