package io.spotsh.workflow;

import io.spotsh.common.Durations;
import io.spotsh.common.Log;
import io.spotsh.fanout.RunResult;
import io.spotsh.registry.TestRecords;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code phase("load") { ... }}: a sysstat comment on every node at the start and end of each step, so the
 * metrics show which step they belong to; the phase is timed and recorded (start, end, status, seconds). The
 * first phase ends the duds kept so far. A marker that cannot be written (no sysstat on a node) is reported
 * but does not fail the phase.
 */
final class Phases {
    private final TestRecords records;
    private final RegisteredNodes nodes;
    private final NodeCommands commands;
    private final Log log;

    Phases(TestRecords records, RegisteredNodes nodes, NodeCommands commands, Log log) {
        this.records = records;
        this.nodes = nodes;
        this.commands = commands;
        this.log = log;
    }

    Object run(TestRun run, String name, Supplier<?> body) {
        run.endKeptDuds(log);
        long id = records.startPhase(run.name, name, run.record == null ? null : run.record.id);
        records.event(run.name, "phase-started", null, null, name);
        log.log("Phase " + name + " started on " + mark(run, "Workload " + name + " started.") + " nodes");
        long start = System.nanoTime();
        OffsetDateTime startedAt = OffsetDateTime.now();
        String status = "failed";
        String message = null;
        try (InterruptionWatch watch = InterruptionWatch.start(records, run, log)) {
            Object result = body.get();
            status = "ok";
            return result;
        } catch (RuntimeException e) {
            status = Thread.currentThread().isInterrupted() ? "interrupted" : "failed";
            message = e.getMessage();
            throw e;
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            boolean interrupted = Thread.interrupted(); // the end marker and record must still be written
            try {
                mark(run, "Workload " + name + " finished.");
                message = flagInterrupted(run, name, startedAt, message);
                records.endPhase(id, status, took.toMillis() / 1000.0, message);
                records.event(run.name, "phase-" + status, null, null, name + " in " + Durations.format(took));
                log.log("Phase " + name + " " + (status.equals("ok") ? "finished" : status) + " in " + Durations.format(took));
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * The phase's message with the nodes a spot interruption took (or will take) from it, said once more in the
     * log: their results in this phase may be partial.
     */
    private String flagInterrupted(TestRun run, String name, OffsetDateTime startedAt, String message) {
        InterruptionWatch.show(records, run, log);  // a notice that came in the last second
        List<TestRecords.InterruptionNotice> lost = InterruptionWatch.during(records, run.name,
                startedAt.minusSeconds(1), OffsetDateTime.now().plusSeconds(1));
        if (lost.isEmpty()) {
            return message;
        }
        List<String> which = lost.stream().map(n -> n.role() + "-" + n.number() + " (" + n.instanceId() + ") at "
                + InterruptionWatch.clock(n.at().toInstant())).toList();
        String flag = "spot interruption: " + String.join(", ", which);
        log.log("Phase " + name + ": " + flag + "; its results from " + (lost.size() == 1 ? "that node" : "those nodes")
                + " may be partial");
        return message == null ? flag : message + "; " + flag;
    }

    /** Marks every registered node; returns how many took the marker, saying once why the others did not. */
    private int mark(TestRun run, String text) {
        List<Node> on = nodes.of(run);
        if (on.isEmpty()) {
            return 0;
        }
        RunResult result = commands.mark(on, text, Map.of());
        if (!result.getFailed().isEmpty()) {
            log.log("sysstat marker '" + text + "' not written on " + result.getFailed().size() + " nodes: "
                    + result.getFailed().get(0).getError());
        }
        return result.getOk().size();
    }
}
