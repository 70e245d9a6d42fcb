package io.spotsh.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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

    /**
     * Each node's task is started by {@code launch}, on this thread; it returns the task's future result. This
     * thread then sleeps until the last node ended (each node's end counts down one latch, so a thousand nodes
     * ending wake it once, not once a node) or the fan-out was cancelled and its grace ran out.
     */
    static List<NodeResult> run(List<Target> targets, ScheduledExecutorService timers, Cancellation token,
                                Duration deadline, Duration grace,
                                Function<Target, CompletableFuture<NodeResult>> launch) {
        ScheduledFuture<?> deadlineTimer = deadline == null ? null : timers.schedule(
                () -> token.cancel(FailureStage.TIMEOUT, "the overall deadline of " + seconds(deadline) + " passed"),
                deadline.toNanos(), TimeUnit.NANOSECONDS);
        CountDownLatch running = new CountDownLatch(targets.size());
        List<CompletableFuture<NodeResult>> futures = new ArrayList<>(targets.size());
        boolean interrupted = false;
        try {
            for (Target target : targets) {
                CompletableFuture<NodeResult> f = launch.apply(target);
                f.whenComplete((r, e) -> running.countDown());
                futures.add(f);
            }
            Long windUpBy = null;
            while (running.getCount() > 0) {
                if (token.isCancelled() && windUpBy == null) {
                    windUpBy = System.nanoTime() + grace.toNanos();
                }
                long wait = windUpBy == null ? POLL_NANOS : Math.min(POLL_NANOS, windUpBy - System.nanoTime());
                if (wait <= 0) {
                    break;
                }
                try {
                    running.await(wait, TimeUnit.NANOSECONDS); // wakes early only when every node ended
                } catch (InterruptedException e) {
                    interrupted = true;
                    token.cancel(FailureStage.CANCELLED, "interrupted");
                }
            }
        } finally {
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        List<NodeResult> results = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            results.add(result(targets.get(i), futures.get(i), token));
        }
        return results;
    }

    /** A node's result; one that did not end in time gets the fan-out's cancellation as its failure. */
    private static NodeResult result(Target target, CompletableFuture<NodeResult> future, Cancellation token) {
        if (!future.isDone()) {
            return NodeResult.failed(target, token.stage(), token.cause(),
                    token.reason() + " (the node did not wind up in time)", Duration.ZERO);
        }
        try {
            return future.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return NodeResult.failed(target, FailureStage.EXEC, FailureCause.INTERNAL, "internal error: " + cause,
                    Duration.ZERO);
        }
    }

    static String seconds(Duration d) {
        return String.format("%.1f s", d.toNanos() / 1e9);
    }
}
