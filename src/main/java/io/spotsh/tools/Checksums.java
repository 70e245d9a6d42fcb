package io.spotsh.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** SHA-256 sums of a folder's files, kept in {@code sha256sum}'s format so {@code sha256sum -c SHA256SUMS} checks them too. */
final class Checksums {
    private Checksums() {
    }

    /** Relative path (from {@code base}, e.g. {@code lib/x.jar}) → hex SHA-256 of every file under {@code base/folder}. */
    static Map<String, String> of(Path base, String folder) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        Path dir = base.resolve(folder);
        if (!Files.isDirectory(dir)) {
            return sums;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                sums.put(base.relativize(f).toString(), sha256(f));
            }
        }
        return sums;
    }

    static void write(Map<String, String> sums, Path manifest) throws IOException {
        StringBuilder text = new StringBuilder();
        sums.forEach((file, sum) -> text.append(sum).append("  ").append(file).append('\n'));
        Files.writeString(manifest, text);
    }

    static Map<String, String> read(Path manifest) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        for (String line : Files.readAllLines(manifest)) {
            int gap = line.indexOf("  ");
            if (gap < 0) {
                throw new IOException(manifest + " has a line that is not 'checksum  file': " + line);
            }
            sums.put(line.substring(gap + 2), line.substring(0, gap));
        }
        return sums;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);  // every Java has it
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
