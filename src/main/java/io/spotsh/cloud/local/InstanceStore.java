package io.spotsh.cloud.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The local cloud's instance records, one JSON file each in {@code <stateDir>/local-cloud/records/}, so a
 * restarted daemon knows every instance it had. Each write replaces the file whole (temporary file + rename).
 */
final class InstanceStore {
    private final Path dir;

    InstanceStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    void save(LocalInstance instance) {
        Path file = dir.resolve(instance.id + ".json");
        Path temp = dir.resolve("." + instance.id + ".json.tmp");
        try {
            Files.writeString(temp, Wire.json(instance.toMap()));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the record of " + instance.id + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Every record; one that cannot be read is reported by {@code onBad} and skipped. */
    List<LocalInstance> loadAll(java.util.function.BiConsumer<Path, Exception> onBad) {
        List<LocalInstance> all = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "i-*.json")) {
            for (Path file : files) {
                try {
                    all.add(LocalInstance.fromMap(Wire.parse(Files.readString(file))));
                } catch (IOException | RuntimeException e) {
                    onBad.accept(file, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return all;
    }

    void delete(String id) {
        try {
            Files.deleteIfExists(dir.resolve(id + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the record of " + id + ": " + e.getMessage(), e);
        }
    }
}
