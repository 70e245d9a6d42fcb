package io.spotsh.types.redis;

import java.util.LinkedHashMap;
import java.util.Map;

/** The reply to {@code CLUSTER INFO} ({@code cluster_state:ok}, {@code cluster_known_nodes:6}, ...), as read by redis-cli. */
record ClusterInfo(Map<String, String> fields) {

    static ClusterInfo parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("cluster_")) {
                fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return new ClusterInfo(fields);
    }

    /** Whether the text was a CLUSTER INFO reply at all (a node not in cluster mode answers with an error). */
    boolean isReply() {
        return fields.containsKey("cluster_state");
    }

    String state() {
        return fields.getOrDefault("cluster_state", "?");
    }

    int knownNodes() {
        return number("cluster_known_nodes");
    }

    int slotsFailing() {
        return number("cluster_slots_fail") + number("cluster_slots_pfail");
    }

    int slotsAssigned() {
        return number("cluster_slots_assigned");
    }

    private int number(String field) {
        try {
            return Integer.parseInt(fields.getOrDefault(field, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
