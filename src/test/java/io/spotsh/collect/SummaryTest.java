package io.spotsh.collect;

import io.spotsh.types.Metric;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** summary.csv: node rows as reported, aggregated rows summed or worst-of, and the staging command a node runs. */
class SummaryTest {
    @TempDir
    Path dir;

    @Test
    void throughputAddsUpLatencyIsTheWorstAndMinimumTheLeast() throws IOException {
        Summary s = new Summary("ring-6", "20261128-101500");
        s.add("load", "client", "client-1", List.of(new Metric("SET", "throughput", 397614.31, "ops/s"),
                new Metric("SET", "p99_latency", 4.2, "ms"), new Metric("SET", "min_latency", 0.03, "ms")));
        s.add("load", "client", "client-2", List.of(new Metric("SET", "throughput", 389863.53, "ops/s"),
                new Metric("SET", "p99_latency", 5.7, "ms"), new Metric("SET", "min_latency", 0.02, "ms")));
        s.add("run", "client", "client-1", List.of(new Metric("READ", "operations", 5000, "ops")));
        s.add("run", "client", "client-2", List.of(new Metric("READ", "operations", 5001, "ops")));

        List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build()
                .parse(Files.newBufferedReader(s.write(dir.resolve("summary.csv")), StandardCharsets.UTF_8)).getRecords();
        assertEquals(8 + 4, rows.size());
        assertEquals(List.of("ring-6", "20261128-101500", "load", "client", "client-1", "SET", "throughput", "397614.31",
                "ops/s", ""), rows.get(0).toList());
        assertEquals(List.of("ring-6", "20261128-101500", "load", "client", "all", "SET", "throughput", "787477.84",
                "ops/s", "sum of 2"), rows.get(8).toList());
        // no histograms: the worst client's figure, said to be that
        assertEquals(List.of("5.7", "max of per-client p99 (2 nodes)"), List.of(rows.get(9).get("value"), rows.get(9).get("aggregate")));
        assertEquals(List.of("0.02", "min of per-client min (2 nodes)"), List.of(rows.get(10).get("value"), rows.get(10).get("aggregate")));
        assertEquals(List.of("10001", "sum of 2"), List.of(rows.get(11).get("value"), rows.get(11).get("aggregate")));
    }

    /**
     * Cost per million operations from known prices and counts: the load phase's instances cost 0.30 USD spot
     * (data 0.25 + client 0.05) over 2,500,000 operations (CLEANUP not counted) → 0.12 USD; its on-demand
     * price 1.20 USD → 0.48 USD and a 75 % saving. A phase whose clients report no counts gets no row.
     */
    @Test
    void costPerMillionOperationsFromKnownPricesAndCounts() throws IOException {
        Summary s = new Summary("ring-3", "20261206-094000");
        s.add("load", "client", "client-1", List.of(new Metric("INSERT", "operations", 1_000_000, "ops"),
                new Metric("CLEANUP", "operations", 4, "ops")));
        s.add("load", "client", "client-2", List.of(new Metric("INSERT", "operations", 1_500_000, "ops")));
        s.add("read", "client", "client-1", List.of(new Metric("GET", "throughput", 90000, "ops/s")));
        Instant start = Instant.parse("2026-12-06T09:00:00Z");
        s.addCost(new PhaseCost("load", start, start.plusSeconds(1800), List.of(
                new PhaseCost.RoleCost("data", 3, 1.5, 0.25, 1.00), new PhaseCost.RoleCost("client", 2, 1.0, 0.05, 0.20))));
        s.addCost(new PhaseCost("read", start.plusSeconds(1800), start.plusSeconds(2400), List.of(
                new PhaseCost.RoleCost("data", 3, 0.5, 0.1, null))));

        List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build()
                .parse(Files.newBufferedReader(s.write(dir.resolve("summary.csv")), StandardCharsets.UTF_8)).getRecords()
                .stream().filter(r -> r.get("operation").equals("OVERALL")).toList();
        assertEquals(List.of(
                List.of("ring-3", "20261206-094000", "load", "all", "all", "OVERALL", "usd_per_million_ops", "0.12", "USD",
                        "spot price of 2.5000 instance-hours over 2500000 operations"),
                List.of("ring-3", "20261206-094000", "load", "all", "all", "OVERALL", "usd_per_million_ops_on_demand",
                        "0.48", "USD", "on-demand price of 2.5000 instance-hours over 2500000 operations"),
                List.of("ring-3", "20261206-094000", "load", "all", "all", "OVERALL", "spot_saving", "75", "%",
                        "1 - spot / on-demand")), rows.stream().map(CSVRecord::toList).toList());
    }

    @Test
    void anEmptyRunStillHasTheHeader() throws IOException {
        Path csv = new Summary("t", "r").write(dir.resolve("summary.csv"));
        assertEquals(String.join(",", Summary.COLUMNS), Files.readString(csv).strip());
    }

    /** The staging command, run by /bin/sh on a node root laid out as a local node's: what exists is gathered. */
    @Test
    void aNodeGathersWhatItHas() throws Exception {
        Path root = dir.resolve("node");
        Path home = root.resolve("root");
        Files.createDirectories(root.resolve("var/lib/spotsh/results"));
        Files.writeString(root.resolve("var/lib/spotsh/results/load.out"), "\"test\",\"rps\"\n");
        Files.createDirectories(root.resolve("var/log/sysstat"));
        Files.writeString(root.resolve("var/log/sysstat/sa28"), "x");
        Files.writeString(root.resolve("var/log/sysstat/sar28"), "not a data file");
        Files.writeString(root.resolve("var/log/spotsh-boot.log"), "boot finished\n");
        Files.createDirectories(root.resolve("var/log/redis"));
        Files.writeString(root.resolve("var/log/redis/redis.log"), "ready\n");
        Files.createDirectories(home);

        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", Collector.stageCommand(List.of("var/log/redis", "var/log/absent")));
        pb.environment().put("SPOTSH_ROOT", root.toString());
        pb.environment().put("HOME", home.toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);

        Path files = home.resolve(".spotsh-collect/files");
        assertTrue(Files.isRegularFile(files.resolve("results/load.out")));
        assertTrue(Files.isRegularFile(files.resolve("sysstat/sa28")));
        assertTrue(Files.notExists(files.resolve("sysstat/sar28")));
        assertTrue(Files.isRegularFile(files.resolve("logs/spotsh-boot.log")));
        assertTrue(Files.isRegularFile(files.resolve("logs/redis/redis.log")));
    }
}
