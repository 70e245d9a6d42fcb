package io.spotsh.shell;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shell through a real pseudo-terminal ({@code script(1)} allocates it): multi-line input, Tab,
 * Ctrl-C during an endless loop, and the shell still answering afterwards.
 */
class ReplPtyTest {
    @TempDir
    Path dir;

    private Process process;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private OutputStream keys;

    @AfterEach
    void stop() {
        if (process != null) {
            // the shell runs under script(1): ending only that would leave a failed test's spotsh running
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Test
    void multiLineTabAndCtrlCThroughAPty() throws Exception {
        Path script = Paths.get("/usr/bin/script");
        if (!Files.isExecutable(script)) {
            Assumptions.assumeFalse("true".equals(System.getenv("CI")), "CI must have script(1) (bsdutils)");
            Assumptions.abort("script(1) from bsdutils is not installed: no way to get a pseudo-terminal");
        }
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String command = "stty cols 120 rows 40; exec " + java + " -cp '" + System.getProperty("java.class.path")
                + "' io.spotsh.cli.Main --state-dir '" + dir + "'";
        // Ctrl-C must reach the shell even when this test was started with SIGINT ignored (a job put in the
        // background without job control, as `cmd &` in a script): such a disposition is inherited through exec
        process = new ProcessBuilder("env", "--default-signal=INT", script.toString(), "-q", "-f", "-e", "-c", command,
                "/dev/null")
                .redirectErrorStream(true).start();
        keys = process.getOutputStream();
        Thread reader = new Thread(() -> copy(process.getInputStream()), "pty-reader");
        reader.setDaemon(true);
        reader.start();

        await("spotsh> ", 30);
        type("def total = [1, 2,\r");
        type("3].sum()\r");
        await("6\r\n", 15);

        mark();
        type("total.toStr\t");
        await("total.toString()", 10);
        type("\r");
        await("6", 10);

        mark();
        // Ctrl-C once the loop runs (its first statement has printed), not after a guessed pause
        type("println 'spin' + 'ning'; while (true) { }\r");
        await("spinning", 15);
        type("\u0003");
        await("interrupted", 10);
        await("spotsh> ", 10);

        mark();
        type("total * 7\r");
        await("42", 10);

        type("\u0004");
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "shell did not exit on Ctrl-D:\n" + text());
        assertEquals(0, process.exitValue(), text());
        String history = Files.readString(dir.resolve("history"));
        assertTrue(history.contains("total * 7"), history);
    }

    /** Position in the terminal text (escape sequences removed) from which the next await looks. */
    private int markAt;

    private void mark() {
        markAt = text().length();
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

    private void await(String expected, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String all = text();
            int at = all.indexOf(expected, Math.min(markAt, all.length()));
            if (at >= 0) {
                markAt = at + expected.length(); // what follows the match may be the next thing awaited
                return;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        fail("expected '" + expected.replace("\r", "\\r").replace("\n", "\\n") + "' on the terminal; it shows:\n" + text());
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
