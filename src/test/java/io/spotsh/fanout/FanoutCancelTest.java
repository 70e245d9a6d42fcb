package io.spotsh.fanout;

import io.spotsh.fanout.ssh.LoopbackNodes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C during {@code nodes.run('sleep 60')} on real SSH servers: the remote shell's own notice of the job it lost
 * ("Terminated") is the fan-out's doing, not the node's, so it shows neither live nor as the node's stderr; what the
 * command itself wrote to stderr stays; the summary says once that the run was cancelled.
 */
class FanoutCancelTest {
    @TempDir
    Path dir;

    /** What the node runs: its own stderr line, then a job whose end its shell reports as sh does ("Terminated"). */
    private static final String COMMAND = "echo mine >&2; trap 'echo Terminated >&2; exit 143' TERM; sleep 30 & wait";

    @ParameterizedTest(name = "resident shell {0}")
    @ValueSource(booleans = {true, false})
    void aCancelledRunKeepsTheNodesOwnStderrAndSaysCancelledOnce(boolean resident) throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 3);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().residentShell(resident))) {
            List<String> live = new CopyOnWriteArrayList<>();
            OutputListener listener = (node, stream, line) -> live.add(node.name() + " " + stream + " " + line);
            CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(() -> fanout.run(cluster.targets(),
                    COMMAND, RunOptions.defaults().withListener(listener)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (live.stream().filter(l -> l.endsWith("STDERR mine")).count() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(3, live.stream().filter(l -> l.endsWith("STDERR mine")).count(), live.toString());
            fanout.cancel();
            RunResult result = running.get(20, TimeUnit.SECONDS);
            Thread.sleep(300); // a late notice would arrive now

            assertTrue(result.isCancelled());
            for (NodeResult r : result) {
                assertEquals(FailureStage.CANCELLED, r.getPhase(), r.toString());
                assertEquals("mine", r.getStderr().strip(), r.getName() + "'s stderr");
                assertEquals("mine", r.getLastStderrLine());
            }
            assertFalse(live.stream().anyMatch(l -> l.contains("Terminated") || l.contains("Killed")), live.toString());
            assertEquals(3, live.size(), live.toString());
            String summary = result.summary();
            assertTrue(summary.startsWith("run: " + COMMAND + " — cancelled"), summary);
            assertEquals(1, summary.split("cancel", -1).length - 1, summary);
        }
    }
}
