package io.spotsh.node;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ami/bake.sh for real: run twice in a Debian 12 root made with debootstrap from Debian's repository
 * (ami/chroot-bake.sh), with {@code --no-vendor-repos} (Apache's and MongoDB's repositories and GitHub are not
 * reachable here; Debian's and Maven Central are). The baked root is then inspected with its own commands: sysstat
 * enabled with the 10 s timer override, psql, Java 17, Redis, YCSB from Maven Central running, the node scripts,
 * sshd's settings as sshd itself reads them; and the second run changed nothing.
 *
 * <p>Needs root and debootstrap: outside CI it skips without them, in CI (CI=true) their absence fails. The
 * debootstrap root is cached as a tar in {@code /tmp/spotsh-bake-cache} (chroot-bake.sh), the Maven jars come from
 * this user's {@code ~/.m2/repository}, mounted into the root.
 */
class BakeChrootTest {
    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Path SCRIPT = REPO.resolve("ami/chroot-bake.sh");
    /** Only a guard against a hung apt or mvn; a bake takes a few minutes. */
    private static final long STEP_TIMEOUT_MINUTES = 20;

    @Test
    void bakeTwiceInADebian12RootGivesTheNodeImageAndChangesNothingTheSecondTime() throws Exception {
        requireRootAndDebootstrap();
        Path dir = Files.createTempDirectory("spotsh-bake-");
        Path root = dir.resolve("root");
        try {
            Result made = script(root, "new");
            assertEquals(0, made.exit, "debootstrap root: " + made.output);

            Result first = script(root, "bake", "--no-vendor-repos");
            assertEquals(0, first.exit, "first bake: " + tail(first.output));
            assertTrue(first.output.contains("bake.sh: changed "), tail(first.output));
            assertTrue(first.output.contains("bake.sh: done"), tail(first.output));
            Map<String, String> afterFirst = snapshot(root);

            Result second = script(root, "bake", "--no-vendor-repos");
            assertEquals(0, second.exit, "second bake: " + tail(second.output));
            assertSame(afterFirst, snapshot(root));
            assertTrue(second.output.contains("bake.sh: nothing changed"), "the second bake reports a change: " + tail(second.output));

            assertSysstatEvery10Seconds(root);
            assertTrue(inside(root, "psql", "--version").contains("psql (PostgreSQL) 15"));
            assertTrue(inside(root, "java", "-version").contains("version \"17."));
            assertRedis(root);
            assertNodeScripts(root);
            assertSshdForTheFanout(root);
            assertYcsb(root);
        } finally {
            Result removed = script(root, "remove");
            assertEquals(0, removed.exit, "removing the root: " + removed.output);
            Files.deleteIfExists(dir);
        }
    }

    private static void requireRootAndDebootstrap() throws IOException {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        if (!root) {
            Assumptions.assumeFalse(ci, "CI must run the tests as root: the bake test mounts and chroots");
            Assumptions.abort("not root: debootstrap, mount and chroot need root");
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/debootstrap"))) {
            Assumptions.assumeFalse(ci, "CI must install debootstrap (.ci/run)");
            Assumptions.abort("debootstrap is not installed (apt-get install debootstrap): no Debian root to bake in");
        }
    }

    // ---- the end conditions ---------------------------------------------------------------------------

    private static void assertSysstatEvery10Seconds(Path root) throws Exception {
        assertTrue(Files.readAllLines(root.resolve("etc/default/sysstat")).contains("ENABLED=\"true\""));
        // the timer unit as the package installs it, its schedule replaced by the drop-in
        assertTrue(Files.isRegularFile(root.resolve("usr/lib/systemd/system/sysstat-collect.timer")));
        List<String> dropIn = Files.readAllLines(root.resolve("etc/systemd/system/sysstat-collect.timer.d/spotsh.conf"));
        int reset = dropIn.indexOf("OnCalendar=");
        assertTrue(reset >= 0 && dropIn.indexOf("OnCalendar=*:*:0/10") > reset, "drop-in: " + dropIn);
        // enabled means linked where systemd looks at boot; systemctl reads the same links offline
        assertEquals("enabled\nenabled", inside(root, "systemctl", "is-enabled", "sysstat.service", "sysstat-collect.timer").strip());
        assertTrue(wantedBy(root, "sysstat-collect.timer").size() > 0, "no .wants link to sysstat-collect.timer");
        assertTrue(wantedBy(root, "sysstat.service").size() > 0, "no .wants link to sysstat.service");
        // the schedule the drop-in sets elapses every 10 seconds, as systemd reads it
        String onCalendar = dropIn.stream().filter(l -> l.startsWith("OnCalendar=")).reduce((a, b) -> b).orElseThrow()
                .substring("OnCalendar=".length());
        String calendar = inside(root, "systemd-analyze", "calendar", "--iterations=3", onCalendar);
        List<Integer> seconds = new ArrayList<>();
        for (String line : calendar.split("\n")) {
            var m = java.util.regex.Pattern.compile("(?:Next elapse|Iter\\. #\\d+): \\w+ \\S+ (\\d\\d):(\\d\\d):(\\d\\d) UTC").matcher(line);
            if (m.find()) {
                seconds.add(Integer.parseInt(m.group(1)) * 3600 + Integer.parseInt(m.group(2)) * 60 + Integer.parseInt(m.group(3)));
            }
        }
        assertEquals(3, seconds.size(), calendar);
        assertEquals(10, Math.floorMod(seconds.get(1) - seconds.get(0), 86400), calendar);
        assertEquals(10, Math.floorMod(seconds.get(2) - seconds.get(1), 86400), calendar);
    }

    private static List<Path> wantedBy(Path root, String unit) throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("etc/systemd/system"))) {
            return files.filter(p -> p.getParent().getFileName().toString().endsWith(".wants"))
                    .filter(p -> p.getFileName().toString().equals(unit) && Files.isSymbolicLink(p)).toList();
        }
    }

    private static void assertRedis(Path root) throws Exception {
        assertTrue(inside(root, "redis-server", "--version").startsWith("Redis server v=7."));
        assertTrue(inside(root, "redis-cli", "--version").startsWith("redis-cli 7."));
        assertTrue(Files.isExecutable(root.resolve("usr/bin/redis-benchmark")));
        // the role starts it, not the boot
        Result enabled = run(List.of(SCRIPT.toString(), root.toString(), "run", "systemctl", "is-enabled", "redis-server.service"));
        assertEquals("disabled", enabled.output.strip());  // (is-enabled exits 1 for a disabled unit)
        assertTrue(wantedBy(root, "redis-server.service").isEmpty(), "redis-server is linked to start at boot");
    }

    private static void assertNodeScripts(Path root) throws IOException {
        Path installed = root.resolve("opt/spotsh/scripts");
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> top = Files.list(REPO.resolve("scripts")); Stream<Path> roles = Files.list(REPO.resolve("scripts/roles"))) {
            top.filter(p -> p.toString().endsWith(".sh")).forEach(sources::add);
            roles.filter(Files::isRegularFile).forEach(sources::add);
        }
        assertTrue(sources.size() >= 10, "scripts: " + sources);
        for (Path source : sources) {
            Path copy = installed.resolve(REPO.resolve("scripts").relativize(source));
            assertTrue(Files.isRegularFile(copy), "not in the image: " + copy);
            assertEquals(Files.readString(source), Files.readString(copy), copy.toString());
            assertTrue(Files.getPosixFilePermissions(copy).contains(PosixFilePermission.OTHERS_EXECUTE), copy.toString());
        }
    }

    private static void assertSshdForTheFanout(Path root) throws Exception {
        // as sshd reads its configuration (sshd_config, then the drop-ins it includes); the image has no host key
        // (cloud-init makes them on first boot), so one is made for the check and removed
        String effective = inside(root, "sh", "-c", "mkdir -p /run/sshd && ssh-keygen -q -t ed25519 -N '' -f /tmp/check-hostkey"
                + " && /usr/sbin/sshd -T -h /tmp/check-hostkey; s=$?; rm -f /tmp/check-hostkey /tmp/check-hostkey.pub; exit $s");
        List<String> lines = List.of(effective.split("\n"));
        assertTrue(lines.contains("maxstartups 1000:30:1000"), effective);
        assertTrue(lines.contains("maxsessions 64"), effective);
        assertTrue(lines.contains("usedns no"), effective);
    }

    private static void assertYcsb(Path root) throws Exception {
        Path ycsb = root.resolve("opt/ycsb");
        assertTrue(Files.isRegularFile(ycsb.resolve("lib/core-0.17.0.jar")));
        assertTrue(Files.isRegularFile(ycsb.resolve("lib/HdrHistogram-2.1.12.jar")));
        try (Stream<Path> jars = Files.walk(ycsb)) {
            List<Path> old = jars.filter(p -> p.getFileName().toString().startsWith("HdrHistogram-2.1.4")).toList();
            assertTrue(old.isEmpty(), "core's HdrHistogram 2.1.4 writes .hdr files through javax.xml.bind: " + old);
        }
        assertTrue(Files.isRegularFile(ycsb.resolve("cassandra-cql-binding/lib/spotsh-ycsb-cql-1.0.jar")));
        assertTrue(Files.isRegularFile(ycsb.resolve("cassandra-cql-binding/lib/java-driver-core-4.18.1.jar")));
        assertEquals(Files.readString(REPO.resolve("scripts/ycsb.sh")), Files.readString(ycsb.resolve("bin/ycsb.sh")));
        assertEquals("/opt/ycsb/bin/ycsb.sh", Files.readSymbolicLink(root.resolve("usr/local/bin/ycsb")).toString());
        // YCSB's client on the image's Java 17, writing HdrHistogram's .hdr log (the reason for 2.1.12)
        String load = inside(root, "sh", "-c", "rm -rf /tmp/hdr && mkdir /tmp/hdr && ycsb load basic -p workload=site.ycsb.workloads.CoreWorkload"
                + " -p recordcount=10 -p basicdb.verbose=false -p measurementtype=hdrhistogram -p hdrhistogram.fileoutput=true"
                + " -p hdrhistogram.output.path=/tmp/hdr/ && ls /tmp/hdr && rm -rf /tmp/hdr");
        assertTrue(load.contains("[INSERT], Operations, 10"), load);
        assertTrue(load.contains("INSERT.hdr"), load);
        // the cql runner is on the binding's class path: with no arguments it answers with its usage
        Result cql = run(List.of(SCRIPT.toString(), root.toString(), "run", "ycsb", "cql"));
        assertTrue(cql.output.contains("usage: io.spotsh.ycsb.Cql"), cql.output);
    }

    // ---- the same image: packages, unit links and the files under etc, opt and usr/local -------------------

    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> state = new TreeMap<>();
        state.put("var/lib/dpkg/status", sha256(root.resolve("var/lib/dpkg/status")));
        for (String top : List.of("etc", "opt", "usr/local")) {
            try (Stream<Path> files = Files.walk(root.resolve(top))) {
                for (Path p : files.toList()) {
                    String name = root.relativize(p).toString();
                    if (Files.isSymbolicLink(p)) {
                        state.put(name, "-> " + Files.readSymbolicLink(p));
                    } else if (Files.isRegularFile(p)) {
                        state.put(name, sha256(p) + " " + Files.getPosixFilePermissions(p));
                    }
                }
            }
        }
        return state;
    }

    private static void assertSame(Map<String, String> before, Map<String, String> after) {
        TreeSet<String> changed = new TreeSet<>(before.keySet());
        changed.addAll(after.keySet());
        changed.removeIf(k -> java.util.Objects.equals(before.get(k), after.get(k)));
        assertTrue(changed.isEmpty(), "the second bake changed these (" + changed.size() + "): "
                + changed.stream().limit(30).toList());
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- running chroot-bake.sh ------------------------------------------------------------------------

    private record Result(int exit, String output) {
    }

    private static Result script(Path root, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString(), root.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** A command run inside the root: its output (stdout and stderr), failing the test if it exits non-zero. */
    private static String inside(Path root, String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of(SCRIPT.toString(), root.toString(), "run"));
        full.addAll(List.of(command));
        Result r = run(full);
        if (r.exit != 0) {
            fail(String.join(" ", command) + " in the baked root exited " + r.exit + ": " + r.output);
        }
        return r.output;
    }

    private static Result run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("SPOTSH_BAKE_M2", Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        reader.start();
        if (!p.waitFor(STEP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroy();  // chroot-bake.sh unmounts on TERM
            p.waitFor(1, TimeUnit.MINUTES);
            fail(String.join(" ", command) + " did not end in " + STEP_TIMEOUT_MINUTES + " minutes");
        }
        reader.join();
        return new Result(p.exitValue(), out.toString());
    }

    private static String tail(String output) {
        String[] lines = output.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 60), lines.length));
    }
}
