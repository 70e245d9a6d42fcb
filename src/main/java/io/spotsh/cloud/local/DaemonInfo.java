package io.spotsh.cloud.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a running local cloud daemon answers: {@code <stateDir>/local-cloud/daemon.json} (0600), written once
 * it serves and removed when it stops. The token keeps other users of the machine from driving it; the build
 * says which spotsh build it runs ({@link #currentBuild()}), so a newer spotsh can replace an idle old daemon.
 */
record DaemonInfo(long pid, int port, String token, String build) {
    static final String FILE = "daemon.json";
    static final int DEFAULT_SSH_PORT = 2222;
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

    static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    void write(Path dir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("port", port);
        m.put("token", token);
        m.put("build", build);
        Path temp = Files.createTempFile(dir, ".daemon", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, Wire.json(m));
            Files.move(temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The daemon on record, or null when there is none (it may still have died: ask it). */
    static DaemonInfo read(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                return null;
            }
            Map<String, Object> m = Wire.parse(Files.readString(file));
            return new DaemonInfo(((Number) m.get("pid")).longValue(), ((Number) m.get("port")).intValue(),
                    (String) m.get("token"), (String) m.get("build"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            return null;  // half-written by a crashed daemon: as good as none
        }
    }

    /**
     * This JVM's spotsh build: its class path with each jar's size and modification time. Rebuilding spotsh
     * changes it; two processes of one build agree.
     */
    static String currentBuild() {
        StringBuilder stamp = new StringBuilder();
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            stamp.append(entry);
            try {
                if (Files.isRegularFile(p)) {
                    stamp.append(':').append(Files.size(p)).append(':').append(Files.getLastModifiedTime(p).toMillis());
                }
            } catch (IOException e) {
                stamp.append(":?");
            }
            stamp.append('\n');
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(
                    stamp.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void removeIfOurs(Path dir, long pid) {
        DaemonInfo info = read(dir);
        if (info != null && info.pid() == pid) {
            try {
                Files.deleteIfExists(dir.resolve(FILE));
            } catch (IOException ignored) {
                // the next client finds it stale and starts a new daemon anyway
            }
        }
    }

    @Override
    public String toString() {
        return "local cloud daemon pid " + pid + " on 127.0.0.1:" + port;
    }
}
