package io.spotsh.cloud.local;

import io.spotsh.cloud.CloudException;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Finds the local cloud daemon of a state directory, starting one when none answers: a JVM of its own on the
 * running spotsh's classpath, detached with {@code setsid} so Ctrl-C on the shell's terminal never reaches it.
 * {@code <stateDir>/local-cloud/daemon.lock} makes sure two spotsh processes starting at once start one daemon.
 */
final class DaemonLauncher {
    /** FileChannel locks are per process: threads of one JVM queue here first. */
    private static final Map<Path, Object> IN_PROCESS = new ConcurrentHashMap<>();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    // -Xmx1g: a thousand nodes' SSH sessions and resident shells hold about 450 MB, which at 512 MB meant back-to-back
    // full collections. VFORK: every node boot and SSH command is a process; the default (posix_spawn) execs jspawnhelper first, one
    // more program per process, which counts when a thousand nodes boot on two cores. The export: PipeLoop hands each
    // SSH command its pipes by descriptor number
    private static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx1g", "-Xss512k",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true", "-Djdk.lang.Process.launchMechanism=VFORK",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");

    private final Path stateDir;
    private final Path dir;
    private final int sshPort;
    private final Duration idleTimeout;

    DaemonLauncher(Path stateDir, int sshPort, Duration idleTimeout) {
        this.stateDir = stateDir;
        this.dir = stateDir.resolve("local-cloud");
        this.sshPort = sshPort;
        this.idleTimeout = idleTimeout;
    }

    Path dir() {
        return dir;
    }

    /** The daemon on record if {@code answers} says it is up, else a new one, started and answering. */
    DaemonInfo ensure(Predicate<DaemonInfo> answers) {
        DaemonInfo info = DaemonInfo.read(dir);
        if (info != null && answers.test(info)) {
            return info;
        }
        synchronized (IN_PROCESS.computeIfAbsent(dir, d -> new Object())) {
            try {
                Files.createDirectories(dir);
                try (FileChannel channel = FileChannel.open(dir.resolve("daemon.lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                    info = DaemonInfo.read(dir);
                    return info != null && answers.test(info) ? info : start(answers);
                }
            } catch (IOException e) {
                throw new CloudException("cannot start the local cloud daemon in " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    private DaemonInfo start(Predicate<DaemonInfo> answers) throws IOException {
        Path logFile = dir.resolve("daemon.log");
        Process process = spawn(logFile);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            DaemonInfo info = DaemonInfo.read(dir);
            if (info != null && answers.test(info)) {
                return info;
            }
            if (!process.isAlive()) {
                if (process.exitValue() != LocalCloudDaemon.EXIT_ALREADY_RUNNING) {
                    throw new CloudException("the local cloud daemon exited with status " + process.exitValue()
                            + " on start; the end of " + logFile + ":\n" + tail(logFile));
                }
                sleep(200);  // the previous daemon still holds its lock on its way out: try again
                process = spawn(logFile);
            }
            sleep(50);
        }
        process.destroy();
        throw new CloudException("the local cloud daemon did not answer within " + START_TIMEOUT.toSeconds()
                + " s; the end of " + logFile + ":\n" + tail(logFile));
    }

    private Process spawn(Path logFile) throws IOException {
        List<String> command = new ArrayList<>(List.of("setsid", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LocalCloudDaemon.class.getName(),
                stateDir.toString(), "--ssh-port", String.valueOf(sshPort), "--idle-timeout", idleTimeout.toMillis() + "ms"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.redirectInput(new File("/dev/null"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        return pb.start();
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudException("interrupted while starting the local cloud daemon");
        }
    }
}
