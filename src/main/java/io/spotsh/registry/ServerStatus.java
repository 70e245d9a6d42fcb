package io.spotsh.registry;

import java.nio.file.Path;
import java.time.Instant;

/**
 * What {@code spotsh registry status} shows about the embedded server.
 *
 * @param state     {@code running}, {@code starting}, {@code stopping}, {@code stopped} or {@code not initialised}
 * @param pid       the postmaster's process id, or 0 when it is not running
 * @param port      the TCP port it listens (or will listen) on, or 0 before the first start
 * @param listen    its listen_addresses
 * @param startedAt when the running server started, or null
 * @param dataDir   the data directory
 */
public record ServerStatus(String state, long pid, int port, String listen, Instant startedAt, Path dataDir) {
    public boolean running() {
        return pid != 0;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("registry ").append(state);
        if (pid != 0) {
            s.append(" (pid ").append(pid).append(", port ").append(port).append(", listening on ").append(listen)
                    .append(", since ").append(startedAt).append(')');
        } else if (port != 0) {
            s.append(" (port ").append(port).append(')');
        }
        return s.append(", data in ").append(dataDir).toString();
    }
}
