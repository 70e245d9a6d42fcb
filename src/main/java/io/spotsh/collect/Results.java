package io.spotsh.collect;

import io.spotsh.common.Help;
import io.spotsh.common.Tabular;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code cluster.collect()} brought back: the run's folder ({@code results/<test>/<run>/<role>-<n>/}), its
 * archive, {@code summary.csv}, and the nodes nothing came back from. Printed as the aggregated summary rows.
 */
@Help("collected results: dir, archive, summaryCsv, summary (rows), missing")
public record Results(String test, String run, Path dir, Path archive, Path summaryCsv, Summary summary,
                      List<String> collected, Map<String, String> missing) implements Tabular {

    public Path getDir() {
        return dir;
    }

    public Path getArchive() {
        return archive;
    }

    public Path getSummaryCsv() {
        return summaryCsv;
    }

    /** Every row of summary.csv (node rows, the aggregated ones, the cost ones), as maps. */
    public List<Map<String, Object>> getSummary() {
        List<Map<String, Object>> rows = new ArrayList<>();
        summary.rows().forEach(r -> rows.add(row(r)));
        return rows;
    }

    public Map<String, String> getMissing() {
        return missing;
    }

    /** The aggregated rows and the cost rows: what a run did, per phase and operation, and what it cost. */
    @Override
    public List<Map<String, Object>> rows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        summary.aggregated().forEach(r -> rows.add(row(r)));
        summary.costRows().forEach(r -> rows.add(row(r)));
        return rows;
    }

    private static Map<String, Object> row(Summary.Row r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("phase", r.phase());
        row.put("node", r.node());
        row.put("operation", r.metric().operation());
        row.put("metric", r.metric().metric());
        row.put("value", Summary.format(r.metric().value()));
        row.put("unit", r.metric().unit());
        row.put("aggregate", r.aggregate());
        return row;
    }

    @Override
    public String caption(int rows) {
        return toString();
    }

    @Override
    public String toString() {
        return "results of " + test + " run " + run + " in " + dir + " (" + collected.size() + " nodes"
                + (missing.isEmpty() ? "" : ", nothing from " + missing.keySet()) + "; summary " + summaryCsv
                + ", archive " + archive + ")";
    }
}
