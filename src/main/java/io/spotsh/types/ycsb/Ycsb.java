package io.spotsh.types.ycsb;

import io.spotsh.common.BadInput;
import io.spotsh.common.ShellQuote;
import io.spotsh.types.Metric;
import io.spotsh.types.Params;
import io.spotsh.types.Tool;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * YCSB as the cassandra and mongodb types use it: the command a client node runs for one phase, the parameters
 * that size it, and the reading of its final report.
 *
 * <p>The report is the {@code [SECTION], name, value} lines YCSB prints at the end (text exporter). What is kept:
 * <ul>
 * <li>{@code [OVERALL]}: {@code throughput} (ops/s) and {@code runtime} (s).</li>
 * <li>Every operation ({@code READ}, {@code UPDATE}, {@code INSERT}, {@code CLEANUP}, {@code READ-FAILED}, ...):
 *     {@code operations}, and {@code avg_latency}, {@code min_latency}, {@code max_latency}, {@code p50_latency}
 *     ({@code p<N>_latency} for any percentile YCSB was asked for) in ms. YCSB reports no per-operation
 *     throughput, so there is none. {@code errors} counts the {@code Return=<status>} lines whose status is not
 *     a success ({@code OK}, {@code BATCHED_OK}, or {@code 0} in YCSB before 0.7).</li>
 * </ul>
 * Left out: the client JVM's garbage collection sections ({@code [TOTAL_GC...]}) and histogram buckets. Lines that
 * are not {@code [...],} lines (JVM warnings, {@code Loading workload...}, {@code -s} status lines) are skipped;
 * a report line whose value is not a number is a {@link BadInput} naming the line.
 */
public final class Ycsb {
    /**
     * Where the node image has YCSB ({@link YcsbBundle}'s layout); on a node, {@code YCSB_HOME} overrides it, else
     * {@code ycsb home} (the {@code ycsb} command on PATH: the image's link to this launcher, or a local node's bundle).
     */
    public static final String HOME = "/opt/ycsb";
    public static final String LAUNCHER = HOME + "/bin/ycsb.sh";
    /** YCSB's launcher on PATH: not in Debian, so the node image carries it and local nodes get {@link YcsbBundle}. */
    public static final Tool TOOL = new Tool("ycsb", "ycsb 0.17.0 (no Debian package: baked into the AMI under " + HOME
            + ", linked as /usr/local/bin/ycsb; spotsh's ycsb bundle on local nodes)");
    /** YCSB runs on the JVM. */
    public static final Tool JAVA = new Tool("java", "default-jre-headless");
    /** The percentiles asked for: YCSB 0.17.0 prints only 95 and 99 unless told. */
    static final String PERCENTILES = "50,95,99";

    private static final Pattern REPORT_LINE = Pattern.compile("^\\[([^\\]]+)\\],\\s*(.*)$");
    private static final Pattern PERCENTILE = Pattern.compile("(\\d+(?:\\.\\d+)?)(?:th|st|nd|rd)?PercentileLatency\\((us|ms)\\)");
    private static final Pattern LATENCY = Pattern.compile("(Average|Min|Max)Latency\\((us|ms)\\)");
    private static final Pattern WORKLOAD = Pattern.compile("[a-f]");

    private Ycsb() {
    }

    /** A YCSB phase: {@code load} inserts the records, {@code run} runs the workload's operation mix on them. */
    public enum Phase {
        LOAD, RUN;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What a YCSB phase does, summed over every client node.
     *
     * @param workload       the core workload's letter, {@code a} (50/50 read/update) to {@code f} (read-modify-write)
     * @param recordCount    records in the data set; the load phase splits them between the clients
     * @param operationCount operations of the run phase, split between the clients
     * @param threads        client threads per client node
     * @param clients        client nodes the phases run on
     */
    public record Settings(String workload, long recordCount, long operationCount, int threads, int clients) {
        public Settings {
            if (workload == null || !WORKLOAD.matcher(workload).matches()) {
                throw new BadInput("parameter workload must be one of YCSB's core workloads a, b, c, d, e, f, was '"
                        + workload + "'");
            }
        }
    }

    /**
     * The YCSB parameters both types share, with defaults for this sizing: {@code recordcount} and
     * {@code operationcount} grow with the data nodes, {@code threads} (per client node) with the data nodes each
     * client drives. {@code clientNodes} is the sizing's, so each client can take its share of the records.
     */
    public static Map<String, Object> defaults(Map<String, Integer> sizing, long recordsPerDataNode) {
        int data = Math.max(1, sizing.getOrDefault("data", 1));
        int clients = Math.max(1, sizing.getOrDefault("client", 1));
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("workload", "a");
        defaults.put("recordcount", recordsPerDataNode * data);
        defaults.put("operationcount", recordsPerDataNode * data);
        defaults.put("threads", Math.min(256, 16 * ((data + clients - 1) / clients)));
        defaults.put("clientNodes", clients);
        return defaults;
    }

    /**
     * Checks the YCSB parameters of test type {@code type} as {@link #settings(Map, Map)} does and keeps them in
     * {@code params} in their checked form (whole numbers as numbers, the workload's letter trimmed), as the nodes
     * and the test's record get them.
     */
    public static Settings check(String type, Map<String, Object> params, Map<String, Integer> sizing) {
        Params.checkNumber(type, params, "recordcount", 1);
        Params.checkNumber(type, params, "operationcount", 1);
        Params.checkInteger(type, params, "threads", 1);
        Params.checkInteger(type, params, "clientNodes", 1);
        Settings s = settings(params, sizing);
        params.put("workload", s.workload());
        return s;
    }

    /** The settings in merged parameters; a parameter that follows the sizing must match it. */
    public static Settings settings(Map<String, Object> params, Map<String, Integer> sizing) {
        Settings s = settings(params);
        Integer sized = sizing.get("client");
        if (sized != null && s.clients() != sized) {
            throw new BadInput("parameter clientNodes follows the sizing (" + sized + " client nodes), was "
                    + s.clients() + "; size the test with that many client nodes instead");
        }
        return s;
    }

    public static Settings settings(Map<String, Object> params) {
        return new Settings(Params.text(params, "workload").strip(), Params.number(params, "recordcount", 1),
                Params.number(params, "operationcount", 1), Params.integer(params, "threads", 1),
                Params.integer(params, "clientNodes", 1));
    }

    /**
     * The command one client node runs for a phase; its standard output is YCSB's report, {@code -s} status lines
     * go to stderr. Client k of C loads records [(k-1)R/C, kR/C) and runs its share of the operations, computed on
     * the node from {@code SPOTSH_NODE_NUMBER}.
     *
     * @param binding       YCSB's database binding, {@code cassandra-cql} or {@code mongodb}
     * @param hostsProperty the binding property that takes the data nodes' addresses, comma-separated
     *                      ({@code hosts} for cassandra-cql), or null when the client talks to a local router
     * @param properties    more {@code -p name=value} settings of the binding, passed as written
     */
    public static String command(Phase phase, String binding, Settings s, String hostsProperty,
                                 Map<String, String> properties) {
        long r = s.recordCount();
        long o = s.operationCount();
        int c = s.clients();
        StringBuilder cmd = new StringBuilder("n=$SPOTSH_NODE_NUMBER; y=${YCSB_HOME:-$(ycsb home)} || exit 1; exec \"$y/bin/ycsb.sh\" ")
                .append(phase.word()).append(' ').append(ShellQuote.quote(binding))
                .append(" -s -P \"$y/workloads/workload").append(s.workload()).append('"')
                .append(" -threads ").append(s.threads())
                .append(" -p recordcount=").append(r);
        if (phase == Phase.LOAD) {
            cmd.append(" -p insertstart=$(( (n - 1) * ").append(r).append(" / ").append(c).append(" ))")
                    .append(" -p insertcount=$(( n * ").append(r).append(" / ").append(c)
                    .append(" - (n - 1) * ").append(r).append(" / ").append(c).append(" ))");
        } else {
            cmd.append(" -p operationcount=$(( n * ").append(o).append(" / ").append(c)
                    .append(" - (n - 1) * ").append(o).append(" / ").append(c).append(" ))");
        }
        cmd.append(" -p hdrhistogram.percentiles=").append(PERCENTILES)
                // each client keeps its whole latency histogram (<phase>-<OPERATION>.hdr) beside its report, so
                // collect() brings it home; the path is the node's results folder (collect.Collector.NODE_RESULTS)
                .append(" -p measurementtype=hdrhistogram -p hdrhistogram.fileoutput=true")
                .append(" -p \"hdrhistogram.output.path=${SPOTSH_ROOT:-}/var/lib/spotsh/results/").append(phase.word()).append("-\"");
        if (hostsProperty != null) {
            cmd.append(" -p \"").append(hostsProperty).append("=$(echo $SPOTSH_DATA_IPS | tr ' ' ,)\"");
        }
        properties.forEach((name, value) -> cmd.append(" -p ").append(ShellQuote.quote(name + "=" + value)));
        return cmd.toString();
    }

    /** The metrics in one client's YCSB output; see the class comment for what is kept. */
    public static List<Metric> parse(String output) {
        Map<String, Map<String, Metric>> sections = new LinkedHashMap<>();
        Map<String, Long> errors = new LinkedHashMap<>();
        String[] lines = output.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = REPORT_LINE.matcher(lines[i].strip());
            if (!m.matches()) {
                continue;
            }
            String section = m.group(1).strip();
            String[] rest = m.group(2).split(",", -1);
            if (rest.length != 2) {
                throw notANumber(i, lines[i]);
            }
            String name = rest[0].strip();
            BigDecimal value = number(rest[1].strip(), i, lines[i]);
            if (section.startsWith("TOTAL_GC")) {
                continue;
            }
            if (name.startsWith("Return=")) {
                long count = errors.getOrDefault(section, 0L);
                errors.put(section, success(name.substring("Return=".length())) ? count : count + value.longValue());
                sections.computeIfAbsent(section, k -> new LinkedHashMap<>());
                continue;
            }
            Metric metric = metric(section, name, value);
            if (metric != null) {
                sections.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(metric.metric(), metric);
            }
        }
        List<Metric> metrics = new ArrayList<>();
        Map<String, Metric> overall = sections.remove("OVERALL");
        if (overall != null) {
            metrics.addAll(overall.values());
        }
        sections.forEach((section, found) -> {
            metrics.addAll(found.values());
            if (errors.containsKey(section)) {
                metrics.add(new Metric(section, "errors", errors.get(section), "ops"));
            }
        });
        return metrics;
    }

    /** One report figure, or null for one that is not kept (histogram buckets, unknown names). */
    private static Metric metric(String section, String name, BigDecimal value) {
        if (section.equals("OVERALL")) {
            return switch (name) {
                case "Throughput(ops/sec)" -> new Metric(section, Metric.THROUGHPUT, value.doubleValue(), "ops/s");
                case "RunTime(ms)" -> new Metric(section, "runtime", value.movePointLeft(3).doubleValue(), "s");
                default -> null;
            };
        }
        if (name.equals("Operations")) {
            return new Metric(section, "operations", value.doubleValue(), "ops");
        }
        Matcher latency = LATENCY.matcher(name);
        if (latency.matches()) {
            String kind = latency.group(1).equals("Average") ? "avg" : latency.group(1).toLowerCase(Locale.ROOT);
            return new Metric(section, kind + "_latency", millis(value, latency.group(2)), "ms");
        }
        Matcher percentile = PERCENTILE.matcher(name);
        if (percentile.matches()) {
            return new Metric(section, "p" + percentile.group(1) + "_latency", millis(value, percentile.group(2)), "ms");
        }
        return null;
    }

    private static double millis(BigDecimal value, String unit) {
        return unit.equals("us") ? value.movePointLeft(3).doubleValue() : value.doubleValue();
    }

    private static boolean success(String status) {
        return status.equals("OK") || status.equals("BATCHED_OK") || status.equals("0");
    }

    private static BigDecimal number(String text, int index, String line) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw notANumber(index, line);
        }
    }

    private static BadInput notANumber(int index, String line) {
        return new BadInput("YCSB output line " + (index + 1) + " is a result line without a number: " + line.strip());
    }
}
