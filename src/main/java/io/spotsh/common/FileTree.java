package io.spotsh.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting a folder with everything in it, links included (never followed). */
public final class FileTree {
    private FileTree() {
    }

    /**
     * Deletes {@code root} and all below it. A file that vanishes while the tree is walked (another process emptying
     * the same folder, as the local cloud does with a terminated instance's) is no error: the walk starts again.
     */
    public static void delete(Path root) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
                return;
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e.getCause();
                }
            } catch (java.nio.file.NoSuchFileException | java.nio.file.DirectoryNotEmptyException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    public static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (IOException ignored) {
            // best effort: a leftover temporary folder is harmless
        }
    }
}
