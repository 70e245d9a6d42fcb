package io.spotsh.fanout;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Remote} is the one seam between the engine and SSH: SSHJ appears only under {@code io.spotsh.fanout.ssh},
 * and the engine's own package does not reach into the transport's. Scans the main sources.
 */
class TransportSeamTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Path SSH = Path.of("src/main/java/io/spotsh/fanout/ssh");
    private static final Path ENGINE = Path.of("src/main/java/io/spotsh/fanout");
    private static final Pattern SSHJ = Pattern.compile("\\b(net\\.schmizz|com\\.hierynomus)\\.");
    private static final Pattern TRANSPORT = Pattern.compile("\\bio\\.spotsh\\.fanout\\.ssh\\b");

    @Test
    void sshjIsUsedOnlyUnderTheSshPackage() throws IOException {
        assertTrue(Files.isDirectory(SSH), "run from the project directory: " + SSH.toAbsolutePath());
        // SSHJ's own package holds spotsh's patched copy of its transport reader (see scripts/bench/scale.sh): SSHJ itself
        List<Path> outside = matching(sources().filter(f -> !f.startsWith(SSH) && !f.startsWith(Path.of("src/main/java/net/schmizz"))), SSHJ);
        assertEquals(List.of(), outside, "files outside io.spotsh.fanout.ssh that use SSHJ (net.schmizz, com.hierynomus)");
    }

    @Test
    void theEngineDoesNotImportTheTransport() throws IOException {
        List<Path> engine = matching(sources().filter(f -> f.getParent().equals(ENGINE)), TRANSPORT);
        assertEquals(List.of(), engine, "engine files that use io.spotsh.fanout.ssh (the engine sees only Remote and Transport)");
    }

    private static Stream<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList().stream();
        }
    }

    /** The files with a line, outside comments, that {@code pattern} finds. */
    private static List<Path> matching(Stream<Path> files, Pattern pattern) {
        return files.filter(f -> {
            try (Stream<String> lines = Files.lines(f)) {
                return lines.map(String::strip)
                        .filter(l -> !l.startsWith("*") && !l.startsWith("/*") && !l.startsWith("//"))
                        .anyMatch(l -> pattern.matcher(l).find());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }
}
