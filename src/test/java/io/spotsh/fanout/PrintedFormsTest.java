package io.spotsh.fanout;

import io.spotsh.collect.Results;
import io.spotsh.collect.Summary;
import io.spotsh.report.Rendering;
import io.spotsh.types.Generic;
import io.spotsh.types.Metric;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the shell prints for a node's result, a fan-out, collected results and a test type. */
class PrintedFormsTest {
    private final NodeResult ok = CannedResults.ok("data-1", "127.0.0.2", "Linux\n");
    private final NodeResult failed = CannedResults.exit("data-2", "127.0.0.3", 2, "", "first\nno such file\n");
    private final NodeResult unreachable = CannedResults.unreachable("client-1", "127.0.0.4", "no answer in 10 s");

    @Test
    void aNodesResultIsOneLineWithStatusTimeAndWhatItSaidLast() {
        assertEquals("data-1 (127.0.0.2): ok in 0.12 s", ok.toString());
        assertEquals("data-2 (127.0.0.3): exit 2 after 0.12 s; stderr: no such file", failed.toString());
        assertEquals("client-1 (127.0.0.4): connect after 10.00 s (TCP connect timeout: no answer in 10 s)", unreachable.toString());
        assertEquals(failed.toString(), Rendering.render(failed));
    }

    @Test
    void aFanOutIsItsTableWithTheSummaryUnderIt() {
        RunResult result = CannedResults.of("ls /data", List.of(ok, failed, unreachable));
        String printed = Rendering.render(result);
        String[] lines = printed.split("\n");
        assertTrue(lines[0].startsWith("node      host       status   seconds  phase    stderr"), printed);
        assertTrue(lines[3].startsWith("data-2    127.0.0.3  exit 2"), printed);
        assertTrue(lines[3].endsWith("no such file"), printed);
        assertEquals("run: ls /data — 3 nodes: 1 ok, 2 failed (connect: TCP connect timeout ×1, exec: exit 2 ×1) in 0.15 s", lines[lines.length - 1]);
        assertEquals(6, lines.length, printed);
    }

    @Test
    void collectedResultsAreTheirSummaryRowsWithWhereTheyAreUnder() {
        Summary summary = new Summary("t", "r1");
        summary.add("load", "client", "client-1", List.of(new Metric("INSERT", "ops_per_s", 1200.5, "ops/s")));
        Results results = new Results("t", "r1", Path.of("/tmp/results/t/r1"), Path.of("/tmp/results/t/r1.tar.gz"),
                Path.of("/tmp/results/t/r1/summary.csv"), summary, List.of("client-1"), Map.of("data-1", "unreachable"));
        String printed = Rendering.render(results);
        assertTrue(printed.endsWith("results of t run r1 in /tmp/results/t/r1 (1 nodes, nothing from [data-1]; summary"
                + " /tmp/results/t/r1/summary.csv, archive /tmp/results/t/r1.tar.gz)"), printed);
        assertTrue(printed.contains("INSERT"), printed);
    }

    @Test
    void aMemberAsATypeSeesItIsOneLine() {
        assertEquals("data-3 (i-0abc 10.0.0.7)", new io.spotsh.types.Member("data", 3, "i-0abc", "10.0.0.7").toString());
    }

    @Test
    void aTestTypeIsItsNameAndWhatItRuns() {
        assertEquals("test type generic — data and client nodes with nothing installed; the plan runs its own commands",
                Rendering.render(new Generic()));
    }

    @Test
    void anEmptyFanOutResultStillSaysWhatRan() {
        RunResult none = new RunResult(RunResult.Kind.COMMAND, "run: true", List.of(), Duration.ofMillis(1), false);
        assertEquals("run: true — 0 nodes: 0 ok in 0.00 s", Rendering.render(none));
    }

    @Test
    void aCancelledNodesStderrColumnIsWhatTheNodeWroteNotTheCancel() {
        NodeResult.Builder b = NodeResult.builder(new Target("data-1", "127.0.0.2", 22, "root", null), Duration.ofSeconds(2));
        b.stage = FailureStage.CANCELLED;
        b.error = "interrupted";
        NodeResult quiet = b.build();
        RunResult result = new RunResult(RunResult.Kind.COMMAND, "run: sleep 60", List.of(quiet), Duration.ofSeconds(2), true);
        assertEquals("", result.rows().get(0).get("stderr"));
        String printed = Rendering.render(result);
        assertEquals(1, printed.split("cancel", -1).length - 1 - 2, "status and phase columns, then once under the table:\n" + printed);
        assertTrue(printed.endsWith("run: sleep 60 — cancelled after 2.00 s: 1 node stopped"), printed);
    }
}
