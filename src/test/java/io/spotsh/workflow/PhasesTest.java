package io.spotsh.workflow;

import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.FanoutSettings;
import io.spotsh.fanout.RunResult;
import io.spotsh.fanout.ssh.SshTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Phases on the fake cloud and the real registry: what a phase records, marks, and ends. */
class PhasesTest {
    private final HelperKit kit = new HelperKit();
    /** The fake cloud's nodes answer SSH's first line only: every marker fails, as on a node without sysstat. */
    private final FanoutSettings settings = FanoutSettings.builder().userKeys(false)
            .connectTimeout(Duration.ofSeconds(5)).retries(0, Duration.ofMillis(10), Duration.ofMillis(10)).build();
    private final Fanout fanout = new Fanout(settings, new SshTransport(settings));
    private final List<String> marks = new CopyOnWriteArrayList<>();
    private final NodeCommands commands = new NodeCommands() {
        private final NodeActions actions = new NodeActions(() -> fanout, kit.log);

        @Override
        public RunResult run(List<Node> nodes, String command, Map<String, ?> options) {
            throw new AssertionError("a phase only marks");
        }

        @Override
        public RunResult get(List<Node> nodes, String remote, Path localDir, Map<String, ?> options) {
            throw new AssertionError("a phase only marks");
        }

        @Override
        public RunResult mark(List<Node> nodes, String text, Map<String, ?> options) {
            marks.add(text + " on " + nodes.stream().map(Node::getName).toList());
            return actions.mark(nodes, text, options);
        }
    };
    private final Phases phases = new Phases(kit.records, new RegisteredNodes(kit.records), commands, kit.log);

    @AfterEach
    void close() {
        fanout.close();
        kit.close();
    }

    private Map<String, Object> phaseRow(String test) {
        List<Map<String, Object>> rows = kit.registry.sql("SELECT p.name, p.status, p.seconds, p.started_at, p.finished_at,"
                + " p.message, p.run_id FROM spotsh.phases p JOIN spotsh.tests t ON t.id = p.test_id WHERE t.name = ?", test);
        assertEquals(1, rows.size(), rows.toString());
        return rows.get(0);
    }

    /** A test whose instances never phone home: no node to mark. */
    private TestRun nodeless(String name) {
        return kit.launchWithADud(name, 1, 0);
    }

    @Test
    void aPhaseMarksEveryNodeAtStartAndEndAndIsRecordedOkEvenWhenAMarkerCannotBeWritten() throws InterruptedException {
        String name = HelperKit.unique("phase");
        TestRun run = kit.launch(name, 2, 0);
        kit.awaitRegistered(run, 2);

        Object result = phases.run(run, "load", () -> "done");

        assertEquals("done", result);
        assertEquals(List.of("Workload load started. on [data-1, data-2]", "Workload load finished. on [data-1, data-2]"), marks);
        assertTrue(kit.logged().contains("sysstat marker 'Workload load started.' not written on 2 nodes: "), kit.logged());
        assertTrue(kit.logged().contains("Phase load started on 0 nodes"), kit.logged());
        Map<String, Object> row = phaseRow(name);
        assertEquals("load", row.get("name"));
        assertEquals("ok", row.get("status"));
        assertTrue(((Number) row.get("seconds")).doubleValue() >= 0, row.toString());
        assertFalse(((OffsetDateTime) row.get("finished_at")).isBefore((OffsetDateTime) row.get("started_at")), row.toString());
        assertNull(row.get("message"));
        assertNull(row.get("run_id"), "no run started yet");
        List<Object> kinds = kit.registry.events(name).stream().map(e -> e.get("kind")).toList();
        assertTrue(kinds.containsAll(List.of("phase-started", "phase-ok")), kinds.toString());
    }

    @Test
    void aFailingPhaseIsRecordedFailedWithItsMessageAndTheErrorGoesOn() {
        String name = HelperKit.unique("failing");
        TestRun run = nodeless(name);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> phases.run(run, "read", () -> {
            throw new IllegalStateException("ycsb exited 1");
        }));

        assertEquals("ycsb exited 1", e.getMessage());
        Map<String, Object> row = phaseRow(name);
        assertEquals("failed", row.get("status"));
        assertEquals("ycsb exited 1", row.get("message"));
        assertNotNull(row.get("finished_at"));
        assertTrue(kit.logged().contains("Phase read failed in "), kit.logged());
        assertTrue(marks.isEmpty(), "no registered node, no marker");
    }

    @Test
    void anInterruptedPhaseIsRecordedInterruptedAndTheInterruptKept() {
        String name = HelperKit.unique("interrupted");
        TestRun run = nodeless(name);

        assertThrows(RuntimeException.class, () -> phases.run(run, "load", () -> {
            Thread.currentThread().interrupt();
            throw new RuntimeException("cancelled");
        }));

        assertTrue(Thread.interrupted(), "the caller still sees the interrupt");
        assertEquals("interrupted", phaseRow(name).get("status"));
    }

    @Test
    void aPhaseBelongsToTheRunUnderWayAndTheFirstEndsTheKeptDuds() {
        String name = HelperKit.unique("in-run");
        TestRun run = nodeless(name);
        String dud = kit.dud();
        kit.launcher().replace(run, List.of(dud), false);
        run.record = new RunRecord(kit.records.startRun(name, "results/" + name + "/r1"), "r1");

        phases.run(run, "load", () -> null);

        assertFalse(kit.cloud.instances.get(dud).state().live(), "duds kept so far end when the first phase starts");
        assertEquals(run.record.id, ((Number) phaseRow(name).get("run_id")).longValue());
        String phasesOfRun = (String) kit.registry.runs(name).get(0).get("phases");
        assertTrue(phasesOfRun.startsWith("load ok"), phasesOfRun);
    }
}
