package io.spotsh.workflow;

import io.spotsh.common.Durations;
import io.spotsh.common.Log;
import io.spotsh.fanout.RunResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code phase("load") { ... }}: the seed's "between each step, push out a sysstat comment", timed and
 * recorded. A marker that cannot be written (no sysstat on a node) is reported but does not fail the phase.
 */
final class Phases {
    private final Cluster cluster;
    private final Log log;

    Phases(Cluster cluster, Log log) {
        this.cluster = cluster;
        this.log = log;
    }

    Object run(TestRun run, String name, Supplier<?> body) {
        new Launcher(cluster, log).terminateDuds(run);
        Long runId = run.record == null ? null : run.record.id;
        List<Map<String, Object>> started = cluster.registry().sql("INSERT INTO spotsh.phases (test_id, name, run_id)"
                + " SELECT id, ?, ? FROM spotsh.tests WHERE name = ? RETURNING id", name, runId, run.name);
        long id = ((Number) started.get(0).get("id")).longValue();
        cluster.event(run.name, "phase-started", null, null, name);
        log.log("Phase " + name + " started on " + mark(run, "Workload " + name + " started.") + " nodes");
        long start = System.nanoTime();
        String status = "failed";
        String message = null;
        try {
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
                cluster.registry().sql("UPDATE spotsh.phases SET finished_at = clock_timestamp(), status = ?, seconds = ?,"
                        + " message = ? WHERE id = ?", status, took.toMillis() / 1000.0, message, id);
                cluster.event(run.name, "phase-" + status, null, null, name + " in " + Durations.format(took));
                log.log("Phase " + name + " " + (status.equals("ok") ? "finished" : status) + " in " + Durations.format(took));
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Marks every registered node; returns how many took the marker, saying once why the others did not. */
    private int mark(TestRun run, String text) {
        List<Node> nodes = cluster.registeredNodes();
        if (nodes.isEmpty()) {
            return 0;
        }
        RunResult result = cluster.actions().mark(nodes, text, Map.of());
        if (!result.getFailed().isEmpty()) {
            log.log("sysstat marker '" + text + "' not written on " + result.getFailed().size() + " nodes: "
                    + result.getFailed().get(0).getError());
        }
        return result.getOk().size();
    }
}
