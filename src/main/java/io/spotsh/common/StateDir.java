package io.spotsh.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where spotsh keeps what outlives one process: shell history, the embedded registry's data, keys,
 * the local cloud's instances. {@code --state-dir} wins over {@code SPOTSH_HOME}, which wins over {@code ~/.spotsh}.
 */
public final class StateDir {
    private final Path root;

    public StateDir(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public static StateDir resolve(String option, java.util.Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            return new StateDir(Paths.get(option));
        }
        String home = env.get("SPOTSH_HOME");
        if (home != null && !home.isBlank()) {
            return new StateDir(Paths.get(home));
        }
        return new StateDir(Paths.get(System.getProperty("user.home"), ".spotsh"));
    }

    public Path root() {
        return root;
    }

    /** A sub-folder of the state directory, created on first use. */
    public Path dir(String name) {
        Path dir = root.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    public Path file(String name) {
        return root.resolve(name);
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
