package io.spotsh.workflow;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * Which spotsh process owns a test: host, pid and the process's start time (pids are reused). {@code reap}
 * treats the instances of a test whose owner on this host is gone (a {@code kill -9}, a crash) as leaked.
 */
record OwnerProcess(String host, long pid, long startedAtMillis) {

    static OwnerProcess current() {
        ProcessHandle self = ProcessHandle.current();
        return new OwnerProcess(hostname(), self.pid(),
                self.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
    }

    /** Parses {@code host:pid:startMillis}; null when the text is not of that form. */
    static OwnerProcess parse(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split(":");
        if (parts.length != 3) {
            return null;
        }
        try {
            return new OwnerProcess(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** True when this owner is on this host and no longer running (or the pid now belongs to another process). */
    boolean goneFromThisHost() {
        if (!host.equals(hostname())) {
            return false; // another machine's process: only its expiry can tell
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return true;
        }
        long started = handle.get().info().startInstant().map(Instant::toEpochMilli).orElse(startedAtMillis);
        return Math.abs(started - startedAtMillis) > 2000;
    }

    @Override
    public String toString() {
        return host + ":" + pid + ":" + startedAtMillis;
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
