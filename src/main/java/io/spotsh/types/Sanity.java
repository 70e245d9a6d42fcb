package io.spotsh.types;

import java.util.List;

/**
 * The outcome of a test type's sanity check.
 *
 * @param problems what is wrong, one line each naming the node ({@code data-3 (i-0abc): cluster_state:fail}); empty when sane
 * @param summary  one line on what was checked ({@code 6 data nodes, cluster_state:ok, 6 known nodes})
 */
public record Sanity(List<String> problems, String summary) {
    public Sanity {
        problems = List.copyOf(problems);
    }

    public static Sanity ok(String summary) {
        return new Sanity(List.of(), summary);
    }

    public boolean isOk() {
        return problems.isEmpty();
    }

    @Override
    public String toString() {
        return isOk() ? "sane: " + summary : "NOT sane: " + summary + "\n  " + String.join("\n  ", problems);
    }
}
