package io.spotsh.fanout;

import io.spotsh.common.Tabular;
import io.spotsh.report.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The outcome of one fan-out, one {@link NodeResult} per node in the order the nodes were given.
 * <pre>{@code
 * RunResult r = fanout.run(targets, "nodetool status");
 * r.failed.each { println "${it.name}: ${it.error}" }   // Groovy
 * println r.table()                                    // node, host, status, seconds, phase, stderr
 * new File("ring.csv").text = r.toCsv()
 * r.check()                                           // throws, listing every failed node
 * println r.grouped()                                 // identical output once, clubak style
 * }</pre>
 */
public final class RunResult implements Iterable<NodeResult>, Tabular {
    /** Commands report exit status and output; transfers report bytes and throughput. */
    public enum Kind { COMMAND, TRANSFER }

    private final Kind kind;
    private final String operation;
    private final List<NodeResult> results;
    private final Duration duration;
    private final boolean cancelled;

    RunResult(Kind kind, String operation, List<NodeResult> results, Duration duration, boolean cancelled) {
        this.kind = kind;
        this.operation = operation;
        this.results = List.copyOf(results);
        this.duration = duration;
        this.cancelled = cancelled;
    }

    public Kind getKind() {
        return kind;
    }

    /** What ran, e.g. {@code run: uname -a} or {@code put: data.bin -> /tmp}. */
    public String getOperation() {
        return operation;
    }

    public List<NodeResult> getResults() {
        return results;
    }

    public List<NodeResult> getOk() {
        return results.stream().filter(NodeResult::isOk).toList();
    }

    public List<NodeResult> getFailed() {
        return results.stream().filter(r -> !r.isOk()).toList();
    }

    /** True when every node succeeded. */
    public boolean allOk() {
        return results.stream().allMatch(NodeResult::isOk);
    }

    /** Whether the fan-out was cancelled (Ctrl-C, {@link Fanout#cancel()} or an interrupt). */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Wall time of the whole fan-out. */
    public Duration getDuration() {
        return duration;
    }

    public int size() {
        return results.size();
    }

    /** The result of the node with this name, or null; in Groovy {@code result['data-3']}. */
    public NodeResult get(String name) {
        return results.stream().filter(r -> r.getName().equals(name)).findFirst().orElse(null);
    }

    public NodeResult getAt(String name) {
        return get(name);
    }

    @Override
    public Iterator<NodeResult> iterator() {
        return results.iterator();
    }

    public RunResult each(Consumer<NodeResult> action) {
        results.forEach(action);
        return this;
    }

    /** Bytes moved by all nodes together (transfers). */
    public long getTotalBytes() {
        return results.stream().mapToLong(NodeResult::getBytes).sum();
    }

    /** Aggregate throughput: all bytes over the fan-out's wall time, in MB/s. */
    public double getMegabytesPerSecond() {
        double seconds = duration.toNanos() / 1e9;
        return seconds <= 0 ? 0 : getTotalBytes() / 1e6 / seconds;
    }

    @Override
    public List<Map<String, Object>> rows() {
        return ResultText.rows(this);
    }

    /** A printable table, one row per node. */
    public Table table() {
        return Table.of(rows());
    }

    public String toCsv() {
        return ResultText.csv(this);
    }

    public Path writeCsv(Path file) {
        try {
            return Files.writeString(file, toCsv(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Output grouped by identical text, {@code ---- data-[1-3,5] (4) ----} then the shared output. */
    public String grouped() {
        return OutputGroups.render(results);
    }

    /** Throws one {@link CheckFailedException} listing every failed node; returns this when all succeeded. */
    public RunResult check() {
        if (!allOk()) {
            throw new CheckFailedException(ResultText.failures(this), this);
        }
        return this;
    }

    /** Failed nodes counted by phase and cause ({@code "connect: connection refused": 2}), most frequent first. */
    public Map<String, Integer> getFailureCauses() {
        return ResultText.causes(getFailed());
    }

    /**
     * {@code run: uname -a — 300 nodes: 297 ok, 3 failed (connect: connection refused ×2, exec: exit 1 ×1) in 1.42 s}.
     */
    public String summary() {
        return ResultText.summary(this);
    }

    /** Under the table: the summary line (what ran, how many ok, failed or cancelled, how long). */
    @Override
    public String caption(int rows) {
        return summary();
    }

    @Override
    public String toString() {
        return summary();
    }
}
