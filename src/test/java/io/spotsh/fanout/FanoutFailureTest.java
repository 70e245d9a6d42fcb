package io.spotsh.fanout;

import io.spotsh.fanout.ssh.LoopbackNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nodes that die, never answer, present the wrong key, or get cancelled: the others always finish. */
class FanoutFailureTest {
    @TempDir
    Path dir;

    @Test
    void aNodeThatDiesMidRunFailsAloneWithWhatItPrinted() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 4); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(
                    () -> fanout.run(cluster.targets(), "echo start; sleep 1.5; echo end"));
            Thread.sleep(700);
            cluster.node(3).server().stop(true);
            RunResult result = running.get(10, TimeUnit.SECONDS);

            NodeResult died = result.get("data-3");
            assertEquals(FailureStage.EXEC, died.getPhase(), died.toString());
            assertTrue(died.getError().startsWith("connection lost while the command ran"), died.getError());
            assertEquals("start\n", died.getStdout());
            for (String node : List.of("data-1", "data-2", "data-4")) {
                assertTrue(result.get(node).isOk(), result.get(node).toString());
                assertEquals("start\nend\n", result.get(node).getStdout());
            }
        }
    }

    @Test
    void blackHoledAndClosedNodesFailByPhaseWhileTheOthersFinish() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 3);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().connectTimeout(Duration.ofMillis(1500)).loadAwareTimeouts(false))) {
            List<Target> targets = new ArrayList<>(cluster.targets());
            targets.add(cluster.blackHole("data-4", "127.0.0.44"));
            targets.add(cluster.closedPort("data-5", "127.0.0.45"));

            long start = System.nanoTime();
            RunResult result = fanout.run(targets, "echo up");
            double seconds = (System.nanoTime() - start) / 1e9;

            assertEquals(3, result.getOk().size(), result.summary());
            NodeResult hole = result.get("data-4");
            assertEquals(FailureStage.CONNECT, hole.getPhase());
            // a full accept queue can stall the TCP handshake itself instead of the SSH one: both are the timeout
            assertTrue(hole.getError().startsWith("no SSH handshake within 1.5 s")
                    || hole.getError().startsWith("TCP connect timed out after 1.5 s"), hole.getError());
            NodeResult closed = result.get("data-5");
            assertEquals(FailureStage.CONNECT, closed.getPhase());
            assertTrue(closed.getError().startsWith("connection refused"), closed.getError());
            assertTrue(seconds >= 1.4 && seconds < 3.5, "took " + seconds + " s: the connect timeout, not a sum");
        }
    }

    /** Dead nodes wait for their greeting without a handshake permit: they time out together, not in turns. */
    @Test
    void blackHolesTimeOutTogetherNotOnePermitAfterAnother() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().maxHandshakes(1).connectTimeout(Duration.ofSeconds(1)).loadAwareTimeouts(false))) {
            List<Target> targets = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                targets.add(cluster.blackHole("hole-" + i, "127.0.0." + (60 + i)));
            }
            targets.addAll(cluster.targets());

            long start = System.nanoTime();
            RunResult result = fanout.run(targets, "echo up");
            double seconds = (System.nanoTime() - start) / 1e9;

            assertEquals(2, result.getOk().size(), result.summary());
            for (int i = 1; i <= 4; i++) {
                NodeResult hole = result.get("hole-" + i);
                assertEquals(FailureStage.CONNECT, hole.getPhase(), hole.toString());
                assertTrue(hole.getError().startsWith("no SSH handshake within 1.0 s"), hole.getError());
            }
            assertTrue(seconds < 2.5, "took " + seconds + " s: four holes with one permit would take 4 s in turns");
        }
    }

    @Test
    void cancelStopsEveryNodePromptlyAndTheConnectionsStayUsable() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 4); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            fanout.run(cluster.targets(), "true");
            int connections = cluster.totalConnections();
            CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(() -> fanout.run(cluster.targets(), "sleep 30"));
            Thread.sleep(1000);
            long cancelledAt = System.nanoTime();
            fanout.cancel();
            RunResult result = running.get(10, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - cancelledAt) / 1e9;

            assertTrue(seconds < 2.0, "returned " + seconds + " s after cancel");
            assertTrue(result.isCancelled());
            result.forEach(r -> assertEquals(FailureStage.CANCELLED, r.getPhase(), r.toString()));
            RunResult after = fanout.run(cluster.targets(), "echo again");
            assertTrue(after.allOk(), after.summary());
            assertEquals(connections, cluster.totalConnections(), "cancel kept the connections");
        }
    }

    @Test
    void nodesQueuedForAHandshakePermitReturnPromptlyOnCancel() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().maxHandshakes(1).connectTimeout(Duration.ofSeconds(5)))) {
            List<Target> holes = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                holes.add(cluster.mute("mute-" + i, "127.0.0." + (50 + i)));
            }
            CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(() -> fanout.run(holes, "true"));
            Thread.sleep(500); // one node holds the only permit, stuck in its handshake; three wait for it
            long cancelledAt = System.nanoTime();
            fanout.cancel();
            RunResult result = running.get(10, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - cancelledAt) / 1e9;

            assertTrue(seconds < 1.5, "returned " + seconds + " s after cancel");
            result.forEach(r -> assertEquals(FailureStage.CANCELLED, r.getPhase(), r.toString()));
            assertTrue(fanout.run(cluster.targets(), "true").allOk(), "the permit was given back");
        }
    }

    @Test
    void aRefusedChannelIsRetriedThenReportedAndAnExecRefusalIsNotRetried() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 3); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            cluster.node(1).server().setChannelFactories(List.of()); // every channel open is refused
            AtomicInteger execs = new AtomicInteger();
            cluster.node(2).server().setCommandFactory((channel, command) -> {
                if (command.equals("echo hi")) { // not the resident shell's start, which is refused as well
                    execs.incrementAndGet();
                }
                throw new IOException("no commands here");
            });

            RunResult result = fanout.run(cluster.targets(), "echo hi");

            NodeResult refused = result.get("data-1");
            assertEquals(FailureStage.EXEC, refused.getPhase(), refused.toString());
            assertTrue(refused.getError().startsWith("cannot open a session channel: "), refused.getError());
            NodeResult notStarted = result.get("data-2");
            assertEquals(FailureStage.EXEC, notStarted.getPhase(), notStarted.toString());
            assertTrue(notStarted.getError().startsWith("the server did not start the command"), notStarted.getError());
            assertEquals(1, execs.get(), "a command the server may have seen is never sent twice");
            assertTrue(result.get("data-3").isOk(), result.get("data-3").toString());
            assertEquals("hi\n", result.get("data-3").getStdout());
        }
    }

    @Test
    void interruptingTheCallerCancelsItsFanOut() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            Thread caller = Thread.currentThread();
            CompletableFuture.runAsync(() -> {
                sleep(800);
                caller.interrupt();
            });
            RunResult result = fanout.run(cluster.targets(), "sleep 30");

            assertTrue(Thread.interrupted(), "the interrupt flag is kept for the caller");
            assertTrue(result.isCancelled());
            result.forEach(r -> assertEquals(FailureStage.CANCELLED, r.getPhase()));
            assertTrue(fanout.run(cluster.targets(), "true").allOk());
        }
    }

    @Test
    void aDroppedConnectionIsReopenedTransparently() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            assertTrue(fanout.run(cluster.targets(), "true").allOk());
            cluster.node(1).server().getActiveSessions().forEach(s -> s.close(true));
            Thread.sleep(200);

            RunResult result = fanout.run(cluster.targets(), "echo back");

            assertTrue(result.allOk(), result.summary());
            assertEquals(2, cluster.node(1).connections().get());
            assertEquals(1, cluster.node(2).connections().get());
            assertFalse(result.get("data-1").getStdout().isEmpty());
        }
    }

    @Test
    void keepalivesHoldAnIdleConnectionOpen() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().keepAlive(Duration.ofMillis(100), 2))) {
            assertTrue(fanout.run(cluster.targets(), "true").allOk());
            Thread.sleep(1200); // a dozen probes: unanswered ones would have closed the connections by now

            assertEquals(2, fanout.openConnections());
            assertTrue(fanout.run(cluster.targets(), "true").allOk());
            assertEquals(2, cluster.totalConnections());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
