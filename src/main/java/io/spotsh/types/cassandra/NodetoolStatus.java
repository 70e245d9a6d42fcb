package io.spotsh.types.cassandra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ring as {@code nodetool status} prints it: one line per node under each {@code Datacenter:} header, the
 * first column the node's status (U up, D down, ? unknown) and state (N normal, L leaving, J joining, M moving),
 * the second its address, the last but one its token when the ring has one token per node (header {@code Token}).
 * Each node's share of the ring is computed from those tokens: the {@code Owns} column cannot be used, it shows
 * {@code ?} or replica-weighted ownership once keyspaces exist. Every other line (legend, header, notes, JVM
 * warnings) is skipped.
 */
public record NodetoolStatus(List<Node> nodes) {
    private static final Pattern NODE = Pattern.compile("^([UD?][NLJM])\\s+(\\S+)(\\s.*)?$");
    private static final Pattern TOKEN = Pattern.compile("\\s(-?\\d{1,20})\\s+\\S+\\s*$");
    private static final Pattern ONE_TOKEN_HEADER = Pattern.compile("(?m)^--\\s.*\\sToken\\s");
    /** How far a node's share may be from 1/N of the ring: one token each, evenly spaced, is exact to rounding. */
    static final double OWNS_TOLERANCE = 0.1;

    /** One ring member: {@code UN 10.0.0.7}, owning {@code owns} percent of the ring (null when not known). */
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
        List<String[]> found = new ArrayList<>();
        for (String line : output.split("\\R")) {
            Matcher m = NODE.matcher(line.strip());
            if (m.matches()) {
                Matcher token = TOKEN.matcher(m.group(3) == null ? "" : m.group(3));
                found.add(new String[] {m.group(1), m.group(2), token.find() ? token.group(1) : null});
            }
        }
        boolean oneToken = ONE_TOKEN_HEADER.matcher(output).find() && found.stream().allMatch(f -> f[2] != null);
        java.util.TreeMap<java.math.BigInteger, Integer> ring = new java.util.TreeMap<>();
        if (oneToken) {
            for (int i = 0; i < found.size(); i++) {
                ring.put(new java.math.BigInteger(found.get(i)[2]), i);
            }
        }
        List<Node> nodes = new ArrayList<>();
        java.math.BigInteger whole = java.math.BigInteger.ONE.shiftLeft(64);
        for (String[] f : found) {
            Double owns = null;
            if (oneToken && ring.size() == found.size()) {
                // a Murmur3 node owns the arc from the previous token (exclusive) to its own
                java.math.BigInteger own = new java.math.BigInteger(f[2]);
                java.math.BigInteger previous = ring.lowerKey(own) != null ? ring.lowerKey(own) : ring.lastKey();
                java.math.BigInteger arc = own.subtract(previous).mod(whole);
                owns = found.size() == 1 ? 100.0 : new java.math.BigDecimal(arc).multiply(java.math.BigDecimal.valueOf(100))
                        .divide(new java.math.BigDecimal(whole), java.math.MathContext.DECIMAL64).doubleValue();
            }
            nodes.add(new Node(f[0], f[1], owns));
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
                    problems.add((name != null ? name + " (" + n.address() + ")" : n.address()) + " owns "
                            + String.format(java.util.Locale.ROOT, "%.1f", n.owns()) + "% of the ring, not about " + String.format(java.util.Locale.ROOT, "%.1f", fair) + "%");
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
