package io.spotsh.types.cassandra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ring as {@code nodetool status} prints it: one line per node under each {@code Datacenter:} header, the
 * first column the node's status (U up, D down, ? unknown) and state (N normal, L leaving, J joining, M moving),
 * the second its address, then its share of the ring ({@code 33.3%}, raw token ownership when {@code nodetool
 * status} is asked without a keyspace). Every other line (legend, header, notes, JVM warnings) is skipped.
 */
public record NodetoolStatus(List<Node> nodes) {
    private static final Pattern NODE = Pattern.compile("^([UD?][NLJM])\\s+(\\S+)(\\s.*)?$");
    private static final Pattern OWNS = Pattern.compile("\\s(\\d+(?:\\.\\d+)?)%(?:\\s|$)");
    /** How far a node's share may be from 1/N of the ring: one token each, evenly spaced, is exact to rounding. */
    static final double OWNS_TOLERANCE = 0.1;

    /** One ring member: {@code UN 10.0.0.7}, owning {@code owns} percent of the ring (null when not shown). */
    public record Node(String code, String address, Double owns) {
        public Node(String code, String address) {
            this(code, address, null);
        }

        public boolean isUpNormal() {
            return code.equals("UN");
        }

        /** {@code DN (down, normal)}. */
        public String describe() {
            String status = switch (code.charAt(0)) {
                case 'U' -> "up";
                case 'D' -> "down";
                default -> "unknown";
            };
            String state = switch (code.charAt(1)) {
                case 'N' -> "normal";
                case 'L' -> "leaving";
                case 'J' -> "joining";
                default -> "moving";
            };
            return code + " (" + status + ", " + state + ")";
        }
    }

    public NodetoolStatus {
        nodes = List.copyOf(nodes);
    }

    public static NodetoolStatus parse(String output) {
        List<Node> nodes = new ArrayList<>();
        for (String line : output.split("\\R")) {
            Matcher m = NODE.matcher(line.strip());
            if (m.matches()) {
                Matcher owns = OWNS.matcher(m.group(3) == null ? "" : m.group(3));
                // effective ownership counts replicas (RF 3 of 3 nodes: 100% each): only raw shares are 1/N
                boolean raw = !output.contains("Owns (effective)");
                nodes.add(new Node(m.group(1), m.group(2), raw && owns.find() ? Double.valueOf(owns.group(1)) : null));
            }
        }
        return new NodetoolStatus(nodes);
    }

    /**
     * What keeps this ring from being the test's: a node count other than {@code expected}, each node not UN,
     * each data node missing from the ring, and (when the ring has the expected size) each node whose share of the
     * ring is not about 1/expected.
     *
     * @param names the test's data nodes by address ({@code 10.0.0.7 -> data-3})
     */
    public List<String> problems(int expected, Map<String, String> names) {
        List<String> problems = new ArrayList<>();
        if (nodes.size() != expected) {
            problems.add(nodes.size() + " of " + expected + " nodes in the ring");
        }
        List<String> inRing = new ArrayList<>();
        for (Node n : nodes) {
            inRing.add(n.address());
            if (!n.isUpNormal()) {
                String name = names.get(n.address());
                problems.add((name != null ? name + " (" + n.address() + ")" : n.address() + " (no node of this test)")
                        + ": " + n.describe());
            }
        }
        if (nodes.size() == expected) {
            double fair = 100.0 / expected;
            for (Node n : nodes) {
                if (n.owns() != null && Math.abs(n.owns() - fair) > fair * OWNS_TOLERANCE) {
                    String name = names.get(n.address());
                    problems.add((name != null ? name + " (" + n.address() + ")" : n.address()) + " owns " + n.owns()
                            + "% of the ring, not about " + String.format(java.util.Locale.ROOT, "%.1f", fair) + "%");
                }
            }
        }
        names.forEach((address, name) -> {
            if (!inRing.contains(address)) {
                problems.add(name + " (" + address + ") is not in the ring");
            }
        });
        return problems;
    }
}
