package io.spotsh.cloud.local;

import io.spotsh.node.SshKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One local instance's root folder, {@code <stateDir>/local-cloud/instances/<id>/}: what a node's disk holds
 * before boot, laid out the way userdata expects it.
 *
 * <pre>
 *   etc/ssh/ssh_host_ed25519_key(.pub)    its own host key (the SSH server and phone-home use it)
 *   meta-data/                            the instance metadata, one file per IMDS path (SPOTSH_METADATA_DIR)
 *   disks/ephemeral0, disks/ephemeral1    its "instance-store disks" (block-device-mapping points at them)
 *   var/lib/cloud/instance/user-data.txt  the userdata (0600: it carries the registry password)
 *   var/log/cloud-init-output.log         what running it printed
 *   root/                                 HOME of SSH sessions; tmp/ is their TMPDIR
 * </pre>
 */
final class Sandbox {
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    final Path root;
    /** {@code <stateDir>/tools/bin}: the commands of the Java tools installed for local nodes (it may not exist yet). */
    final Path toolsBin;

    Sandbox(Path root, Path toolsBin) {
        this.root = root;
        this.toolsBin = toolsBin;
    }

    Path hostKey() {
        return root.resolve("etc/ssh/ssh_host_ed25519_key");
    }

    Path home() {
        return root.resolve("root");
    }

    Path authorizedKeys() {
        return home().resolve(".ssh/authorized_keys");
    }

    Path tmp() {
        return root.resolve("tmp");
    }

    Path metaData() {
        return root.resolve("meta-data");
    }

    Path userData() {
        return root.resolve("var/lib/cloud/instance/user-data.txt");
    }

    Path bootOutput() {
        return root.resolve("var/log/cloud-init-output.log");
    }

    /** Lays out a new instance's folder: host key, metadata, disks and userdata. */
    void create(LocalInstance instance, KeyPair hostKey, String userData, int disks) {
        String hostname = "ip-" + instance.ip.replace('.', '-') + ".local";  // EC2's style: ip-10-0-0-5.ec2.internal
        try {  // a fresh folder, so files are written in place: launching hundreds is file system work, kept lean
            for (String dir : List.of("etc/ssh", "var/log", "var/lib/cloud/instance", "mnt", "meta-data/placement",
                    "meta-data/block-device-mapping", "meta-data/spot")) {
                Files.createDirectories(root.resolve(dir));
            }
            Files.createDirectories(home().resolve(".ssh"), OWNER_ONLY_DIR);
            Files.createDirectory(tmp(), OWNER_ONLY_DIR);
            Files.write(Files.createFile(hostKey(), OWNER_ONLY_FILE), SshKeys.privateKeyText(hostKey, "root@" + hostname));
            Files.writeString(SshKeys.publicFileOf(hostKey()), SshKeys.publicKeyLine(hostKey.getPublic(), "root@" + hostname) + "\n");
            Files.writeString(Files.createFile(userData(), OWNER_ONLY_FILE), userData);
            writeMeta("instance-id", instance.id);
            writeMeta("instance-type", instance.instanceType);
            writeMeta("local-ipv4", instance.ip);
            writeMeta("local-hostname", hostname);
            writeMeta("hostname", hostname);
            writeMeta("placement/availability-zone", instance.zone);
            writeMeta("instance-life-cycle", "spot");
            for (int d = 0; d < disks; d++) {
                Path disk = Files.createDirectories(root.resolve("disks/ephemeral" + d));
                writeMeta("block-device-mapping/ephemeral" + d, disk.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lay out the local instance " + instance.id + " in " + root
                    + ": " + e.getMessage(), e);
        }
    }

    /** The spot interruption notice as IMDS serves it at {@code spot/instance-action}. */
    void writeInterruptNotice(Instant at) {
        try {
            // whole seconds, as EC2 gives them
            writeMeta("spot/instance-action", "{\"action\": \"terminate\", \"time\": \""
                    + at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the interruption notice in " + root + ": " + e.getMessage(), e);
        }
    }

    /** Deletes everything in the folder (links are removed, never followed); the empty folder stays. */
    void wipe() throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    if (!p.equals(root)) {
                        Files.deleteIfExists(p);
                    }
                }
                return;
            } catch (NoSuchFileException | java.nio.file.DirectoryNotEmptyException | UncheckedIOException e) {
                if (attempt == 3) {
                    throw e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                }
            }
        }
    }

    void delete() throws IOException {
        wipe();
        Files.deleteIfExists(root);
    }

    private void writeMeta(String path, String value) throws IOException {
        Files.writeString(metaData().resolve(path), value + "\n");
    }
}
