package io.spotsh.cloud.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Loopback addresses for local instances, from 127.100.0.1 to 127.100.255.254 (Linux routes all of 127/8 to
 * {@code lo}, so each needs no setup). Hands them out round the range, skipping those of live instances, so an
 * address is reused as late as possible (stale {@code known_hosts} entries and TIME_WAIT sockets fade first).
 * An address something else listens on (another state directory's cloud, say) is passed over.
 */
final class AddressPool {
    private static final int FIRST = (127 << 24) | (100 << 16) | 1;
    private static final int SIZE = 65534;

    private final Set<String> inUse = new HashSet<>();
    private final Predicate<String> free;
    private int next;

    /**
     * {@code known} are the addresses of every instance on record (allocation resumes after the highest),
     * {@code live} those taken; {@code free} says whether nothing else uses an address.
     */
    AddressPool(Collection<String> known, Collection<String> live, Predicate<String> free) {
        this.free = free;
        inUse.addAll(live);
        for (String ip : known) {
            int offset = offset(ip);
            if (offset >= 0 && offset + 1 > next) {
                next = (offset + 1) % SIZE;
            }
        }
    }

    /** Whether nothing listens on an address's {@code port} yet (another state directory's cloud may use the range). */
    static Predicate<String> listenable(int port) {
        return ip -> {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(ip, port));
                return true;
            } catch (IOException e) {
                return false;
            }
        };
    }

    String allocate() {
        for (int tries = 0; tries < SIZE; tries++) {
            int offset = next;
            next = (next + 1) % SIZE;
            String ip = text(FIRST + offset);
            if (!ip.endsWith(".0") && !ip.endsWith(".255") && !inUse.contains(ip) && free.test(ip)) {
                inUse.add(ip);
                return ip;
            }
        }
        throw new IllegalStateException("all " + SIZE + " local instance addresses are in use");
    }

    void release(String ip) {
        inUse.remove(ip);
    }

    private static int offset(String ip) {
        String[] parts = ip.split("\\.");
        if (parts.length != 4 || !parts[0].equals("127") || !parts[1].equals("100")) {
            return -1;
        }
        int value = (127 << 24) | (100 << 16) | (Integer.parseInt(parts[2]) << 8) | Integer.parseInt(parts[3]);
        return value - FIRST;
    }

    private static String text(int address) {
        return ((address >>> 24) & 255) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255) + "." + (address & 255);
    }
}
