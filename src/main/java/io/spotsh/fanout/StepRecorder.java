package io.spotsh.fanout;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs one node's step and records it as a {@link NodeResult}: times it, keeps its output, and turns a failure into
 * the result's {@link FailureStage} and reason. Never throws for a node-level failure.
 */
final class StepRecorder {
    private final Remote remote;
    private final NodeOutput output;
    private final long start = System.nanoTime();

    StepRecorder(Remote remote, int tailBytes, OutputListener lines) {
        this.remote = remote;
        this.output = new NodeOutput(remote.target(), tailBytes, lines);
    }

    NodeResult run(String command, Budget budget) {
        output.cancelledBy(budget.token());
        return record(() -> remote.exec(command, output, budget));
    }

    /** Sends the command when the node can take it at once ({@link Remote#start}); null when {@link #run} must. */
    Remote.Started start(String command, Budget budget) {
        output.cancelledBy(budget.token());
        return remote.start(command, output, budget);
    }

    /** The result of a command {@link #start} sent: waits for its end as {@link #run} would. */
    NodeResult finish(Remote.Started started) {
        return record(started::finish);
    }

    private NodeResult record(Supplier<Remote.Exit> step) {
        NodeResult.Builder result;
        try {
            Remote.Exit exit = step.get();
            result = done();
            result.exitStatus = exit.status();
            result.signal = exit.signal();
            if (exit.status() == null || exit.status() != 0) {
                result.stage = FailureStage.EXEC;
                result.error = exit.signal() != null ? "killed by signal " + exit.signal()
                        : exit.status() == null ? "the command ended without an exit status" : "exit status " + exit.status();
            }
        } catch (FanoutException e) {
            result = failed(done(), e);
        } catch (RuntimeException e) {
            result = done();
            result.stage = FailureStage.EXEC;
            result.why = FailureCause.INTERNAL;
            result.error = "internal error: " + e;
        }
        return result.build();
    }

    /** A put or get: bytes moved, or the failure. */
    static NodeResult transfer(Remote remote, LongSupplier step) {
        long start = System.nanoTime();
        NodeResult.Builder result;
        try {
            long bytes = step.getAsLong();
            result = NodeResult.builder(remote.target(), Duration.ofNanos(System.nanoTime() - start));
            result.bytes = bytes;
        } catch (FanoutException e) {
            result = failed(NodeResult.builder(remote.target(), Duration.ofNanos(System.nanoTime() - start)), e);
        }
        return result.build();
    }

    private NodeResult.Builder done() {
        output.finish();
        return output.into(NodeResult.builder(remote.target(), Duration.ofNanos(System.nanoTime() - start)));
    }

    private static NodeResult.Builder failed(NodeResult.Builder result, FanoutException e) {
        result.stage = e.stage() == null ? FailureStage.EXEC : e.stage();
        result.why = e.why();
        result.error = e.reason();
        return result;
    }
}
