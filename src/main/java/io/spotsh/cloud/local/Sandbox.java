package io.spotsh.cloud.local;

import io.spotsh.node.SshKeys;

import static io.spotsh.common.ShellQuote.quote;

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
 *   usr/local/bin/hostname, uname         the node's own host name for what it runs (first on its PATH)
 * </pre>
 */
final class Sandbox {
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<Set<PosixFilePermission>> EXECUTABLE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));
    /** The machine's own uname(1), which the node's wraps. */
    private static final String UNAME = realCommand("uname");

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

    /** The node's own commands, first on its PATH: {@code hostname} and {@code uname} that answer with its host name. */
    Path bin() {
        return root.resolve("usr/local/bin");
    }

    /** The host name of the instance at {@code ip}, in EC2's style ({@code ip-10-0-0-5.ec2.internal}). */
    static String hostname(String ip) {
        return "ip-" + ip.replace('.', '-') + ".local";
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
        String hostname = hostname(instance.ip);
        try {  // a fresh folder, so files are written in place: launching hundreds is file system work, kept lean
            for (String dir : List.of("etc/ssh", "var/log", "var/lib/cloud/instance", "mnt", "meta-data/placement",
                    "meta-data/block-device-mapping", "meta-data/spot", "usr/local/bin")) {
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
            writeCommand("hostname", hostnameCommand(hostname, instance.ip));
            writeCommand("uname", unameCommand(hostname));
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

    /*
     * Every local node shares this machine's kernel and so its host name: without these, `hostname` on twenty
     * nodes says the same twenty times. Commands on PATH are what a shell and its scripts reach; a program that
     * asks the kernel itself (gethostname(2), Java's InetAddress.getLocalHost) still gets the machine's name.
     */
    private static String hostnameCommand(String hostname, String ip) {
        return "#!/bin/sh\n"
                + "# this local instance's host name, as hostname(1) answers on an EC2 node\n"
                + "name=" + quote(hostname) + "\n"
                + "case ${1:-} in\n"
                + "    '' | -f | --fqdn | --long | -A | --all-fqdns) echo \"$name\" ;;\n"
                + "    -s | --short) echo \"${name%%.*}\" ;;\n"
                + "    -d | --domain) echo \"${name#*.}\" ;;\n"
                + "    -i | --ip-address | -I | --all-ip-addresses) echo " + quote(ip) + " ;;\n"
                + "    *) echo \"hostname: $1: not supported on a local instance (its name is $name)\" >&2; exit 1 ;;\n"
                + "esac\n";
    }

    private static String unameCommand(String hostname) {
        return "#!/bin/sh\n"
                + "# uname(1) with this local instance's host name as the node name (-n, -a)\n"
                + "out=$(" + quote(UNAME) + " \"$@\") || exit $?\n"
                + "real=$(" + quote(UNAME) + " -n)\n"
                + "printf '%s\\n' \"$out\" | awk -v real=\"$real\" -v name=" + quote(hostname)
                + " '{ for (i = 1; i <= NF; i++) if ($i == real) $i = name; print }'\n";
    }

    /** The machine's own command, found on the daemon's PATH (the shims are on nodes' PATH only). */
    private static String realCommand(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        return "/bin/" + name;
    }

    private void writeCommand(String name, String script) throws IOException {
        Files.writeString(Files.createFile(bin().resolve(name), EXECUTABLE), script);
    }

    private void writeMeta(String path, String value) throws IOException {
        Files.writeString(metaData().resolve(path), value + "\n");
    }
}
