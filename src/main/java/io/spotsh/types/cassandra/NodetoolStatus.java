package io.spotsh.types.cassandra;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ring as {@link #COMMAND} prints it. From {@code nodetool status}: one line per node under each
 * {@code Datacenter:} header, the first column the node's status (U up, D down, ? unknown) and state (N normal,
 * L leaving, J joining, M moving), the second its address. From {@code nodetool ring}: one line per token, the
 * address first and the token last; each node's share of the ring is computed from those tokens. Neither of
 * status's own columns will do: Cassandra 5.0 prints a {@code Tokens} count, not the token, once a datacenter has
 * more than one node, and {@code Owns} is {@code ?} or replica-weighted (100% on each of 3 nodes at RF 3) once
 * keyspaces exist. Every other line (legend, headers, notes, warnings) is skipped.
 */
public record NodetoolStatus(List<Node> nodes, boolean hasRing) {
    /** Both views from the node's own nodetool; the ring only when status answered. */
    public static final String COMMAND = "nodetool status && nodetool ring";
    private static final Pattern NODE = Pattern.compile("^([UD?][NLJM])\\s+(\\S+)(\\s.*)?$");
    private static final Pattern RING = Pattern.compile(
            "^(\\S+)\\s+\\S+\\s+(?:Up|Down|\\?)\\s+(?:Normal|Leaving|Joining|Moving)\\s.*\\s(-?\\d{1,20})$");
    private static final Pattern RING_HEADER = Pattern.compile("(?m)^Address\\s+Rack\\s+Status\\s+State\\s.*\\sToken\\s*$");
    private static final BigInteger WHOLE = BigInteger.ONE.shiftLeft(64);
    /** How far a node's share may be from 1/N of the ring: outside [0.8/N, 1.2/N] is a problem. */
    static final double OWNS_TOLERANCE = 0.2;

    /**
     * One ring member: {@code UN 10.0.0.7}, owning {@code owns} percent of the Murmur3 ring (null when nodetool
     * ring did not list it).
     */
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
        Map<String, String> codes = new LinkedHashMap<>();
        TreeMap<BigInteger, String> ring = new TreeMap<>();
        for (String line : output.split("\\R")) {
            String l = line.strip();
            Matcher node = NODE.matcher(l);
            Matcher token = RING.matcher(l);
            if (node.matches()) {
                codes.putIfAbsent(node.group(2), node.group(1));
            } else if (token.matches()) {
                ring.put(new BigInteger(token.group(2)), token.group(1));
            }
        }
        Map<String, BigInteger> arcs = new LinkedHashMap<>();
        BigInteger previous = ring.isEmpty() ? null : ring.lastKey();
        for (Map.Entry<BigInteger, String> t : ring.entrySet()) {
            // Murmur3: a token owns the arc from the previous token (exclusive) to itself, the first from the last
            BigInteger arc = ring.size() == 1 ? WHOLE : t.getKey().subtract(previous).mod(WHOLE);
            arcs.merge(t.getValue(), arc, BigInteger::add);
            previous = t.getKey();
        }
        List<Node> nodes = new ArrayList<>();
        codes.forEach((address, code) -> {
            BigInteger arc = arcs.get(address);
            nodes.add(new Node(code, address, arc == null ? null : new BigDecimal(arc).multiply(BigDecimal.valueOf(100))
                    .divide(new BigDecimal(WHOLE), MathContext.DECIMAL64).doubleValue()));
        });
        return new NodetoolStatus(nodes, RING_HEADER.matcher(output).find());
    }

    /**
     * What keeps this ring from being the test's: a node count other than {@code expected}, each node not UN,
     * each data node missing from the ring, and (when the ring has the expected size and nodetool ring answered)
     * each node whose share of the ring is not about 1/expected or that has no token.
     *
     * @param names the test's data nodes by address, as problems name them ({@code 10.0.0.7 -> data-3 (i-0abc 10.0.0.7)})
     */
    public List<String> problems(int expected, Map<String, String> names) {
        List<String> problems = new ArrayList<>();
        if (nodes.size() != expected) {
            problems.add(nodes.size() + " of " + expected + " nodes in the ring");
        }
        for (Node n : nodes) {
            if (!n.isUpNormal()) {
                problems.add(names.getOrDefault(n.address(), n.address() + " (no node of this test)") + ": " + n.describe());
            }
        }
        if (nodes.size() == expected && hasRing) {
            double fair = 100.0 / expected;
            for (Node n : nodes) {
                String who = names.getOrDefault(n.address(), n.address() + " (no node of this test)");
                if (n.owns() == null) {
                    problems.add(who + " has no token in nodetool ring");
                } else if (Math.abs(n.owns() - fair) > fair * OWNS_TOLERANCE) {
                    problems.add(who + " owns " + String.format(Locale.ROOT, "%.1f", n.owns()) + "% of the ring, not about "
                            + String.format(Locale.ROOT, "%.1f", fair) + "%");
                }
            }
        }
        names.forEach((address, name) -> {
            if (nodes.stream().noneMatch(n -> n.address().equals(address))) {
                problems.add(name + " is not in the ring");
            }
        });
        return problems;
    }
}
