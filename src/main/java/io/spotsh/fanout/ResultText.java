package io.spotsh.fanout;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The text forms of a {@link RunResult}: table rows, CSV, the summary line and the failure list of check(). */
final class ResultText {
    private static final String[] CSV_COLUMNS = {"node", "host", "port", "status", "exit_status", "signal", "phase",
            "seconds", "bytes", "mb_per_s", "stdout_bytes", "stderr_bytes", "cause", "error", "stderr_last_line"};
    private static final int STDERR_TAIL_LINES = 3;

    private ResultText() {
    }

    static List<Map<String, Object>> rows(RunResult result) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (NodeResult r : result) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node", r.getName());
            row.put("host", r.getHost());
            row.put("status", r.getStatus());
            if (result.getKind() == RunResult.Kind.TRANSFER) {
                row.put("bytes", r.getBytes());
                row.put("seconds", r.getSeconds());
                row.put("MB/s", r.getMegabytesPerSecond());
                row.put("phase", r.getPhase() == null ? "" : r.getPhase().label());
                row.put("error", r.getError() == null ? "" : r.getError());
            } else {
                row.put("seconds", r.getSeconds());
                row.put("phase", r.getPhase() == null ? "" : r.getPhase().label());
                // a cancelled node's stderr column is what the node wrote; the cancel is said once, under the table
                row.put("stderr", r.getPhase() == FailureStage.CANCELLED ? NodeResult.lastLine(r.getStderr()) : r.getLastStderrLine());
            }
            rows.add(row);
        }
        return rows;
    }

    static String csv(RunResult result) {
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader(CSV_COLUMNS).get())) {
            for (NodeResult r : result) {
                csv.printRecord(r.getName(), r.getHost(), r.getTarget().port(), r.getStatus(), r.getExitStatus(),
                        r.getSignal(), r.getPhase() == null ? "" : r.getPhase().label(),
                        String.format("%.3f", r.getSeconds()), r.getBytes(),
                        String.format("%.2f", r.getMegabytesPerSecond()), r.getStdoutBytes(), r.getStderrBytes(),
                        r.getCause(), r.getError(), NodeResult.lastLine(r.getStderr()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String summary(RunResult result) {
        if (result.isCancelled()) {
            return cancelled(result);
        }
        List<NodeResult> failed = result.getFailed();
        StringBuilder s = new StringBuilder(result.getOperation()).append(" — ").append(result.size())
                .append(result.size() == 1 ? " node: " : " nodes: ").append(result.size() - failed.size()).append(" ok");
        if (!failed.isEmpty()) {
            s.append(", ").append(failed.size()).append(" failed (");
            causes(failed).forEach((cause, n) -> s.append(cause).append(" ×").append(n).append(", "));
            s.setLength(s.length() - 2);
            s.append(')');
        }
        s.append(String.format(" in %.2f s", result.getDuration().toNanos() / 1e9));
        if (result.getKind() == RunResult.Kind.TRANSFER) {
            s.append(String.format(", %d bytes, %.1f MB/s", result.getTotalBytes(), result.getMegabytesPerSecond()));
        }
        return s.toString();
    }

    /** Failed nodes counted by phase and cause, {@code connect: connection refused} → 2, most frequent first. */
    static Map<String, Integer> causes(List<NodeResult> failed) {
        Map<String, Integer> counts = new TreeMap<>();
        failed.forEach(r -> counts.merge(r.getPhase().label() + ": " + r.getCause(), 1, Integer::sum));
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /**
     * A cancelled fan-out, said once: {@code run: sleep 60 — cancelled after 3.20 s: 20 nodes stopped, 2 had finished
     * (2 ok)}.
     */
    private static String cancelled(RunResult result) {
        long stopped = result.getResults().stream().filter(r -> r.getPhase() == FailureStage.CANCELLED).count();
        List<NodeResult> finished = result.getResults().stream().filter(r -> r.getPhase() != FailureStage.CANCELLED).toList();
        StringBuilder s = new StringBuilder(result.getOperation()).append(" — cancelled after ")
                .append(String.format("%.2f s: ", result.getDuration().toNanos() / 1e9))
                .append(stopped).append(stopped == 1 ? " node stopped" : " nodes stopped");
        if (!finished.isEmpty()) {
            long ok = finished.stream().filter(NodeResult::isOk).count();
            s.append(", ").append(finished.size()).append(" had finished (").append(ok).append(" ok");
            if (ok < finished.size()) {
                s.append(", ").append(finished.size() - ok).append(" failed");
            }
            s.append(')');
        }
        return s.toString();
    }

    /** Every failed node: name, host, status, phase, reason and the last lines of stderr. */
    static String failures(RunResult result) {
        List<NodeResult> failed = result.getFailed();
        StringBuilder s = new StringBuilder().append(failed.size()).append(" of ").append(result.size())
                .append(" nodes failed: ").append(result.getOperation());
        for (NodeResult r : failed) {
            s.append("\n  ").append(r.getTarget().describe()).append(": ").append(r.getStatus())
                    .append(" [").append(r.getPhase().label())
                    .append(r.getCause().equals(r.getStatus()) ? "" : ": " + r.getCause()).append("]");
            if (r.getError() != null) {
                s.append(" ").append(r.getError());
            }
            for (String line : tail(r.getStderr(), STDERR_TAIL_LINES)) {
                s.append("\n      ").append(line);
            }
        }
        return s.toString();
    }

    private static List<String> tail(String text, int lines) {
        String[] all = text.stripTrailing().split("\n");
        if (all.length == 1 && all[0].isBlank()) {
            return List.of();
        }
        return List.of(all).subList(Math.max(0, all.length - lines), all.length);
    }
}
