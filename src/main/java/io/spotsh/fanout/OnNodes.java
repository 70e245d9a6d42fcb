package io.spotsh.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs one task per node at once and collects node → result, after Jepsen's {@code on-nodes}. The calling thread
 * starts each node's task (on a worker, or sent at once: see {@code Fanout.commands}) and then only waits: an
 * interrupt of it, or the overall deadline, trips the fan-out's cancellation, and nodes that have
 * not wound up within the grace period after that are reported as cancelled (or timed out) so the call returns
 * promptly even if a node hangs.
 */
final class OnNodes {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private OnNodes() {
    }

    /** Each node's task is started by {@code launch}, on this thread; it returns the task's future result. */
    static List<NodeResult> run(List<Target> targets, ScheduledExecutorService timers, Cancellation token,
                                Duration deadline, Duration grace, Function<Target, Future<NodeResult>> launch) {
        ScheduledFuture<?> deadlineTimer = deadline == null ? null : timers.schedule(
                () -> token.cancel(FailureStage.TIMEOUT, "the overall deadline of " + seconds(deadline) + " passed"),
                deadline.toNanos(), TimeUnit.NANOSECONDS);
        List<Future<NodeResult>> futures = new ArrayList<>();
        for (Target target : targets) {
            futures.add(launch.apply(target));
        }
        boolean interrupted = false;
        Long windUpBy = null;
        List<NodeResult> results = new ArrayList<>();
        try {
            for (int i = 0; i < targets.size(); i++) {
                NodeResult result = null;
                while (result == null) {
                    if (token.isCancelled() && windUpBy == null) {
                        windUpBy = System.nanoTime() + grace.toNanos();
                    }
                    long wait = windUpBy == null ? POLL_NANOS : Math.min(POLL_NANOS, windUpBy - System.nanoTime());
                    if (wait <= 0) {
                        break;
                    }
                    try {
                        result = futures.get(i).get(wait, TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        // poll again: the fan-out may have been cancelled meanwhile
                    } catch (InterruptedException e) {
                        interrupted = true;
                        token.cancel(FailureStage.CANCELLED, "interrupted");
                    } catch (ExecutionException e) {
                        result = NodeResult.failed(targets.get(i), FailureStage.EXEC, FailureCause.INTERNAL, "internal error: " + e.getCause(), Duration.ZERO);
                    }
                }
                results.add(result != null ? result : NodeResult.failed(targets.get(i), token.stage(),
                        token.cause(), token.reason() + " (the node did not wind up in time)", Duration.ZERO));
            }
        } finally {
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return results;
    }

    static String seconds(Duration d) {
        return String.format("%.1f s", d.toNanos() / 1e9);
    }
}
