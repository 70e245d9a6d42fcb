package io.spotsh.tools;

import io.spotsh.common.BadInput;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/** Runs an installer (apt-get, mvn) to the end, handing each output line on and keeping the last ones for errors. */
final class Processes {
    static final int TAIL_LINES = 15;

    private Processes() {
    }

    /** Null when it exited 0; else its last lines of output and its exit status. Its stderr must be merged into stdout. */
    static List<String> run(ProcessBuilder pb, String what, Consumer<String> lines) {
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BadInput("cannot run " + what + ": " + e.getMessage(), e);
        }
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.accept(line);
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) {
                    tail.removeFirst();
                }
            }
            int exit = p.waitFor();
            if (exit == 0) {
                return null;
            }
            List<String> failed = new ArrayList<>(tail);
            failed.add("(" + what + " exited with status " + exit + ")");
            return failed;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the output of " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " ran", e);
        }
    }
}
