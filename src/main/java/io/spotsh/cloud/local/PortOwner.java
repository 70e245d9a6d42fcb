package io.spotsh.cloud.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether the process a {@code daemon.json} names is the one listening on its port, asked of {@code /proc} before a
 * byte goes to that port: after a {@code kill -9} the file outlives the daemon, and whoever binds the port next would
 * otherwise be sent the token and the userdata. The listening socket's inode (from {@code /proc/net/tcp} and
 * {@code tcp6}) must be among the sockets of {@code /proc/<pid>/fd}, which only the daemon's own user (or root) can
 * read: another user's process can never pass, whatever pid or port it holds.
 *
 * <p>A unix domain socket in a 0700 folder would need no such look-up, but neither the JDK's HTTP server nor its
 * HTTP client speaks over one; this keeps both and checks in a few reads.
 */
final class PortOwner {
    /** Local addresses that take a connection to 127.0.0.1, as {@code /proc/net/tcp} and {@code tcp6} spell them. */
    private static final Set<String> REACHED_BY_LOOPBACK = Set.of("0100007F", "00000000",
            "0000000000000000FFFF00000100007F", "00000000000000000000000000000000");
    private static final String LISTEN = "0A";

    private final Path proc;

    PortOwner() {
        this(Path.of("/proc"));
    }

    PortOwner(Path proc) {
        this.proc = proc;
    }

    /** Null when {@code pid} listens on 127.0.0.1:{@code port} (and nobody else does); otherwise why not. */
    String refusal(long pid, int port) {
        List<Long> listeners = listeners(port);
        if (listeners.isEmpty()) {
            return "nothing listens on 127.0.0.1:" + port;
        }
        Set<String> sockets = sockets(pid);
        if (sockets == null) {
            return "pid " + pid + " is gone (or not this user's) and another process holds 127.0.0.1:" + port;
        }
        for (long inode : listeners) {
            if (!sockets.contains("socket:[" + inode + "]")) {
                return "127.0.0.1:" + port + " is held by another process than pid " + pid;
            }
        }
        return null;
    }

    /** Inodes of the listening TCP sockets a connection to 127.0.0.1:{@code port} could reach. */
    private List<Long> listeners(int port) {
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        List<Long> out = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = proc.resolve("net").resolve(table);
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (NoSuchFileException e) {
                if (table.equals("tcp6")) {
                    continue;  // a kernel without IPv6
                }
                throw new UncheckedIOException("the local cloud checks who listens on its daemon's port in " + file
                        + " (Linux only), which is missing", e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !LISTEN.equals(f[3])) {
                    continue;
                }
                int colon = f[1].lastIndexOf(':');
                if (f[1].substring(colon + 1).equalsIgnoreCase(hexPort)
                        && REACHED_BY_LOOPBACK.contains(f[1].substring(0, colon).toUpperCase(Locale.ROOT))) {
                    out.add(Long.parseLong(f[9]));
                }
            }
        }
        return out;
    }

    /** The {@code socket:[inode]} links among {@code pid}'s open files; null when they cannot be read. */
    private Set<String> sockets(long pid) {
        Set<String> out = new java.util.HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        out.add(target);
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
        return out;
    }
}
