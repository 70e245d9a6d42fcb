package io.spotsh.workflow;

import io.spotsh.cloud.CloudTests;
import io.spotsh.cloud.local.LocalProvider;
import io.spotsh.common.StateDir;
import io.spotsh.fanout.RunResult;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.shell.Session;
import groovy.lang.Closure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A spot interruption on the real parts: the local cloud's {@code reclaim} fault serves the notice at its IMDSv2
 * endpoint, the node's watcher reads it and reports it into the embedded registry, and the shell shows it during a
 * phase, before the node goes; the phase is flagged; nothing of the node is left running.
 */
class LocalInterruptionTest {
    private static Path state;

    @BeforeAll
    static void tools() throws IOException {
        CloudTests.require("psql", "local nodes cannot boot or watch their metadata");
        CloudTests.require("setsid", "local nodes cannot boot or watch their metadata");
        CloudTests.require("curl", "local nodes cannot boot or watch their metadata");
        state = Files.createTempDirectory("spotsh-local-interruption");
    }

    @AfterAll
    static void stop() {
        CloudTests.stopLocal(state);
    }

    @Test
    void theWarningReachesTheShellDuringAPhaseBeforeTheNodeGoes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String name = "interrupt-" + System.nanoTime();
        int after = 40;
        int notice = 8;
        try (Session session = new Session(new Session.Settings(new StateDir(state), RegistrySettings.embedded(state),
                "local", false, false, Map.of()), new io.spotsh.node.NodeUserData(new StateDir(state)), List.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8))) {
            Cluster cluster = session.cluster();
            session.registry();  // the embedded registry starts first: the reclaim's clock starts at the launch
            Instant launched = Instant.now();
            cluster.launch(Map.of("name", name, "dataNodes", 2, "clientNodes", 0, "ttl", "20m",
                    "reclaim", Map.of("nodes", List.of(0), "after", after + "s", "notice", notice + "s")));
            cluster.await(Map.of("every", "1s", "timeout", "2m"));
            String victim = session.registry().sql("SELECT i.instance_id FROM spotsh.instances i JOIN spotsh.tests t"
                    + " ON t.id = i.test_id WHERE t.name = ? ORDER BY i.id LIMIT 1", name).get(0).get("instance_id").toString();
            Node victimNode = cluster.getNodes().getData().list().stream().filter(n -> n.instanceId().equals(victim))
                    .findFirst().orElseThrow();
            assertTrue(Instant.now().isBefore(launched.plusSeconds(after - 5)),
                    "await took too long for the interruption to come during the phase");

            // the workload runs until a few seconds past the reclaim, whenever await finished
            Instant started;
            try (LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
                started = local.describe(List.of(victim)).get(0).launchedAt();
            }
            long until = started.plusSeconds(after + notice + 4).getEpochSecond();
            Object result = cluster.phase("load", new Closure<Object>(this) {
                @SuppressWarnings("unused")
                public Object doCall() {
                    return cluster.getNodes().run(Map.of("quiet", true),
                            "while [ $(date +%s) -lt " + until + " ]; do sleep 1; done");
                }
            });
            String said = out.toString(StandardCharsets.UTF_8);

            // the shell printed the warning, then the phase ended, flagging the node
            Matcher warning = Pattern.compile(Pattern.quote(victim) + " \\(data-" + victimNode.number()
                    + "\\) will be interrupted at (\\d\\d:\\d\\d:\\d\\d)").matcher(said);
            assertTrue(warning.find(), said + "\nrun: " + ((RunResult) result).rows() + "\nwatcher: " + watcherLog(victim)
                    + "\ndaemon: " + daemonLog());
            // the daemon told the node's watcher to look, rather than leave the notice to its next look
            String noticeLine = daemonLog().lines().filter(l -> l.contains("spot interruption notice for " + victim))
                    .findFirst().orElse("");
            assertTrue(!noticeLine.isEmpty() && !noticeLine.contains("not told"), "the watcher was woken: " + noticeLine);
            int flagged = said.indexOf("Phase load: spot interruption: data-" + victimNode.number() + " (" + victim + ") at "
                    + warning.group(1));
            assertTrue(flagged > warning.start(), "the warning comes first, then the phase flags the node:\n" + said);
            assertTrue(said.indexOf("Phase load finished") > flagged || said.indexOf("Phase load failed") > flagged, said);
            RunResult run = (RunResult) result;
            assertEquals(1, run.getFailed().size(), "the interrupted node's command ended with it: " + run.rows());
            assertEquals("data-" + victimNode.number(), run.getFailed().get(0).getName());

            // the registry: the node's own report, before the node went, then the phase's end, then the node's death
            cluster.status();
            List<Map<String, Object>> events = session.registry().events(name);
            List<String> kinds = new ArrayList<>(events.stream().map(e -> String.valueOf(e.get("kind"))).toList());
            int noticed = kinds.indexOf("interruption-notice");
            int phaseEnd = Math.max(kinds.indexOf("phase-ok"), kinds.indexOf("phase-failed"));
            int dead = kinds.indexOf("node-dead");
            assertTrue(noticed > kinds.indexOf("phase-started") && noticed < phaseEnd && phaseEnd < dead, kinds.toString());
            Map<String, Object> report = events.get(noticed);
            assertEquals(victim, report.get("instance_id"));
            assertTrue(String.valueOf(report.get("message")).endsWith("(reported by the node)"), report.toString());
            assertEquals(1, kinds.stream().filter("interruption-notice"::equals).count(), kinds.toString());
            Instant goes = ((OffsetDateTime) session.registry().sql("SELECT n.interrupt_at FROM spotsh.nodes n JOIN spotsh.tests t"
                    + " ON t.id = n.test_id WHERE t.name = ? AND n.instance_id = ?", name, victim).get(0).get("interrupt_at")).toInstant();
            assertTrue(((OffsetDateTime) report.get("at")).toInstant().isBefore(goes),
                    "reported at " + report.get("at") + ", the node went at " + goes);
            Map<String, Object> phase = session.registry().sql("SELECT p.message FROM spotsh.phases p JOIN spotsh.tests t"
                    + " ON t.id = p.test_id WHERE t.name = ? AND p.name = 'load'", name).get(0);
            assertTrue(String.valueOf(phase.get("message")).contains("spot interruption: data-" + victimNode.number()
                    + " (" + victim + ")"), phase.toString());
            String later = out.toString(StandardCharsets.UTF_8);
            assertTrue(later.contains(victim + " (data) was reclaimed by a spot interruption"), later);

            cluster.terminate();
            List<Long> left = new ArrayList<>();
            for (Map<String, Object> row : session.registry().sql("SELECT i.instance_id FROM spotsh.instances i"
                    + " JOIN spotsh.tests t ON t.id = i.test_id WHERE t.name = ?", name)) {
                left.addAll(processesOf(String.valueOf(row.get("instance_id"))));
            }
            assertEquals(List.of(), left, "processes of the test's instances (the watchers included) left running");
        }
    }

    private static String watcherLog(String id) {
        try {
            Path root = state.resolve("local-cloud/instances").resolve(id);
            return Files.readString(root.resolve("var/log/spotsh-boot.log"));
        } catch (IOException e) {
            return "(none: " + e + ")";
        }
    }

    private static String daemonLog() {
        try {
            return Files.readString(state.resolve("local-cloud/daemon.log"));
        } catch (IOException e) {
            return "(none: " + e + ")";
        }
    }

    /** This user's processes that carry the local cloud's marker for the instance in their environment. */
    private static List<Long> processesOf(String instanceId) throws IOException {
        byte[] marker = ("SPOTSH_LOCAL_INSTANCE=" + instanceId).getBytes(StandardCharsets.UTF_8);
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                try {
                    byte[] env = Files.readAllBytes(p.resolve("environ"));
                    if (contains(env, marker)) {
                        found.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | SecurityException gone) {
                    // exited meanwhile, or another user's
                }
            }
        }
        return found;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            if (i + needle.length == haystack.length || haystack[i + needle.length] == 0) {
                return true;
            }
        }
        return false;
    }
}
