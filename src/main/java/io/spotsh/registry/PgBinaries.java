package io.spotsh.registry;

import io.spotsh.common.FileTree;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL server binaries shipped inside the jar (zonky's bundle), unpacked once into
 * {@code <dir>/<key>/} where the key changes with the bundle. Unpacking goes to a temporary
 * folder renamed into place, so two processes racing both end up with a complete copy.
 */
final class PgBinaries {
    private static final PosixFilePermission[] MODE_BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    private final Path dir;

    PgBinaries(Path dir) {
        this.dir = dir;
    }

    /** The folder holding {@code bin/}, {@code lib/} and {@code share/}, unpacking it first if needed. */
    Path ensure() {
        String system = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        Path target = dir.resolve(bundleKey(system, arch));
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
            return target;
        }
        Path tmp = dir.resolve(".unpack-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createDirectories(dir);
            try (InputStream txz = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, arch)) {
                unpack(txz, tmp);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raceLost) {
                FileTree.delete(tmp);
            }
            return target;
        } catch (IOException | RuntimeException e) {
            FileTree.deleteQuietly(tmp);
            throw new RegistryServerException("cannot unpack PostgreSQL binaries for " + system + "/" + arch
                    + " into " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Names the bundle by its size and CRC, read from the jar's directory without unpacking,
     * so an upgraded bundle lands beside the old one instead of mixing with it.
     */
    private static String bundleKey(String system, String arch) {
        String name = String.format("postgres-%s-%s.txz", system.toLowerCase(Locale.ROOT).replace(" ", ""),
                arch.equals("amd64") ? "x86_64" : arch.equals("aarch64") ? "arm_64" : arch);
        URL url = PgBinaries.class.getClassLoader().getResource(name);
        if (url == null) {
            return "pg-" + name.replace(".txz", "");
        }
        try {
            URLConnection connection = url.openConnection();
            if (connection instanceof JarURLConnection) {
                var entry = ((JarURLConnection) connection).getJarEntry();
                return "pg-" + Long.toHexString(entry.getSize()) + "-" + Long.toHexString(entry.getCrc());
            }
            return "pg-" + Long.toHexString(connection.getContentLengthLong()) + "-"
                    + Long.toHexString(connection.getLastModified());
        } catch (IOException e) {
            throw new RegistryServerException("cannot read " + url + ": " + e.getMessage(), e);
        }
    }

    private static void unpack(InputStream txz, Path into) throws IOException {
        Files.createDirectories(into);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(txz)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = into.resolve(entry.getName()).normalize();
                if (!path.startsWith(into)) {
                    throw new IOException("archive entry escapes the target folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    continue;
                }
                Files.createDirectories(path.getParent());
                if (entry.isSymbolicLink()) {
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createLink(path, into.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < MODE_BITS.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(MODE_BITS[bit]);
            }
        }
        // the owner must always be able to read what it unpacked
        set.add(PosixFilePermission.OWNER_READ);
        return set;
    }
}
