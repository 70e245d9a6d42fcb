package io.spotsh.collect;

import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;
import io.spotsh.report.RunReport;
import io.spotsh.types.Member;
import io.spotsh.types.Metric;
import io.spotsh.types.TestCluster;
import io.spotsh.types.TestType;
import io.spotsh.types.Workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Brings a run's results home: on every node the workloads' output ({@code var/lib/spotsh/results}), the
 * sysstat files, the boot log and the type's logs are gathered into one folder, copied back in parallel into
 * {@code results/<test>/<run>/<role>-<n>/}, then {@code summary.csv} is made from the workload output with the
 * type's parser, and the whole folder is archived as {@code results/<test>/<run>.tar.gz}. A node that cannot be
 * reached loses only its own files: the rest is collected and the node is named in {@link Results#missing()}.
 */
public final class Collector {
    /** Where a node gathers what goes home, under its login's home folder (SFTP paths are relative to it). */
    static final String STAGING = ".spotsh-collect";
    /** The workloads' output on a node, relative to its root. */
    public static final String NODE_RESULTS = "var/lib/spotsh/results";
    /** The run's figures as JSON lines, beside summary.csv. */
    public static final String SAMPLES = "samples.jsonl";

    private final TestCluster cluster;
    private final TestType type;
    private final java.util.function.Supplier<RunFacts> facts;

    public Collector(TestCluster cluster, TestType type) {
        this(cluster, type, () -> RunFacts.none(java.time.Instant.now()));
    }

    /** {@code facts} is asked once the files are home: by then every phase of the run has ended. */
    public Collector(TestCluster cluster, TestType type, java.util.function.Supplier<RunFacts> facts) {
        this.cluster = cluster;
        this.type = type;
        this.facts = facts;
    }

    /** Collects run {@code run} into {@code runDir} (created; it must not hold another run's files). */
    public Results collect(String run, Path runDir) {
        List<Member> members = new ArrayList<>();
        for (String role : cluster.sizing().keySet()) {
            members.addAll(cluster.members(role));
        }
        Map<String, String> missing = new LinkedHashMap<>();
        List<String> collected = new ArrayList<>();
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + runDir + ": " + e.getMessage(), e);
        }
        if (!members.isEmpty()) {
            fetch(members, runDir, collected, missing);
        }
        Summary summary = new Summary(cluster.test(), run);
        for (Workload w : type.workloads(cluster.params())) {
            for (Member m : cluster.members(w.role())) {
                Path output = runDir.resolve(m.name()).resolve("results").resolve(w.name() + ".out");
                if (!Files.isRegularFile(output)) {
                    continue;  // the phase never ran on this node, or its files did not come back
                }
                try {
                    List<Metric> metrics = type.parse(w, Files.readString(output));
                    summary.add(w.name(), m.role(), m.name(), metrics);
                    addHistograms(summary, w.name(), m.name(), output.getParent(), metrics);
                } catch (IOException e) {
                    missing.putIfAbsent(m.name(), "cannot read " + output + ": " + e.getMessage());
                } catch (RuntimeException e) {
                    missing.putIfAbsent(m.name(), output + ": " + e.getMessage());
                }
            }
        }
        RunFacts known = facts.get();
        known.phases().values().forEach(summary::addCost);
        Path csv = summary.write(runDir.resolve("summary.csv"));
        Samples.write(summary, known, runDir.resolve(SAMPLES));
        RunReport.write(runDir);  // before the archive, so report.html travels with the run
        Path archive = Archive.tarGz(runDir, runDir.resolveSibling(runDir.getFileName() + ".tar.gz"));
        return new Results(cluster.test(), run, runDir, archive, csv, summary, collected, missing);
    }

    /**
     * The node's latency histograms of the phase ({@code <phase>-<OPERATION>.hdr}, as YCSB writes them) for the
     * operations it reported. One that cannot be read is left out: that operation's cluster figures fall back
     * to the worst client's, labelled so.
     */
    private void addHistograms(Summary summary, String phase, String node, Path folder, List<Metric> metrics) {
        for (String operation : metrics.stream().map(Metric::operation).distinct().toList()) {
            Path hdr = folder.resolve(phase + "-" + operation + ".hdr");
            if (!Files.isRegularFile(hdr)) {
                continue;
            }
            try {
                summary.addHistogram(phase, node, operation, Histograms.read(hdr));
            } catch (RuntimeException e) {
                cluster.log("Histogram " + hdr + " of " + node + " left out: " + e.getMessage());
            }
        }
    }

    private void fetch(List<Member> members, Path runDir, List<String> collected, Map<String, String> missing) {
        RunResult staged = cluster.run(members, stageCommand(type.logs()), Duration.ofMinutes(2));
        List<Member> ready = new ArrayList<>();
        for (Member m : members) {
            NodeResult r = staged.get(m.name());
            if (r != null && r.isOk()) {
                ready.add(m);
            } else {
                missing.put(m.name(), "gathering its files failed: " + (r == null ? "no result" : r.getStatus()
                        + (r.getError() != null ? " (" + r.getError() + ")" : "")));
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        Path incoming = runDir.resolve(".incoming");
        RunResult got = cluster.get(ready, STAGING + "/files", incoming);
        for (Member m : ready) {
            NodeResult r = got.get(m.name());
            Path from = incoming.resolve(m.name()).resolve("files");
            if (r != null && r.isOk() && Files.isDirectory(from)) {
                move(from, runDir.resolve(m.name()));
                collected.add(m.name());
            } else {
                missing.put(m.name(), "copying its files failed: " + (r == null ? "no result" : r.getError()));
            }
        }
        delete(incoming);
        cluster.run(ready, "rm -rf \"$HOME/" + STAGING + "\"", Duration.ofSeconds(30));
    }

    /**
     * A POSIX sh command that gathers a node's files into {@code ~/.spotsh-collect/files}: the workloads'
     * output, the last two days of sysstat files (a cloud image's folder holds a month), the boot log and the
     * type's log folders. What a node does not have is left out, not an error.
     */
    static String stageCommand(List<String> logs) {
        StringBuilder sh = new StringBuilder();
        sh.append("r=\"${SPOTSH_ROOT:-}\"; d=\"$HOME/").append(STAGING).append("/files\"; ")
                .append("rm -rf \"$d\" && mkdir -p \"$d/logs\" \"$d/sysstat\" || exit 1; ")
                .append("if [ -d \"$r/").append(NODE_RESULTS).append("\" ]; then cp -R \"$r/").append(NODE_RESULTS)
                .append("\" \"$d/results\" || exit 1; fi; ")
                .append("if [ -d \"$r/var/log/sysstat\" ]; then find \"$r/var/log/sysstat\" -maxdepth 1 -type f -name 'sa[0-9]*'")
                .append(" -mtime -2 -exec cp {} \"$d/sysstat/\" \\; ; fi; ")
                .append("cp \"$r/var/log/spotsh-boot.log\" \"$d/logs/\" 2>/dev/null; ");
        for (String log : logs) {
            if (!log.matches("[A-Za-z0-9._/-]+") || log.contains("..")) {
                throw new IllegalArgumentException("a type's log folder is a plain relative path: '" + log + "'");
            }
            sh.append("if [ -e \"$r/").append(log).append("\" ]; then cp -R \"$r/").append(log).append("\" \"$d/logs/\"; fi; ");
        }
        sh.append("exit 0");
        return sh.toString();
    }

    private static void move(Path from, Path to) {
        try {
            if (Files.exists(to)) {
                delete(to);
            }
            Files.createDirectories(to.getParent());
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
