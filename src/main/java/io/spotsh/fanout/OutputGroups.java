package io.spotsh.fanout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Output grouped by identical text, as ClusterShell's {@code clubak -b} prints it: one header per group naming its
 * nodes as a folded set, then the shared output once.
 * <pre>
 * ---- data-[1-3,5] (4) ----
 * Linux 6.1.0-18-amd64
 * ---- data-4 (1) ----
 * [stderr] uname: not found
 * </pre>
 */
final class OutputGroups {
    private OutputGroups() {
    }

    static String render(List<NodeResult> results) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (NodeResult r : results) {
            groups.computeIfAbsent(body(r), k -> new ArrayList<>()).add(r.getName());
        }
        StringBuilder out = new StringBuilder();
        groups.forEach((body, names) -> {
            out.append("---- ").append(NameRanges.fold(names)).append(" (").append(names.size()).append(") ----\n");
            out.append(body);
        });
        return out.toString();
    }

    /** stdout, then stderr lines marked, then a failure line: everything that makes two nodes differ. */
    private static String body(NodeResult r) {
        StringBuilder body = new StringBuilder();
        appendLines(body, r.getStdout(), "");
        appendLines(body, r.getStderr(), "[stderr] ");
        if (!r.isOk()) {
            body.append("[").append(r.getStatus()).append("]");
            if (r.getError() != null) {
                body.append(" ").append(r.getError());
            }
            body.append('\n');
        }
        return body.toString();
    }

    private static void appendLines(StringBuilder body, String text, String mark) {
        if (text.isEmpty()) {
            return;
        }
        for (String line : text.split("\n", -1)) {
            body.append(mark).append(line).append('\n');
        }
        if (text.endsWith("\n")) {
            body.setLength(body.length() - 1 - mark.length());
        }
    }
}
