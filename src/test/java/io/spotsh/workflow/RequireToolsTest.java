package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.cloud.Zone;
import io.spotsh.common.BadInput;
import io.spotsh.common.Log;
import io.spotsh.common.StateDir;
import io.spotsh.tools.JavaBundle;
import io.spotsh.tools.LocalTools;
import io.spotsh.types.Generic;
import io.spotsh.types.Metric;
import io.spotsh.types.Sanity;
import io.spotsh.types.TestCluster;
import io.spotsh.types.TestType;
import io.spotsh.types.TestTypes;
import io.spotsh.types.Tool;
import io.spotsh.types.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On the local provider a type's programs run here: with {@code --no-install} a missing one stops the launch,
 * naming its package (installing them is LocalToolsAptTest's and LocalToolsJavaTest's).
 */
class RequireToolsTest {
    private static final Provider LOCAL = new Provider() {
        public String name() { return "local"; }
        public List<Instance> launch(LaunchRequest request) { throw new AssertionError("nothing may launch"); }
        public List<Instance> describe(Collection<String> ids) { return List.of(); }
        public TerminateResult terminate(Collection<String> ids) { throw new AssertionError(); }
        public List<Instance> tagged() { return List.of(); }
        public List<Zone> zones(String instanceType) { return List.of(); }
        public boolean runsHere() { return true; }
    };

    private static final TestType NEEDY = new TestType() {
        public String name() { return "needy"; }
        public String description() { return "needs what is not here"; }
        public Map<String, Integer> size(int d, Integer c, Map<String, Object> p) { return TestType.roles("data", d); }
        public List<Tool> tools() {
            return List.of(new Tool("spotsh-no-such-server", "no-such-server"), new Tool("sh", "dash"),
                    new Tool("spotsh-no-such-collector", "no-such-stat", List.of("/nonexistent/collector")));
        }
        public List<JavaBundle> javaTools() {
            return List.of(new JavaBundle() {
                public String name() { return "no-such-java-1.0"; }
                public List<String> artifacts() { return List.of("org.example:nope:1.0"); }
                public Map<String, String> commands() { return Map.of(); }
            });
        }
        public Sanity check(TestCluster cluster) { return Sanity.ok("fine"); }
        public List<Workload> workloads(Map<String, Object> params) { return List.of(); }
        public List<Metric> parse(Workload w, String output) { return List.of(); }
    };

    /** cluster.launch on the local provider with --no-install: the missing programs named, nothing launched or recorded. */
    @Test
    void launchWithNoInstallNamesEveryMissingProgramAndLaunchesNothing(@TempDir Path state) {
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Log log = new Log(new PrintStream(logged, true, StandardCharsets.UTF_8));
        Cluster cluster = new Cluster(log, () -> { throw new AssertionError("nothing may be recorded"); }, name -> LOCAL,
                (test, role, params) -> "#!/bin/sh\n", new TestTypes().add(NEEDY), "local", false);
        cluster.setLocalTools(new LocalTools(new StateDir(state), false, log));

        BadInput e = assertThrows(BadInput.class, () -> cluster.launch(Map.of("name", "t", "type", "needy", "dataNodes", 2)));
        assertTrue(e.getMessage().startsWith("test type needy runs its local nodes on this machine, which lacks "), e.getMessage());
        assertTrue(e.getMessage().contains("spotsh-no-such-server (apt-get install no-such-server), "
                + "spotsh-no-such-collector (apt-get install no-such-stat), "
                + "no-such-java-1.0 (Java, from Maven Central: not installed); --no-install was given; nothing was launched"),
                e.getMessage());
        assertFalse(e.getMessage().contains("dash"), e.getMessage());
        assertTrue(Files.notExists(state.resolve("tools/no-such-java-1.0")));
    }

    /** The README's main command on a machine without Redis: exit 2, the packages named, nothing launched. */
    @Test
    void theRedisPlanStopsBeforeLaunchingWhenRedisIsMissing(@TempDir Path state)
            throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                io.spotsh.cli.Main.class.getName(), "--state-dir", state.toString(), "--no-install",
                "-f", "scripts/plans/redis-local.groovy");
        pb.environment().put("PATH", state.resolve("empty-bin").toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("redis-server (apt-get install redis-server)")
                && out.contains("redis-benchmark (apt-get install redis-tools)")
                && out.contains("psql (apt-get install postgresql-client)"), out);
        assertTrue(out.contains("--no-install was given; nothing was launched"), out);
        assertTrue(out.contains("redis-local.groovy:"), "names the plan line: " + out);
        assertTrue(Files.notExists(state.resolve("local-cloud/instances"))
                || Files.list(state.resolve("local-cloud/instances")).findAny().isEmpty(), "nothing launched");
    }

    @Test
    void anAbsoluteAlternativeCounts() {
        assertTrue(new Tool("spotsh-no-such-shell", "dash", List.of("/bin/sh")).isInstalled());
        assertFalse(new Tool("/nonexistent/bin/tool", "x").isInstalled());
        List<Tool> generic = new java.util.ArrayList<>(LocalTools.NODE_TOOLS);
        generic.addAll(new Generic().tools());
        assertDoesNotThrow(() -> new LocalTools(new StateDir(Path.of("/nonexistent")), false,
                new Log(new PrintStream(new ByteArrayOutputStream()))).provide("generic", generic, List.of()));
    }
}
