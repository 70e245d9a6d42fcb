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
 * it serves and removed when it stops. The token keeps other users of the machine from driving it.
 */
record DaemonInfo(long pid, int port, String token) {
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
                    (String) m.get("token"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            return null;  // half-written by a crashed daemon: as good as none
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
