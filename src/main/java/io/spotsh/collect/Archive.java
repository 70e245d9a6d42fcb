package io.spotsh.collect;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** One {@code .tar.gz} of a run's results folder, entries under the folder's own name, as {@code tar czf} makes it. */
final class Archive {
    private Archive() {
    }

    static Path tarGz(Path dir, Path archive) {
        Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial));
             GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz);
             Stream<Path> walk = Files.walk(dir)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            List<Path> paths = walk.sorted().toList();
            for (Path p : paths) {
                String name = dir.getFileName() + (p.equals(dir) ? "" : "/" + dir.relativize(p).toString().replace('\\', '/'));
                if (Files.isSymbolicLink(p)) {
                    continue;  // nothing a run collects is a link; never follow one out of the folder
                }
                TarArchiveEntry entry = new TarArchiveEntry(p.toFile(), Files.isDirectory(p) ? name + "/" : name);
                tar.putArchiveEntry(entry);
                if (Files.isRegularFile(p)) {
                    Files.copy(p, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the archive " + archive + ": " + e.getMessage(), e);
        }
        try {
            Files.move(partial, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + partial + " to " + archive + ": " + e.getMessage(), e);
        }
        return archive;
    }
}
