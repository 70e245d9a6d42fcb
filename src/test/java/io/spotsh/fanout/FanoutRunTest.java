package io.spotsh.fanout;

import io.spotsh.fanout.ssh.LoopbackNodes;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands on four real SSH servers: results, exit codes, output handling, reuse of connections. Commands go to
 * each node's resident shell; {@link FanoutRunSessionsTest} runs the same with a session per command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FanoutRunTest {
    LoopbackNodes cluster;
    Fanout fanout;

    /** The engine's settings for this class's runs. */
    FanoutSettings.Builder configure(FanoutSettings.Builder settings) {
        return settings;
    }

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        cluster = LoopbackNodes.start(dir, 4);
        fanout = LoopbackNodes.fanout(configure(cluster.settings()));
    }

    @AfterAll
    void stop() throws IOException {
        fanout.close();
        cluster.close();
    }

    @Test
    void resultsAndExitCodesPerNode() {
        RunResult result = fanout.run(cluster.targets(),
                "echo hello from $NODE; echo warning on $NODE >&2; [ \"$NODE\" = data-2 ] && exit 3; exit 0");

        assertEquals(4, result.size());
        assertEquals(3, result.getOk().size());
        NodeResult failed = result.get("data-2");
        assertEquals(Integer.valueOf(3), failed.getExitStatus());
        assertEquals(FailureStage.EXEC, failed.getPhase());
        assertEquals("exit 3", failed.getStatus());
        assertEquals("warning on data-2", failed.getLastStderrLine());
        NodeResult ok = result.get("data-4");
        assertTrue(ok.isOk());
        assertEquals(Integer.valueOf(0), ok.getExitStatus());
        assertEquals("hello from data-4\n", ok.getStdout());
        assertEquals("warning on data-4\n", ok.getStderr());
        assertTrue(ok.getDuration().toNanos() > 0);
        assertTrue(result.summary().contains("3 ok, 1 failed (exec: exit 3 ×1)"), result.summary());
    }

    @Test
    void tableCsvAndCheckNameEveryFailedNode() throws IOException {
        RunResult result = fanout.run(cluster.targets(), "echo oops >&2; [ \"$NODE\" = data-1 ] || [ \"$NODE\" = data-3 ]");

        String table = result.table().render();
        assertTrue(table.contains("node") && table.contains("stderr") && table.contains("exit 1"), table);
        List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(result.toCsv())).getRecords();
        assertEquals(4, rows.size());
        assertEquals("data-2", rows.get(1).get("node"));
        assertEquals("1", rows.get(1).get("exit_status"));
        assertEquals("exec", rows.get(1).get("phase"));

        CheckFailedException e = assertThrows(CheckFailedException.class, result::check);
        assertTrue(e.getMessage().startsWith("2 of 4 nodes failed"), e.getMessage());
        for (String node : List.of("data-2", "data-4")) {
            Target t = result.get(node).getTarget();
            assertTrue(e.getMessage().contains(node + " (" + t.host() + ":" + t.port() + "): exit 1 [exec]"), e.getMessage());
        }
        assertTrue(e.getMessage().contains("oops"), e.getMessage());
        assertThrows(CheckFailedException.class, () -> fanout.run(cluster.targets(), "false", RunOptions.defaults().withCheck(true)));
    }

    @Test
    void liveLinesArePrefixedAndGroupedOutputFoldsNodes() {
        ByteArrayOutputStream live = new ByteArrayOutputStream();
        PrefixedPrinter printer = new PrefixedPrinter(new PrintStream(live, true, StandardCharsets.UTF_8), cluster.targets(),
                false);
        RunResult result = fanout.run(cluster.targets(), "echo same; [ \"$NODE\" = data-3 ] && echo odd; true",
                RunOptions.defaults().withListener(printer));
        printer.flush();

        assertTrue(live.toString().contains("data-1 | same\n"), live.toString());
        assertTrue(live.toString().contains("data-3 | odd\n"), live.toString());
        String grouped = result.grouped();
        assertTrue(grouped.contains("---- data-[1-2,4] (3) ----\nsame\n"), grouped);
        assertTrue(grouped.contains("---- data-3 (1) ----\nsame\nodd\n"), grouped);

        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        fanout.run(cluster.targets(), "echo x", RunOptions.defaults().withQuiet(true)
                .withListener(new PrefixedPrinter(new PrintStream(quiet, true, StandardCharsets.UTF_8), cluster.targets(),
                        true)));
        assertEquals("", quiet.toString());
    }

    @Test
    void secondRunOpensNoNewConnection() {
        fanout.run(cluster.targets(), "true");
        int serverSide = cluster.totalConnections();
        long clientSide = fanout.connectionsOpened();

        RunResult again = fanout.run(cluster.targets(), "echo again");

        assertTrue(again.allOk());
        assertEquals(serverSide, cluster.totalConnections());
        assertEquals(clientSide, fanout.connectionsOpened());
        assertEquals(4, fanout.openConnections());
        assertTrue(serverSide <= 4, "one connection per node, got " + serverSide);
    }

    @Test
    void stdoutAndStderrAreDrainedTogetherAndBounded() throws IOException {
        try (Fanout small = LoopbackNodes.fanout(configure(cluster.settings()).outputTailBytes(64 * 1024))) {
            RunResult result = small.run(cluster.targets().subList(0, 2),
                    "head -c 3000000 /dev/zero | tr '\\0' e >&2 & head -c 3000000 /dev/zero | tr '\\0' o; wait");

            for (NodeResult r : result) {
                assertTrue(r.isOk(), r.toString());
                assertEquals(3_000_000, r.getStdoutBytes());
                assertEquals(3_000_000, r.getStderrBytes());
                assertEquals(64 * 1024, r.getStdout().length());
                assertTrue(r.getStdout().chars().allMatch(c -> c == 'o'));
                assertTrue(r.isTruncated());
            }
        }
    }

    @Test
    void commandsReadingStdinSeeEndOfInput() {
        RunResult result = fanout.run(cluster.targets(), "cat; echo done", RunOptions.defaults().withTimeout(Duration.ofSeconds(5)));
        assertTrue(result.allOk(), result.summary());
        assertEquals("done\n", result.get("data-1").getStdout());
    }

    @Test
    void perCommandTimeoutStopsTheCommandAndKeepsWhatItPrinted() {
        long start = System.nanoTime();
        RunResult result = fanout.run(cluster.targets(), "echo before; sleep 30; echo after",
                RunOptions.defaults().withTimeout(Duration.ofSeconds(1)));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertTrue(seconds < 4, "took " + seconds + " s");
        for (NodeResult r : result) {
            assertEquals(FailureStage.TIMEOUT, r.getPhase(), r.toString());
            assertEquals("before\n", r.getStdout());
            assertTrue(r.getError().startsWith("timed out after 1.0 s"), r.getError());
        }
        assertTrue(fanout.run(cluster.targets(), "echo still usable").allOk());
    }

    @Test
    void overallDeadlineBoundsTheWholeFanOut() {
        RunResult result = fanout.run(cluster.targets(), "sleep 30", RunOptions.defaults().withDeadline(Duration.ofSeconds(1)));
        assertEquals(4, result.getFailed().size());
        assertTrue(result.getDuration().toMillis() < 3500, result.summary());
        result.forEach(r -> assertEquals(FailureStage.TIMEOUT, r.getPhase()));
        assertTrue(result.get("data-1").getError().contains("overall deadline"), result.get("data-1").getError());
        assertFalse(result.isCancelled());
    }

    @Test
    void namedOptionsFromAPlan() {
        RunOptions options = RunOptions.from(java.util.Map.of("timeout", "2m", "check", true, "grouped", true));
        assertEquals(Duration.ofMinutes(2), options.timeout());
        assertTrue(options.check());
        assertEquals(OutputListener.NONE, options.withListener((n, s, l) -> { }).linesTo());
        assertThrows(FanoutException.class, () -> RunOptions.from(java.util.Map.of("timout", 3)));
    }
}
