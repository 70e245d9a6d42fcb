package io.spotsh.cloud.aws;

import io.spotsh.common.BadInput;
import io.spotsh.common.StateDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which image a launch boots: {@code options.ami} (the workflow puts the region's node image from the registry there,
 * recorded by {@code spotsh image bake}), else an image baked by hand and recorded for the region as
 * {@code <stateDir>/ami/<region>} (the id on the first line that is not a
 * {@code #} comment, e.g. {@code echo ami-0123456789abcdef0 > ~/.spotsh/ami/us-east-1}).
 */
final class Amis {
    private final StateDir stateDir;
    private final String region;

    Amis(StateDir stateDir, String region) {
        this.stateDir = stateDir;
        this.region = region;
    }

    String imageFor(LaunchOptions options) {
        if (options.ami() != null) {
            return options.ami();
        }
        Path recorded = recordedFile();
        if (Files.isRegularFile(recorded)) {
            String id = firstId(recorded);
            if (id != null) {
                return id;
            }
        }
        throw new BadInput("no AMI for " + region + ": pass options: [ami: 'ami-...'] or record the baked node image"
                + " id in " + recorded);
    }

    Path recordedFile() {
        return stateDir.root().resolve("ami").resolve(region);
    }

    private static String firstId(Path file) {
        try {
            for (String line : Files.readAllLines(file)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    String id = t.split("\\s+")[0];
                    if (!id.startsWith("ami-")) {
                        throw new BadInput(file + " should hold an AMI id (ami-...), holds '" + id + "'");
                    }
                    return id;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
