package io.spotsh.workflow;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Which spotsh process owns a test: the machine it runs on, its pid and the process's start time (pids are
 * reused). {@code reap} treats the instances of a test whose owner on this machine is gone (a {@code kill -9},
 * a crash) as leaked.
 *
 * <p>The machine is told by its boot id ({@code /proc/sys/kernel/random/boot_id}), plus the pid namespace when
 * there is one: containers share their host's boot id but not its pids. A hostname proves nothing (two laptops
 * both called {@code localhost}, a container named after its image), so it is kept for messages only. Stored as
 * {@code host:pid:startMillis:machine}; rows written before the machine was recorded read as
 * {@code host:pid:startMillis}, and are judged by hostname only where this machine has no boot id either.
 *
 * @param machine boot id (and pid namespace), or null when the owner's machine has none (or the row predates it)
 */
record OwnerProcess(String host, long pid, long startedAtMillis, String machine) {
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final Path PID_NAMESPACE = Path.of("/proc/self/ns/pid");
    /** One process's start time read twice may differ by a tick or a rounding; another process's not by this little. */
    private static final long SAME_START_MILLIS = 2000;

    static OwnerProcess current() {
        ProcessHandle self = ProcessHandle.current();
        return new OwnerProcess(hostname(), self.pid(), self.info().startInstant().map(Instant::toEpochMilli).orElse(0L),
                thisMachine());
    }

    /** Parses {@code host:pid:startMillis:machine} or the older {@code host:pid:startMillis}; null for anything else. */
    static OwnerProcess parse(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split(":", -1);
        if (parts.length != 3 && parts.length != 4) {
            return null;
        }
        try {
            String machine = parts.length == 4 && !parts[3].isBlank() ? parts[3] : null;
            return new OwnerProcess(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]), machine);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** True when this owner ran on this machine and is no longer running (or its pid now belongs to another process). */
    boolean goneFromThisHost() {
        return goneFrom(thisMachine(), hostname(), pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(h -> h.info().startInstant().map(Instant::toEpochMilli).orElse(startedAtMillis)));
    }

    /**
     * The judgement itself, given this machine's id and hostname and a way to find a live process's start time
     * (empty when there is no such process).
     */
    boolean goneFrom(String hereMachine, String hereHost, LongFunction<Optional<Long>> startOfLiveProcess) {
        if (!sameMachine(hereMachine, hereHost)) {
            return false; // another machine's process: only its expiry (or its own reap) can tell
        }
        Optional<Long> started = startOfLiveProcess.apply(pid);
        return started.isEmpty() || Math.abs(started.get() - startedAtMillis) > SAME_START_MILLIS;
    }

    private boolean sameMachine(String hereMachine, String hereHost) {
        if (machine != null || hereMachine != null) {
            return machine != null && machine.equals(hereMachine);
        }
        // neither side knows a boot id (not Linux): the hostname is all there is
        return host.equals(hereHost);
    }

    @Override
    public String toString() {
        return host + ":" + pid + ":" + startedAtMillis + (machine == null ? "" : ":" + machine);
    }

    /** This machine's boot id, with the pid namespace when readable; null where there is no boot id. */
    static String thisMachine() {
        try {
            String boot = Files.readString(BOOT_ID).trim();
            if (boot.isEmpty()) {
                return null;
            }
            return boot + pidNamespace();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** {@code /ns4026531836} from the link {@code pid:[4026531836]}; empty when it cannot be read. */
    private static String pidNamespace() {
        try {
            String link = Files.readSymbolicLink(PID_NAMESPACE).toString();
            String digits = link.replaceAll("[^0-9]", "");
            return digits.isEmpty() ? "" : "/ns" + digits;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
