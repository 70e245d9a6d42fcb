package io.spotsh.cloud;

import io.spotsh.node.UserData;
import io.spotsh.registry.Registry;
import io.spotsh.registry.RegistrySettings;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the cloud tests share: temporary folders, the node scripts of this source tree, one real embedded
 * registry for the whole test JVM (started on first use, stopped and deleted when the JVM exits), and the
 * rule for tools a test needs: skipped when missing, except in CI, where that is a failure.
 */
public final class CloudTests {
    /** {@code scripts/} of this checkout: tests render what the working tree holds. */
    public static final Path SCRIPTS = Path.of("scripts").toAbsolutePath();

    private static Registry registry;

    private CloudTests() {
    }

    public static UserData userData() {
        return UserData.fromDirectory(SCRIPTS);
    }

    public static synchronized Registry registry() {
        if (registry == null) {
            Path dir = tempDir("spotsh-cloud-registry");
            Registry r = Registry.open(RegistrySettings.embedded(dir));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                r.close();
                r.server().stop();
                delete(dir);
            }));
            registry = r;
        }
        return registry;
    }

    /** Skips the calling test when {@code command} is not on PATH, or fails it in CI. */
    public static void require(String command, String why) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, command));
        }
        if (!found) {
            String message = command + " is not on PATH: " + why;
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + " (CI must install it)");
            }
            Assumptions.abort(message);
        }
    }

    /** Skips when sysstat's collector is missing, except in CI, which installs it: local nodes sample with it. */
    public static void requireSadc() {
        boolean found = Stream.of("/usr/lib/sysstat/sadc", "/usr/lib64/sa/sadc").anyMatch(p -> Files.isExecutable(Path.of(p)));
        Assertions.assertTrue(found || !"true".equals(System.getenv("CI")), "CI must install sysstat");
    }

    /** Ends what a test's local state folder runs (the local cloud's daemon, the embedded registry) and deletes it. */
    public static void stopLocal(Path state) {
        if (state == null) {
            return;
        }
        try (io.spotsh.cloud.local.LocalProvider local = new io.spotsh.cloud.local.LocalProvider(
                new io.spotsh.common.StateDir(state), java.util.Map.of())) {
            local.stopDaemon(true);
        }
        new io.spotsh.registry.EmbeddedServer(RegistrySettings.embedded(state)).stop();
        delete(state);
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void delete(Path root) {
        if (root == null) {
            return;
        }
        try {
            io.spotsh.common.FileTree.delete(root); // tolerates the daemon still emptying a folder
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command, waits, and returns its exit status and output (stdout and stderr together). */
    public static Result run(Path dir, java.util.Map<String, String> env, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Result(int status, String output) {
    }

    /** Polls {@code probe} every 100 ms until it returns non-null, and returns that; fails after {@code timeout}. */
    public static <T> T await(String what, Duration timeout, Supplier<T> probe) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what);
    }
}
