package io.spotsh.report;

import io.spotsh.common.BadInput;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code --fail-on} threshold on a comparison's change: {@code 'throughput < -5%'},
 * {@code 'READ.p99_latency > 10%'}. The metric matches every operation's, or one operation's when it is written
 * {@code OPERATION.metric}. A row matches when its change passes the bound, noise or not: cron asks for a line.
 */
public record FailOn(String operation, String metric, boolean below, double percent, String text) {
    private static final Pattern FORM =
            Pattern.compile("\\s*(?:([A-Za-z0-9_-]+)\\.)?([A-Za-z0-9_]+)\\s*([<>])\\s*([+-]?\\d+(?:\\.\\d+)?)\\s*%\\s*");

    public static FailOn parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new BadInput("--fail-on '" + text + "': expected METRIC < N% or METRIC > N%, optionally"
                    + " OPERATION.METRIC, e.g. 'throughput < -5%' or 'READ.p99_latency > 10%'");
        }
        return new FailOn(m.group(1), m.group(2), m.group(3).equals("<"), Double.parseDouble(m.group(4)), text.strip());
    }

    public boolean matches(Comparison.Row row) {
        if (row.changePct() == null || !row.metric().equals(metric)
                || (operation != null && !row.operation().equalsIgnoreCase(operation))) {
            return false;
        }
        return below ? row.changePct() < percent : row.changePct() > percent;
    }

    /** The rows any of the thresholds match, in the comparison's order. */
    public static List<Comparison.Row> offending(List<FailOn> thresholds, List<Comparison.Row> rows) {
        return rows.stream().filter(r -> thresholds.stream().anyMatch(t -> t.matches(r))).toList();
    }
}
