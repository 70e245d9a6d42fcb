package io.spotsh.tools;

import io.spotsh.common.BadInput;
import io.spotsh.common.Log;
import io.spotsh.common.StateDir;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java bundles resolved for real from Maven Central with the {@code mvn} command (the user's ~/.m2 caches them):
 * what lands in the tools folder, that a second provide resolves nothing, that a damaged jar is noticed and
 * replaced, that an artifact Central does not have leaves nothing behind, and a module built from the classpath.
 */
class LocalToolsJavaTest {
    private static final String JAVAP = Path.of(System.getProperty("java.home"), "bin", "javap").toString();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path state;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final MavenArtifacts maven = new MavenArtifacts();

    @BeforeAll
    static void needsMaven() {
        boolean mvn = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "mvn")));
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(mvn, "resolving Java tools needs the mvn command on PATH");
        }
    }

    /** HdrHistogram, with a command that runs the JDK's javap on its classpath. */
    private static JavaBundle hdr(String version) {
        return new JavaBundle() {
            public String name() { return "hdr-" + version; }
            public List<String> artifacts() { return List.of("org.hdrhistogram:HdrHistogram:" + version); }
            public Map<String, String> commands() {
                return Map.of("hdr-javap", "#!/bin/sh\nexec " + JAVAP + " -cp '@@DIR@@/lib/*' org.HdrHistogram.Histogram\n");
            }
        };
    }

    private LocalTools tools(boolean install) {
        return new LocalTools(new StateDir(state), install, new Log(new PrintStream(logged, true, StandardCharsets.UTF_8)),
                System.getenv(), true, maven);
    }

    private String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    private static String run(Path command) throws Exception {
        Process p = new ProcessBuilder(command.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aBundleIsResolvedOnceChecksummedAndItsCommandRuns() throws Exception {
        Path tools = state.resolve("tools");
        Files.createDirectories(tools.resolve(".tmp-hdr-2.1.12-crashed/lib"));  // a spotsh that died installing

        tools(true).provide("hdr", List.of(), List.of(hdr("2.1.12")));

        Path dir = tools.resolve("hdr-2.1.12");
        Path jar = dir.resolve("lib/HdrHistogram-2.1.12.jar");
        assertTrue(Files.isRegularFile(jar));
        assertEquals(Checksums.sha256(jar) + "  lib/HdrHistogram-2.1.12.jar\n", Files.readString(dir.resolve("SHA256SUMS")));
        assertTrue(log().contains("resolving hdr-2.1.12 from Maven Central ...\n"), log());
        assertTrue(log().contains("hdr-2.1.12: 1 jars, "), log());
        Path command = tools.resolve("bin/hdr-javap");
        assertEquals("#!/bin/sh\nexec " + JAVAP + " -cp '" + dir + "/lib/*' org.HdrHistogram.Histogram\n", Files.readString(command));
        assertTrue(run(command).contains("public class org.HdrHistogram.Histogram extends org.HdrHistogram.AbstractHistogram"));
        assertEquals(1, maven.runs());
        try (Stream<Path> left = Files.list(tools)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList(),
                    "the crashed install's leftovers are gone");
        }

        // a second provide (another spotsh, the same state folder) finds it complete: no resolution
        logged.reset();
        tools(true).provide("hdr", List.of(), List.of(hdr("2.1.12")));
        tools(false).provide("hdr", List.of(), List.of(hdr("2.1.12")));
        assertEquals(1, maven.runs());
        assertFalse(log().contains("resolving"), log());

        // a damaged jar is noticed and the bundle installed again
        Files.writeString(jar, "junk", StandardOpenOption.APPEND);
        assertEquals("lib/HdrHistogram-2.1.12.jar does not match its checksum", LocalTools.problem(dir));
        tools(true).provide("hdr", List.of(), List.of(hdr("2.1.12")));
        assertTrue(log().contains("hdr-2.1.12 in " + tools + " is damaged (lib/HdrHistogram-2.1.12.jar does not match"
                + " its checksum): installing it again"), log());
        assertEquals(2, maven.runs());
        assertNull(LocalTools.problem(dir));
        assertTrue(run(command).contains("org.HdrHistogram.Histogram"));

        // a jar nobody listed makes it damaged too
        Files.writeString(dir.resolve("lib/extra.jar"), "x");
        assertEquals("lib/extra.jar is not in SHA256SUMS", LocalTools.problem(dir));
    }

    @Test
    void anArtifactCentralDoesNotHaveIsNamedAndLeavesNothingBehind() throws IOException {
        JavaBundle nope = new JavaBundle() {
            public String name() { return "nope-1.0"; }
            public List<String> artifacts() { return List.of("org.hdrhistogram:HdrHistogram:2.1.12", "org.example:nope:1.0"); }
            public Map<String, String> commands() { return Map.of("nope", "#!/bin/sh\n"); }
        };
        BadInput e = assertThrows(BadInput.class, () -> tools(true).provide("nope", List.of(), List.of(nope)));

        assertTrue(e.getMessage().startsWith("cannot resolve org.example:nope:1.0 (for nope-1.0) from Maven Central:"),
                e.getMessage());
        assertTrue(e.getMessage().contains("(mvn (Maven resolves the local nodes' Java tools) exited with status 1)")
                && e.getMessage().endsWith("nothing was launched"), e.getMessage());
        try (Stream<Path> left = Files.list(state.resolve("tools"))) {
            assertEquals(List.of("bin"), left.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")).toList());
        }
        try (Stream<Path> bin = Files.list(state.resolve("tools/bin"))) {
            assertEquals(0, bin.count());
        }
    }

    @Test
    void withNoInstallAMissingBundleIsNamedAndNothingResolved() {
        BadInput e = assertThrows(BadInput.class, () -> tools(false).provide("hdr", List.of(), List.of(hdr("2.1.12"))));
        assertEquals("test type hdr runs its local nodes on this machine, which lacks hdr-2.1.12 (Java, from Maven Central:"
                + " not installed); --no-install was given; nothing was launched", e.getMessage());
        assertEquals(0, maven.runs());
        assertFalse(Files.exists(state.resolve("tools/hdr-2.1.12")));
    }

    /** A Maven project shipped as a classpath folder: built, its jar and its runtime dependencies in lib/. */
    @Test
    void aModuleIsBuiltFromTheClasspath() throws Exception {
        JavaBundle hello = new JavaBundle() {
            public String name() { return "hello-1"; }
            public List<String> artifacts() { return List.of(); }
            public List<String> modules() { return List.of("tools-test/hello-module"); }
            public void complete(Path dir) throws IOException {
                Files.writeString(dir.resolve("greeting.conf"), "written by complete() into " + dir.getFileName());
            }
            public Map<String, String> commands() {
                return Map.of("hello", "#!/bin/sh\nexec " + JAVA + " -cp '@@DIR@@/lib/*' hello.Hello\n");
            }
        };
        tools(true).provide("hello", List.of(), List.of(hello));

        Path dir = state.resolve("tools/hello-1");
        assertTrue(Files.isRegularFile(dir.resolve("lib/hello-module-1.jar")));
        assertTrue(Files.isRegularFile(dir.resolve("lib/HdrHistogram-2.1.12.jar")));
        assertTrue(Files.readString(dir.resolve("greeting.conf")).startsWith("written by complete() into .tmp-hello-1-"),
                "complete() runs in the temporary folder");
        assertFalse(Files.exists(dir.resolve(".work")));
        assertNull(LocalTools.problem(dir));
        assertEquals("hello from a module, max 42\n", run(state.resolve("tools/bin/hello")));
    }
}
