package io.spotsh.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs initdb and pg_ctl. PostgreSQL refuses to run as root; as root the commands run inside
 * a fresh user namespace ({@code unshare --user}) that maps root to the unprivileged
 * {@code nobody}: the server believes it is an ordinary user while every file it writes stays
 * owned by root outside, and it outlives this JVM like any daemon.
 */
final class PgCommand {
    private final Path bin;

    PgCommand(Path installDir) {
        this.bin = installDir.resolve("bin");
    }

    /** Runs a PostgreSQL tool and returns its output; throws with that output when it fails. */
    String run(Duration timeout, String tool, String... args) {
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            String nobody = Integer.toString(nobodyUid());
            command.addAll(List.of("unshare", "--user", "--map-user=" + nobody, "--map-group=" + nobody));
        }
        command.add(bin.resolve(tool).toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        try {
            Process process = pb.start();
            // pg_ctl's server writes to its own log file, so this pipe closes when the tool exits
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new RegistryServerException(tool + " did not finish within " + timeout.toSeconds() + " s");
            }
            String output = new String(out, StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                throw new RegistryServerException(tool + " " + String.join(" ", args) + " exited with "
                        + process.exitValue() + (output.isEmpty() ? "" : ": " + output));
            }
            return output;
        } catch (IOException e) {
            throw new RegistryServerException("cannot run " + command.get(0) + ": " + e.getMessage()
                    + (isRoot() ? " (as root spotsh runs PostgreSQL in a user namespace through util-linux unshare;"
                            + " run spotsh as a normal user or use --registry jdbc:postgresql://...)" : ""), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryServerException("interrupted while running " + tool, e);
        }
    }

    static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** initdb looks its user up by uid, so the mapped uid must exist in /etc/passwd. */
    private static int nobodyUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] fields = line.split(":");
                if (fields.length > 2 && fields[0].equals("nobody")) {
                    return Integer.parseInt(fields[2]);
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // fall through to the usual number
        }
        return 65534;
    }
}
