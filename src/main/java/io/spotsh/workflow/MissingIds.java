package io.spotsh.workflow;

import java.util.List;

/**
 * The instance ids of an await line, readable at 1000 nodes: up to {@value #FULL_UP_TO} ids in full, past that the
 * first {@value #SHOWN} and {@code and N more (nodes.missing() lists them all)}.
 */
final class MissingIds {
    static final int FULL_UP_TO = 20;
    static final int SHOWN = 10;

    private MissingIds() {
    }

    /** Where the never-reported ids are listed in full. */
    static final String MISSING_HINT = "nodes.missing() lists them all";

    /** {@code Missing Instances: i-1,i-2,...}, shortened past {@value #FULL_UP_TO} ids; {@code hint} says where all are. */
    static String line(String label, List<String> ids, String hint) {
        return label + ": " + shown(ids, hint);
    }

    /** The ids joined by commas, or the first {@value #SHOWN}, how many more and where to find them all. */
    static String shown(List<String> ids, String hint) {
        if (!shortened(ids)) {
            return String.join(",", ids);
        }
        return String.join(",", ids.subList(0, SHOWN)) + " and " + (ids.size() - SHOWN) + " more (" + hint + ")";
    }

    static boolean shortened(List<String> ids) {
        return ids.size() > FULL_UP_TO;
    }
}
