package io.spotsh.cloud.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The processes of local instances. Each one starts in a process group and session of its own ({@code setsid}):
 * userdata, and every SSH command. Terminating an instance sends SIGKILL to those groups, which the kernel
 * delivers to every member at once (forks included), and to the live descendants of their leaders that moved
 * to groups of their own. Nothing scans all of {@code /proc}: on a busy machine reading other processes'
 * entries can block for seconds behind their memory locks.
 *
 * <p>What escapes: a process that leaves its group and is orphaned (a double-forked daemon), and SSH commands
 * started before a daemon restart (their groups are remembered in memory only; userdata's is on record).
 * Every node process also carries {@code SPOTSH_LOCAL_INSTANCE=<id>} in its environment, so an operator can
 * still find them.
 */
final class NodeProcesses {
    static final String MARKER = "SPOTSH_LOCAL_INSTANCE";
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Pattern GROUP_IN_ERROR = Pattern.compile("-(\\d+)");
    private static final int KILL_ROUNDS = 3;

    /**
     * A session node processes run in (its id is also its process group's): the id and its leader's start
     * time, so that an id reused by an unrelated process after ours ended is never taken for ours.
     */
    record Session(long sid, long leaderStart) {
    }

    /** The sessions of one instance's SSH commands, forgetting from time to time those with nothing left in them. */
    static final class Sessions {
        private static final int PRUNE_AT = 64;
        private final Set<Session> sessions = new HashSet<>();
        private int pruneAt = PRUNE_AT;

        synchronized void add(Session session) {
            sessions.add(session);
            if (sessions.size() >= pruneAt) {
                Set<Long> empty = emptyGroups(sessions.stream().map(Session::sid).toList());
                sessions.removeIf(s -> empty.contains(s.sid()));
                pruneAt = Math.max(PRUNE_AT, 2 * sessions.size());
            }
        }

        synchronized Set<Session> all() {
            return Set.copyOf(sessions);
        }
    }

    private NodeProcesses() {
    }

    /**
     * The environment a process of this instance starts with, as on a fresh node (nothing of the daemon's but PATH):
     * the node's own {@code hostname} and {@code uname} first on PATH, then the commands of the Java tools installed
     * for local nodes, and {@code HOSTNAME} its host name.
     */
    static Map<String, String> environment(String instanceId, String ip, Sandbox sandbox) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", sandbox.bin() + File.pathSeparator + sandbox.toolsBin + File.pathSeparator
                + System.getenv().getOrDefault("PATH", DEFAULT_PATH));
        env.put("HOSTNAME", Sandbox.hostname(ip));
        env.put("HOME", sandbox.home().toString());
        env.put("USER", "root");
        env.put("LOGNAME", "root");
        env.put("SHELL", "/bin/sh");
        env.put("LANG", "C.UTF-8");
        env.put("TMPDIR", sandbox.tmp().toString());
        env.put("SPOTSH_ROOT", sandbox.root.toString());
        env.put(MARKER, instanceId);
        return env;
    }

    /**
     * Runs the instance's userdata with {@code /bin/sh} in a new session, output to cloud-init-output.log;
     * {@code metadataUrl} is the instance's base URL at the local cloud's metadata service, which its interruption
     * watcher asks every {@code pollSeconds}; its sysstat collector samples every {@code sysstatSeconds}.
     */
    static Process boot(String instanceId, String ip, Sandbox sandbox, String metadataUrl, long pollSeconds,
                        long sysstatSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("setsid", "/bin/sh", sandbox.userData().toString());
        pb.environment().clear();
        pb.environment().putAll(environment(instanceId, ip, sandbox));
        pb.environment().put("SPOTSH_METADATA_DIR", sandbox.metaData().toString());
        pb.environment().put("SPOTSH_METADATA_URL", metadataUrl);
        pb.environment().put("SPOTSH_INTERRUPTION_POLL", Long.toString(pollSeconds));
        pb.environment().put("SPOTSH_SYSSTAT_INTERVAL", Long.toString(sysstatSeconds));
        pb.directory(sandbox.root.toFile());
        pb.redirectInput(new File("/dev/null"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(sandbox.bootOutput().toFile()));
        return pb.start();
    }

    /**
     * Tells the instance's interruption watcher to look now (SIGUSR1 to the pid it wrote in its sandbox), so a notice
     * is seen at once however long its pause; false when there is no watcher of this instance to tell (not started
     * yet, gone, or the pid now belongs to a process that is not this instance's: pids are reused).
     */
    static boolean wakeInterruptionWatch(String instanceId, Sandbox sandbox) {
        try {
            long pid = Long.parseLong(Files.readString(sandbox.root.resolve(WATCH_PID)).trim());
            byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            String mine = MARKER + "=" + instanceId;
            if (!Arrays.asList(new String(environ, StandardCharsets.UTF_8).split("\0")).contains(mine)) {
                return false;
            }
            return new ProcessBuilder("kill", "-s", "USR1", Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException | NumberFormatException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Where scripts/interruption-watch.sh writes its pid, under the sandbox root. */
    static final String WATCH_PID = "var/run/spotsh-interruption-watch.pid";

    /** The session a process started with {@code setsid} leads (its pid is the session and group id). */
    static Session sessionOf(Process process) {
        return new Session(process.pid(), startTime(process.pid()));
    }

    /** Sends a signal (KILL, TERM, INT, ...) to every process of a group. */
    static void signalGroup(long pgid, String signal) throws IOException {
        new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * SIGKILL to every process in these sessions and to their leaders' descendants, a few rounds apart to catch
     * what was forked meanwhile. Returns how many groups and descendants were signalled in the first round.
     */
    static int kill(Collection<Session> sessions) {
        int signalled = 0;
        for (int round = 0; round < KILL_ROUNDS && !sessions.isEmpty(); round++) {
            List<String> targets = new ArrayList<>();
            for (Session s : sessions) {
                long leaderStart = startTime(s.sid());
                if (leaderStart != -1 && leaderStart != s.leaderStart()) {
                    continue;  // that id leads someone else's session now: ours is long empty
                }
                targets.add("-" + s.sid());
                if (leaderStart != -1) {
                    descendants(s.sid()).forEach(pid -> targets.add(String.valueOf(pid)));
                }
            }
            signalled = round == 0 ? targets.size() : signalled;
            run(targets, "KILL");
            sleep();
        }
        return signalled;
    }

    /** Which of these process groups have no process left. */
    static Set<Long> emptyGroups(Collection<Long> pgids) {
        List<String> targets = pgids.stream().map(g -> "-" + g).toList();
        Set<Long> empty = new HashSet<>();
        Matcher m = GROUP_IN_ERROR.matcher(run(targets, "0"));  // kill(1) names each target it could not reach
        while (m.find()) {
            empty.add(Long.parseLong(m.group(1)));
        }
        return empty;
    }

    /** Runs kill(1) on the targets (groups as -pgid) and returns what it said. */
    private static String run(List<String> targets, String signal) {
        if (targets.isEmpty()) {
            return "";
        }
        List<String> command = new ArrayList<>(List.of("kill", "-s", signal, "--"));
        command.addAll(targets);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return said;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot run kill(1): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A process's descendants, by its threads' {@code children} lists; it and they may be exiting meanwhile. */
    private static Set<Long> descendants(long root) {
        Set<Long> found = new HashSet<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            long pid = todo.pop();
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
                for (Path task : tasks) {
                    for (String child : Files.readString(task.resolve("children")).trim().split(" ")) {
                        if (!child.isEmpty() && found.add(Long.parseLong(child))) {
                            todo.push(Long.parseLong(child));
                        }
                    }
                }
            } catch (IOException | RuntimeException gone) {
                // exited meanwhile: its children went to init, and are still in their group
            }
        }
        return found;
    }

    /** Field 22 of {@code /proc/<pid>/stat} (clock ticks after boot), or -1 when there is no such process. */
    private static long startTime(long pid) {
        try {
            String line = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return Long.parseLong(line.substring(line.lastIndexOf(')') + 2).split(" ")[19]);
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
