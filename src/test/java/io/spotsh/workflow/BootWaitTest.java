package io.spotsh.workflow;

import io.spotsh.common.Log;
import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.RunOptions;
import io.spotsh.fanout.RunResult;
import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.LoopbackNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BootWait against real SSH servers on loopback: each node's boot status is the file its boot script writes
 * ({@code $SPOTSH_ROOT/etc/spotsh/boot-status}), read over the real fan-out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BootWaitTest {
    private LoopbackNodes cluster;
    private Fanout fanout;
    private Path roots;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final Log log = new Log(new PrintStream(logged, true, StandardCharsets.UTF_8));
    private final TestRun run = new TestRun("boot-wait", "generic", null, "local-a", "m5d.xlarge", null, Map.of(),
            false, true);

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        cluster = LoopbackNodes.start(dir, 3);
        fanout = LoopbackNodes.fanout(cluster.settings());
        roots = dir.resolve("boot-roots");
    }

    @AfterAll
    void stop() throws IOException {
        fanout.close();
        cluster.close();
    }

    @BeforeEach
    void freshRoots() throws IOException {
        logged.reset();
        for (int i = 1; i <= 3; i++) {
            Path etc = roots.resolve("data-" + i).resolve("etc/spotsh");
            Files.createDirectories(etc);
            Files.deleteIfExists(etc.resolve("boot-status"));
        }
    }

    @Test
    void returnsAtOnceWhenEveryNodeBooted() {
        for (int i = 1; i <= 3; i++) {
            status(i, "ok");
        }
        bootWait().untilFinished(run);
        assertEquals("", logged(), "nothing to say when no node was still booting");
    }

    @Test
    void waitsForANodeStillBootingAndSaysWhich() throws Exception {
        status(1, "ok");
        status(3, "ok");  // data-2 has no status yet: its boot script is still running
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> bootWait().untilFinished(run));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!logged().contains("Waiting for") && System.nanoTime() < deadline && !waiting.isDone()) {
            Thread.sleep(20);
        }
        assertTrue(logged().contains("Waiting for 1 nodes to finish booting: [data-2]"), logged());
        assertFalse(waiting.isDone(), "returned before data-2 finished booting");
        status(2, "ok");
        waiting.get(60, TimeUnit.SECONDS);
        assertTrue(logged().contains("All 3 nodes finished booting"), logged());
    }

    @Test
    void aFailedBootNamesTheNodeItsInstanceAndTheBootLogTail() throws IOException {
        status(1, "ok");
        status(2, "failed: role setup");
        status(3, "ok");
        Path logFile = roots.resolve("data-2").resolve("var/log/spotsh-boot.log");
        Files.createDirectories(logFile.getParent());
        Files.writeString(logFile, "2026-01-02 05:05:02 role setup\n2026-01-02 05:05:03 boot failed: role setup\n");
        WorkflowException e = assertThrows(WorkflowException.class, () -> bootWait().untilFinished(run));
        assertEquals("test boot-wait: 1 nodes failed their boot: data-2 (i-0000000000000002): boot failed: role setup;"
                + " boot log: 2026-01-02 05:05:02 role setup | 2026-01-02 05:05:03 boot failed: role setup", e.getMessage());
    }

    private BootWait bootWait() {
        List<Node> nodes = cluster.targets().stream().map(t -> new Node(run.name, "data",
                Integer.parseInt(t.name().substring("data-".length())), "i-000000000000000" + t.name().charAt(5),
                t.host(), "host-" + t.name(), t.port(), t.hostKey())).toList();
        return new BootWait(r -> nodes, new LoopbackCommands(), log);
    }

    private void status(int node, String text) {
        try {
            Files.writeString(roots.resolve("data-" + node).resolve("etc/spotsh/boot-status"), text + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String logged() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    /** Runs on the loopback nodes with each node's own boot root as {@code SPOTSH_ROOT}, as a local node has it. */
    private final class LoopbackCommands implements NodeCommands {
        @Override
        public RunResult run(List<Node> nodes, String command, Map<String, ?> options) {
            List<Target> targets = cluster.targets().stream()
                    .filter(t -> nodes.stream().anyMatch(n -> n.getName().equals(t.name()))).toList();
            return fanout.run(targets, "SPOTSH_ROOT='" + roots + "'/$NODE; " + command, RunOptions.from(options));
        }

        @Override
        public RunResult get(List<Node> nodes, String remote, Path localDir, Map<String, ?> options) {
            throw new AssertionError("waiting for boots only reads the status");
        }

        @Override
        public RunResult mark(List<Node> nodes, String text, Map<String, ?> options) {
            throw new AssertionError("waiting for boots only reads the status");
        }
    }
}
