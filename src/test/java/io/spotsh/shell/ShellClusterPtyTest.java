package io.spotsh.shell;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A new user's session through a real pseudo-terminal on the local cloud (2 nodes): the cluster prints as its test's
 * line and a row per role after launch and await, Tab after {@code nodes.} shows spotsh's members with their help
 * first, and Ctrl-C during {@code nodes.run('sleep 60')} says once that the command was cancelled.
 */
class ShellClusterPtyTest {
    private Path state;
    private Process process;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private OutputStream keys;
    private int markAt;

    @AfterEach
    void stop() throws IOException {
        if (process != null) {
            // the shell runs under script(1): ending only that would leave a failed test's spotsh running
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        io.spotsh.cloud.CloudTests.stopLocal(state);
    }

    @Test
    void clusterLineCompletionGroupsAndCancelThroughAPty() throws Exception {
        for (String tool : List.of("script", "psql", "setsid")) {
            boolean found = Arrays.stream(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Paths.get(d, tool)));
            if (!found) {
                Assumptions.assumeFalse("true".equals(System.getenv("CI")), "CI must install " + tool);
                Assumptions.abort(tool + " is not installed: no pseudo-terminal or local nodes cannot boot");
            }
        }
        state = Files.createTempDirectory("spotsh-shell-pty");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String command = "stty cols 120 rows 40; exec " + java + " -cp '" + System.getProperty("java.class.path")
                + "' io.spotsh.cli.Main --state-dir '" + state + "' --provider local";
        // Ctrl-C must reach the shell even when the test runs with SIGINT ignored (see ReplPtyTest)
        process = new ProcessBuilder("env", "--default-signal=INT", "script", "-q", "-f", "-e", "-c", command, "/dev/null")
                .redirectErrorStream(true).start();
        keys = process.getOutputStream();
        Thread reader = new Thread(() -> copy(process.getInputStream()), "pty-reader");
        reader.setDaemon(true);
        reader.start();
        await("spotsh> ", 60);

        String name = "pty-" + System.nanoTime();
        mark();
        type("cluster.launch(name: '" + name + "', dataNodes: 2, clientNodes: 0)\r");
        await("test " + name + " · generic on local", 120);
        await("expires in", 10);
        await("spotsh> ", 30);
        assertFalse(since().contains("io.spotsh.workflow.Cluster@"), since());

        mark();
        type("cluster.await(timeout: '3m', every: '1s')\r");
        await("test " + name + " · generic on local", 200);
        await("spotsh> ", 30);
        assertTrue(Pattern.compile("role\\s+requested\\s+registered\\s+reachable\\s+duds").matcher(since()).find(), since());
        assertTrue(Pattern.compile("data\\s+2\\s+2\\s+2\\s+0").matcher(since()).find(), since());

        mark();
        type("nodes.\t");
        await("spotsh (Groovy's methods too: type a letter, then Tab)", 15);
        await("run on every node at once", 10);
        Thread.sleep(300);
        assertFalse(since().contains("asCollection"), "Groovy's methods on the first screen:\n" + since());
        mark();
        type("c\t");
        await("Groovy and Java", 15);
        await("collectNested", 10);
        type("\u0015"); // Ctrl-U: drop the line

        mark();
        type("nodes.run('echo started; sleep 60')\r");
        await("data-2 | started", 30);
        type("\u0003");
        await("cancelled after", 30);
        await("spotsh> ", 30);
        String cancelled = since();
        assertFalse(cancelled.contains("Terminated"), cancelled);
        assertFalse(cancelled.contains("interrupted"), "the cancel shows as the nodes' stderr:\n" + cancelled);
        assertEquals(1, cancelled.split("cancelled after", -1).length - 1, "said once:\n" + cancelled);

        mark();
        type("cluster.terminate()\r");
        await("spotsh> ", 120);
        type("\u0004");
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "shell did not exit on Ctrl-D:\n" + text());
    }

    private void mark() {
        markAt = text().length();
    }

    private String since() {
        String all = text();
        return all.substring(Math.min(markAt, all.length()));
    }

    private void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private String text() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "");
        }
    }

    /** Waits for {@code expected} after the mark; what follows the match stays for the next wait. */
    private void await(String expected, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int from = markAt;
        while (System.nanoTime() < deadline) {
            String all = text();
            if (all.indexOf(expected, Math.min(from, all.length())) >= 0) {
                return;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        fail("expected '" + expected + "' on the terminal; it shows:\n" + text());
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (screen) {
                    screen.write(buffer, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }
}
