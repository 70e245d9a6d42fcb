package io.spotsh.report;

import groovy.json.JsonParserType;
import groovy.json.JsonSlurper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One node's sysstat samples, read from its {@code sysstat/sa*} files with {@code sadf -j -C <file> -- -u -r -d -n
 * DEV} (sysstat 12's JSON; the disk figures need the files to be recorded with {@code sadc -S DISK}, as nodes do).
 * A {@code saDD.json} beside a file (that same output, made on the node or earlier) is read instead of running sadf.
 * Each sample keeps what the report charts: CPU user/system/iowait/steal %, memory used %, disk read and write kB/s
 * and the busiest disk's utilisation %, network receive and transmit kB/s over every interface but loopback.
 * {@code nodes.mark} comments come along with their times.
 */
public final class Sysstat {
    /** The figures of one sample, in this order; {@link #FIELDS} names them. */
    public static final List<String> FIELDS = List.of("user", "system", "iowait", "steal", "mem_used", "disk_rkB",
            "disk_wkB", "disk_util", "net_rxkB", "net_txkB");

    /** A sample: seconds since the epoch (UTC) and the {@link #FIELDS} values. */
    public record Sample(long epochSecond, double[] values) {
    }

    /** A {@code nodes.mark} comment. */
    public record Comment(long epochSecond, String text) {
    }

    private final List<Sample> samples;
    private final List<Comment> comments;
    private final String error;

    private Sysstat(List<Sample> samples, List<Comment> comments, String error) {
        this.samples = samples;
        this.comments = comments;
        this.error = error;
    }

    /** A node whose files could not be read: no samples, and why. */
    public static Sysstat unreadable(String why) {
        return new Sysstat(List.of(), List.of(), why);
    }

    /** Why the node's files could not be read, or null. */
    public String error() {
        return error;
    }

    public List<Sample> samples() {
        return samples;
    }

    public List<Comment> comments() {
        return comments;
    }

    /** Every {@code sa[0-9]*} file in {@code folder} (a node's {@code sysstat/}), in time order; none gives no samples. */
    public static Sysstat readFolder(Path folder) {
        List<Sample> samples = new ArrayList<>();
        List<Comment> comments = new ArrayList<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> list = Files.list(folder)) {
                for (Path sa : list.filter(p -> p.getFileName().toString().matches("sa\\d+")).sorted().toList()) {
                    if (!Files.isRegularFile(sa.resolveSibling(sa.getFileName() + ".json")) && !sadfAvailable()) {
                        continue;  // no sadf here (sysstat not installed): the page shows no samples rather than no page
                    }
                    read(json(sa), samples, comments);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
            }
        }
        samples.sort(Comparator.comparingLong(Sample::epochSecond));
        comments.sort(Comparator.comparingLong(Comment::epochSecond));
        return new Sysstat(samples, comments, null);
    }

    /** Whether sadf is on the PATH; without it only {@code saDD.json} files can be read. */
    public static boolean sadfAvailable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "sadf"))) {
                return true;
            }
        }
        return false;
    }

    private static String json(Path sa) {
        Path cached = sa.resolveSibling(sa.getFileName() + ".json");
        try {
            if (Files.isRegularFile(cached)) {
                return Files.readString(cached);
            }
            Process p = new ProcessBuilder("sadf", "-j", "-C", sa.toString(), "--", "-u", "-r", "-d", "-n", "DEV")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("sadf -j " + sa + " failed" + (p.isAlive() ? "" : " with exit status " + p.exitValue()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sa + " with sadf (is sysstat installed?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading " + sa, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void read(String json, List<Sample> samples, List<Comment> comments) {
        // the index overlay parser makes values only when asked: 300 nodes' hour of samples parse in seconds, not tens
        Map<String, Object> root = (Map<String, Object>) new JsonSlurper().setType(JsonParserType.INDEX_OVERLAY).parseText(json);
        Map<String, Object> sysstat = (Map<String, Object>) root.get("sysstat");
        for (Object h : (List<Object>) sysstat.get("hosts")) {
            Map<String, Object> host = (Map<String, Object>) h;
            for (Object s : (List<Object>) host.getOrDefault("statistics", List.of())) {
                Map<String, Object> stat = (Map<String, Object>) s;
                if (stat.get("timestamp") != null) {
                    samples.add(sample(stat));
                }
            }
            for (Object c : (List<Object>) host.getOrDefault("comments", List.of())) {
                Map<String, Object> comment = (Map<String, Object>) ((Map<String, Object>) c).get("comment");
                comments.add(new Comment(epoch(comment), String.valueOf(comment.get("com"))));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Sample sample(Map<String, Object> stat) {
        double[] v = new double[FIELDS.size()];
        for (Object c : (List<Object>) stat.getOrDefault("cpu-load", List.of())) {
            Map<String, Object> cpu = (Map<String, Object>) c;
            if ("all".equals(cpu.get("cpu")) || Integer.valueOf(-1).equals(cpu.get("cpu"))) {
                v[0] = num(cpu.get("user"));
                v[1] = num(cpu.get("system"));
                v[2] = num(cpu.get("iowait"));
                v[3] = num(cpu.get("steal"));
            }
        }
        Map<String, Object> memory = (Map<String, Object>) stat.get("memory");
        if (memory != null) {
            v[4] = num(memory.get("memused-percent"));
        }
        for (Object d : (List<Object>) stat.getOrDefault("disk", List.of())) {
            Map<String, Object> disk = (Map<String, Object>) d;
            v[5] += num(disk.get("rkB"));
            v[6] += num(disk.get("wkB"));
            v[7] = Math.max(v[7], num(disk.get("util-percent")));
        }
        Map<String, Object> network = (Map<String, Object>) stat.get("network");
        if (network != null) {
            for (Object n : (List<Object>) network.getOrDefault("net-dev", List.of())) {
                Map<String, Object> dev = (Map<String, Object>) n;
                if (!"lo".equals(dev.get("iface"))) {
                    v[8] += num(dev.get("rxkB"));
                    v[9] += num(dev.get("txkB"));
                }
            }
        }
        return new Sample(epoch((Map<String, Object>) stat.get("timestamp")), v);
    }

    private static long epoch(Map<String, Object> stamp) {
        // sadf -j prints UTC times ("utc": 1) unless told otherwise
        return LocalDate.parse(String.valueOf(stamp.get("date"))).atTime(LocalTime.parse(String.valueOf(stamp.get("time"))))
                .toEpochSecond(ZoneOffset.UTC);
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }
}
