package io.spotsh.tools;

import io.spotsh.common.BadInput;
import io.spotsh.common.FileTree;
import io.spotsh.common.Log;
import io.spotsh.common.StateDir;
import io.spotsh.types.TestType;
import io.spotsh.types.Tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Provides what a type's local nodes run before any is launched: missing Debian packages through one
 * {@code apt-get install} (as root on Debian/Ubuntu), Java bundles into {@code <stateDir>/tools/<name>/} with
 * their commands in {@link #binDir()}. With {@code install} off (or when it cannot install) it stops with a
 * {@link BadInput} naming what is missing.
 *
 * <pre>
 *   tools/.lock                  held while bundles are checked and installed (one spotsh at a time)
 *   tools/cassandra-5.0.6/lib/   the jars; SHA256SUMS beside lib/ lists each one's checksum
 *   tools/bin/cassandra          the commands, with the bundle's folder written in
 *   tools/.tmp-NAME-RANDOM/      a bundle being installed, renamed into place once complete
 * </pre>
 */
public final class LocalTools {
    static final String MANIFEST = "SHA256SUMS";
    /** How long apt-get waits for another apt or dpkg (unattended-upgrades) to let go of its lock. */
    static final int APT_LOCK_TIMEOUT_SECONDS = 600;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]*");
    private static final Object IN_PROCESS = new Object();  // a FileChannel lock is per process: threads queue here

    private final StateDir stateDir;
    private final boolean install;
    private final Log log;
    private final Map<String, String> env;
    private final boolean root;
    private final MavenArtifacts maven;
    private String whyNotInstalling = "--no-install was given";

    /** @param install whether to install what is missing ({@code --no-install} turns it off) */
    public LocalTools(StateDir stateDir, boolean install, Log log) {
        this(stateDir, install, log, System.getenv(), isRoot(), new MavenArtifacts());
    }

    /** One that installs nothing, saying why in its refusal (e.g. {@code spotsh tools check}). */
    public static LocalTools checkOnly(StateDir stateDir, Log log, String why) {
        LocalTools tools = new LocalTools(stateDir, false, log);
        tools.whyNotInstalling = why;
        return tools;
    }

    /** @param env the environment apt-get runs with, and whose PATH is searched for it and the tools */
    LocalTools(StateDir stateDir, boolean install, Log log, Map<String, String> env, boolean root, MavenArtifacts maven) {
        this.stateDir = stateDir;
        this.install = install;
        this.log = log;
        this.env = Map.copyOf(env);
        this.root = root;
        this.maven = maven;
    }

    /**
     * What every local node runs at boot whatever its type: phone-home is a psql call, each node its own session, and
     * its interruption watcher asks the metadata service with curl.
     */
    public static final List<Tool> NODE_TOOLS = List.of(new Tool("psql", "postgresql-client"), new Tool("setsid", "util-linux"),
            new Tool("curl", "curl"));

    /** Provides what the local nodes of a test type run: {@link #NODE_TOOLS}, its tools and its Java bundles. */
    public void provide(TestType type) {
        List<Tool> needed = new ArrayList<>(NODE_TOOLS);
        needed.addAll(type.tools());
        provide(type.name(), needed, type.javaTools());
    }

    /** {@code <stateDir>/tools/bin}, where the bundles' commands are: first on every local node's PATH. */
    public Path binDir() {
        return binDir(stateDir.root());
    }

    public static Path binDir(Path stateRoot) {
        return stateRoot.resolve("tools").resolve("bin");
    }

    /**
     * Makes sure this machine has what the local nodes of {@code typeName} run, installing what is missing when
     * allowed; otherwise a {@link BadInput} that names it, and nothing was launched.
     */
    public void provide(String typeName, List<Tool> debianTools, List<JavaBundle> bundles) {
        // a command a bundle writes into tools/bin (cassandra, nodetool, ycsb) is spotsh's to provide, not apt's
        Set<String> bundled = new HashSet<>();
        bundles.forEach(b -> bundled.addAll(b.commands().keySet()));
        List<Tool> missing = debianTools.stream().filter(t -> !bundled.contains(t.command()))
                .filter(t -> !t.isInstalled(searchPath())).distinct().toList();
        if (!install) {
            List<String> absent = new ArrayList<>(missing.stream().map(Tool::toString).toList());
            for (JavaBundle b : bundles) {
                String problem = problem(bundleDir(b));
                if (problem != null) {
                    absent.add(b.name() + " (Java, from Maven Central: " + problem + ")");
                }
            }
            if (!absent.isEmpty()) {
                throw lacks(typeName, absent, whyNotInstalling);
            }
            return;
        }
        if (!missing.isEmpty()) {
            installPackages(typeName, missing);
        }
        if (!bundles.isEmpty()) {
            locked(() -> {
                for (JavaBundle b : bundles) {
                    provide(b);
                }
            });
        }
    }

    // ---- Debian packages ---------------------------------------------------------------------------

    private void installPackages(String typeName, List<Tool> missing) {
        List<String> described = missing.stream().map(Tool::toString).toList();
        Path aptGet = onPath("apt-get");
        if (!root) {
            throw lacks(typeName, described, "spotsh installs packages only as root (or install them: sudo apt-get install "
                    + String.join(" ", packages(missing)) + ")");
        }
        if (aptGet == null) {
            throw lacks(typeName, described, "there is no apt-get on PATH to install them with");
        }
        Set<String> packages = packages(missing);
        log.log("installing " + String.join(" ", packages) + " for the local nodes of " + typeName + " (apt-get) ...");
        long start = System.nanoTime();
        List<String> tail = apt(aptGet, "install", packages);
        if (tail != null && tail.stream().anyMatch(LocalTools::wantsPackageLists)) {
            log.log("apt-get lacks package lists for " + String.join(" ", packages) + ": apt-get update first ...");
            List<String> update = apt(aptGet, "update", Set.of());
            tail = update != null ? update : apt(aptGet, "install", packages);
        }
        if (tail != null) {
            throw new BadInput("apt-get could not install " + String.join(" ", packages) + " for the local nodes of "
                    + typeName + "; nothing was launched:\n  " + String.join("\n  ", tail));
        }
        List<String> still = missing.stream().filter(t -> !t.isInstalled(searchPath())).map(Tool::toString).toList();
        if (!still.isEmpty()) {
            throw lacks(typeName, still, "apt-get installed " + String.join(" ", packages) + " but that did not provide them");
        }
        log.log(String.format("installed %s in %d s", String.join(" ", packages), (System.nanoTime() - start) / 1_000_000_000));
    }

    private static Set<String> packages(List<Tool> tools) {
        Set<String> packages = new LinkedHashSet<>();
        tools.forEach(t -> packages.add(t.debianPackage()));
        return packages;
    }

    /** What apt says when its package lists are missing or stale (a fresh image, an old mirror state). */
    private static boolean wantsPackageLists(String line) {
        return line.contains("Unable to locate package") || line.contains("has no installation candidate")
                || line.contains("404  Not Found") || line.contains("Failed to fetch");
    }

    /** Runs apt-get, relaying its progress; null when it succeeded, else its last lines and exit status. */
    private List<String> apt(Path aptGet, String verb, Set<String> packages) {
        List<String> command = new ArrayList<>(List.of(aptGet.toString(), "-q", "-y",
                "-o", "DPkg::Lock::Timeout=" + APT_LOCK_TIMEOUT_SECONDS));
        command.add(verb);
        if (verb.equals("install")) {
            command.add("--no-install-recommends");
        }
        command.addAll(packages);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        return Processes.run(pb, "apt-get", line -> {
            if (line.startsWith("Get:") || line.startsWith("Unpacking ") || line.startsWith("Setting up ")
                    || line.startsWith("E:") || line.startsWith("W:")) {
                log.log("  apt-get: " + line);
            }
        });
    }

    private String searchPath() {
        return env.getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    private Path onPath(String command) {
        for (String dir : searchPath().split(":")) {
            Path p = dir.isEmpty() ? null : Path.of(dir, command);
            if (p != null && Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static BadInput lacks(String typeName, List<String> missing, String why) {
        return new BadInput("test type " + typeName + " runs its local nodes on this machine, which lacks "
                + String.join(", ", missing) + "; " + why + "; nothing was launched");
    }

    /** Whether this process runs as root: the owner of its own /proc entry is its user. */
    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    // ---- Java bundles -------------------------------------------------------------------------------

    private Path toolsDir() {
        return stateDir.root().resolve("tools");
    }

    private Path bundleDir(JavaBundle bundle) {
        if (!NAME.matcher(bundle.name()).matches()) {
            throw new BadInput("Java tool name '" + bundle.name() + "' is not a folder name (letters, digits, . _ + -)");
        }
        return toolsDir().resolve(bundle.name());
    }

    /** Holds the tools folder's lock (this process's threads and other spotsh processes wait), first clearing crash leftovers. */
    private void locked(IoAction action) {
        synchronized (IN_PROCESS) {
            try {
                Files.createDirectories(binDir());
                try (FileChannel channel = FileChannel.open(toolsDir().resolve(".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE)) {
                    FileLock lock = channel.tryLock();
                    if (lock == null) {
                        log.log("waiting for another spotsh installing into " + toolsDir() + " ...");
                        lock = channel.lock();
                    }
                    try (FileLock held = lock) {
                        removeLeftovers();
                        action.run();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot install into " + toolsDir() + ": " + e.getMessage(), e);
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    /** Half-installed bundles and commands of a spotsh that died: nobody else writes them while we hold the lock. */
    private void removeLeftovers() throws IOException {
        for (Path dir : List.of(toolsDir(), binDir())) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
                    FileTree.delete(p);
                }
            }
        }
    }

    private void provide(JavaBundle bundle) throws IOException {
        Path dir = bundleDir(bundle);
        String problem = problem(dir);
        if (problem != null) {
            if (Files.exists(dir)) {
                log.log(bundle.name() + " in " + toolsDir() + " is damaged (" + problem + "): installing it again");
            }
            installBundle(bundle, dir);
        }
        writeCommands(bundle, dir);
    }

    /** What is wrong with an installed bundle: null when its manifest lists exactly the files in lib/ with their checksums. */
    static String problem(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "not installed";
        }
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return "no " + MANIFEST;
        }
        try {
            Map<String, String> expected = Checksums.read(manifest);
            Map<String, String> actual = Checksums.of(dir, "lib");
            for (Map.Entry<String, String> e : expected.entrySet()) {
                String sum = actual.get(e.getKey());
                if (sum == null) {
                    return e.getKey() + " is missing";
                }
                if (!sum.equals(e.getValue())) {
                    return e.getKey() + " does not match its checksum";
                }
            }
            for (String file : actual.keySet()) {
                if (!expected.containsKey(file)) {
                    return file + " is not in " + MANIFEST;
                }
            }
            return null;
        } catch (IOException | UncheckedIOException e) {
            return "cannot read it: " + e.getMessage();
        }
    }

    private void installBundle(JavaBundle bundle, Path dir) throws IOException {
        Path tmp = Files.createTempDirectory(toolsDir(), ".tmp-" + bundle.name() + "-");
        try {
            long start = System.nanoTime();
            Path lib = Files.createDirectories(tmp.resolve("lib"));
            Path work = tmp.resolve(".work");
            log.log("resolving " + bundle.name() + " from Maven Central ...");
            Consumer<String> progress = downloads(bundle.name());
            if (!bundle.artifacts().isEmpty()) {
                maven.resolve(bundle.name(), bundle.artifacts(), lib, work.resolve("artifacts"), progress);
            }
            for (String module : bundle.modules()) {
                maven.build(bundle.name(), module, lib, work.resolve("modules"), progress);
            }
            FileTree.delete(work);
            bundle.complete(tmp);
            Map<String, String> sums = Checksums.of(tmp, "lib");
            Checksums.write(sums, tmp.resolve(MANIFEST));
            FileTree.delete(dir);  // a damaged one
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            long bytes = 0;
            try (Stream<Path> jars = Files.list(dir.resolve("lib"))) {
                for (Path jar : jars.toList()) {
                    bytes += Files.size(jar);
                }
            }
            double mb = bytes / 1048576.0;
            log.log(String.format(mb < 10 ? "%s: %d jars, %.1f MB, in %d s" : "%s: %d jars, %.0f MB, in %d s",
                    bundle.name(), sums.size(), mb, (System.nanoTime() - start) / 1_000_000_000));
        } catch (IOException | RuntimeException e) {
            FileTree.delete(tmp);
            if (e instanceof BadInput b) {
                throw new BadInput(b.getMessage() + "\nnothing was launched", b);
            }
            throw e;
        }
    }

    /** Maven's download lines, summed up every few seconds so a long first resolution shows it is moving. */
    private Consumer<String> downloads(String name) {
        long[] state = {0, System.nanoTime()};
        return line -> {
            if (line.startsWith("Downloaded from")) {
                state[0]++;
                if (System.nanoTime() - state[1] > 5_000_000_000L) {
                    state[1] = System.nanoTime();
                    log.log("  " + name + ": " + state[0] + " files downloaded ...");
                }
            }
        };
    }

    /** Writes each command with the bundle's folder in it, write-to-temp then rename, so nobody runs half a script. */
    private void writeCommands(JavaBundle bundle, Path dir) throws IOException {
        for (Map.Entry<String, String> c : bundle.commands().entrySet()) {
            if (!NAME.matcher(c.getKey()).matches()) {
                throw new BadInput(bundle.name() + ": command name '" + c.getKey() + "' is not a file name");
            }
            String text = c.getValue().replace("@@DIR@@", dir.toAbsolutePath().toString());
            Path target = binDir().resolve(c.getKey());
            if (Files.isRegularFile(target) && Files.readString(target).equals(text) && Files.isExecutable(target)) {
                continue;
            }
            Path tmp = Files.createTempFile(binDir(), ".tmp-" + c.getKey() + "-", "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            try {
                Files.writeString(tmp, text);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));  // whatever the umask
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
