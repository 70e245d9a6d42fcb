package io.spotsh.workflow;

import io.spotsh.cli.Main;
import io.spotsh.cloud.CloudTests;
import io.spotsh.cloud.local.LocalProvider;
import io.spotsh.common.StateDir;
import io.spotsh.fanout.FailureStage;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;
import io.spotsh.registry.EmbeddedServer;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.shell.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fault at every step, on the real parts (local cloud, embedded registry, SSH): each drill ends with no instance
 * of its test left and no registration lost, and records what the user saw. The size comes from
 * {@code -Dspotsh.drill.nodes} (default 4, a CI size); {@code -Dspotsh.drill.report=FILE} appends one line per
 * drill (drill, leaked, lost, what the user saw) for {@code scripts/bench/chaos.sh}.
 */
class DrillsTest {
    private static final int NODES = Integer.getInteger("spotsh.drill.nodes", 4);
    private static Path state;

    @BeforeAll
    static void tools() throws IOException {
        for (String tool : List.of("psql", "setsid")) {
            boolean found = Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Paths.get(d, tool)));
            if (!found) {
                Assumptions.assumeFalse("true".equals(System.getenv("CI")), "CI must install " + tool);
                Assumptions.abort(tool + " is not installed: local nodes cannot boot");
            }
        }
        state = Files.createTempDirectory("spotsh-drills");
    }

    @AfterAll
    static void stop() {
        if (state != null) {
            CloudTests.stopLocal(state);
            CloudTests.delete(state);
        }
    }

    // ---- the drills ----------------------------------------------------------------------------------

    /** kill -9 of a separate spotsh while it awaits; {@code spotsh reap} then ends every instance. */
    @Test
    void killMinusNineDuringAwaitThenReap() throws Exception {
        String name = "drill-kill9-" + System.nanoTime();
        Path plan = write(name, "cluster.launch(name: '" + name + "', dataNodes: " + NODES + ", clientNodes: 0,"
                + " slowBoot: '2s..6s')\n"
                + "cluster.await(every: '1s', timeout: '" + awaitTimeout() + "')\n"
                + "println 'AWAITED'\n");
        Running spotsh = new Running(plan);
        String seen = spotsh.until("data servers reporting");
        spotsh.signal("KILL"); // kill -9: no shutdown hook runs
        assertTrue(spotsh.process.waitFor(30, TimeUnit.SECONDS));
        assertTrue(seen.contains("data servers reporting") && !seen.contains("AWAITED"), seen);
        assertEquals(NODES, live(name), "the instances outlive the killed spotsh");
        long lost = lostRegistrations(name);

        String said = main("reap");
        String reapLine = said.lines().filter(l -> l.startsWith("spotsh reap: local: ")).findFirst().orElse(said);
        assertTrue(reapLine.endsWith(" 0 left"), said);
        long leaked = live(name);
        report("kill -9 during await, then reap", leaked, lost, reapLine);
        assertEquals(0, leaked);
        assertEquals(0, lost);
    }

    /** SIGTERM to a separate spotsh in a workload phase: what exists is collected, everything ends, exit 143. */
    @Test
    void sigtermDuringAPhaseCollectsAndTerminates() throws Exception {
        String name = "drill-term-" + System.nanoTime();
        Path results = state.resolve("results-" + name);
        Path plan = write(name, "cluster.resultsDir = '" + results + "'\n"
                + "cluster.launch(name: '" + name + "', dataNodes: " + NODES + ", clientNodes: 0)\n"
                + "cluster.await(every: '1s', timeout: '" + awaitTimeout() + "')\n"
                + "cluster.phase('load') {\n"
                + "  nodes.run('echo loading > \"$SPOTSH_ROOT\"/var/lib/spotsh/results/load.out 2>/dev/null || true')\n"
                + "  println 'IN-PHASE'\n"
                + "  nodes.run('sleep 300')\n"
                + "}\n");
        Running spotsh = new Running(plan);
        String seen = spotsh.until("IN-PHASE");
        assertTrue(seen.contains("IN-PHASE"), seen);
        long lost = lostRegistrations(name);
        Thread.sleep(500); // the sleep has started on the nodes
        spotsh.signal("TERM");
        assertTrue(spotsh.process.waitFor(3, TimeUnit.MINUTES), spotsh.said());
        spotsh.reader.join(10_000);
        String all = spotsh.said();

        assertEquals(143, spotsh.process.exitValue(), all);
        assertTrue(all.contains("Collecting results of " + name), all);
        assertTrue(all.contains("Ending test " + name + " on exit"), all);
        long leaked = live(name);
        String saw = all.lines().filter(l -> l.contains("0 left running") || l.contains("Results of ")).map(DrillsTest::unstamped)
                .reduce((a, b) -> a + " / " + b).orElse("") + " (exit " + spotsh.process.exitValue() + ")";
        report("SIGTERM during a workload phase", leaked, lost, saw);
        assertEquals(0, leaked, all);
        assertEquals(0, lost);
        assertTrue(Files.isDirectory(results.resolve(name)), "collected into " + results);
    }

    /** The registry server restarted while spotsh awaits: nodes retry, await completes, no number given twice. */
    @Test
    void registryRestartDuringAwait() throws Exception {
        String name = "drill-registry-" + System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Session session = session(out)) {
            Cluster cluster = session.cluster();
            cluster.launch(Map.of("name", name, "dataNodes", NODES, "clientNodes", 0, "slowBoot", "3s..8s"));
            CompletableFuture<Void> await = CompletableFuture.runAsync(
                    () -> cluster.await(Map.of("every", "1s", "timeout", awaitTimeout())));
            CloudTests.await("the first await line", Duration.ofMinutes(1),
                    () -> out.toString(StandardCharsets.UTF_8).contains("data servers reporting") ? true : null);
            EmbeddedServer server = new EmbeddedServer(RegistrySettings.embedded(state));
            assertTrue(server.stop(), "the registry ran");
            Thread.sleep(3000);
            server.start();
            await.get(4, TimeUnit.MINUTES);

            String said = out.toString(StandardCharsets.UTF_8);
            List<Integer> numbers = session.registry().sql("SELECT n.node_number FROM spotsh.nodes n JOIN spotsh.tests t"
                    + " ON t.id = n.test_id WHERE t.name = ?", name).stream().map(r -> ((Number) r.get("node_number")).intValue())
                    .sorted().toList();
            assertEquals(java.util.stream.IntStream.rangeClosed(1, NODES).boxed().toList(), numbers, "each number once");
            long lost = lostRegistrations(name);
            cluster.terminate();
            long leaked = live(name);
            String saw = said.lines().filter(l -> l.contains("The registry") || l.contains("reported in and answer SSH"))
                    .map(DrillsTest::unstamped).reduce((a, b) -> a + " / " + b).orElse("");
            report("registry restarted during await", leaked, lost, saw);
            assertEquals(0, leaked);
            assertEquals(0, lost);
        }
    }

    /** One node's SSH server killed during nodes.run: it fails with phase and cause, the others finish, it comes back. */
    @Test
    void sshServerKilledDuringRun() throws Exception {
        String name = "drill-sshd-" + System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Session session = session(out); LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
            Cluster cluster = session.cluster();
            cluster.launch(Map.of("name", name, "dataNodes", NODES, "clientNodes", 0));
            cluster.await(Map.of("every", "1s", "timeout", awaitTimeout()));
            Nodes nodes = cluster.getNodes();
            nodes.run(Map.of("quiet", true, "check", true), "true"); // connections open
            Node victim = nodes.getData().getAt(2);
            CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(
                    () -> nodes.run(Map.of(), "echo started; sleep 5; echo done"));
            // killed once its command certainly runs (its first line is printed): a kill before that finds the command
            // not sent yet (at 300 nodes this run starts the resident shells, over a second), which is retried and
            // then fails to connect, rightly
            Pattern started = Pattern.compile("(?m)^" + Pattern.quote(victim.getName()) + " *\\| started$");
            CloudTests.await(victim.getName() + "'s command started", Duration.ofMinutes(1),
                    () -> started.matcher(out.toString(StandardCharsets.UTF_8)).find() ? true : null);
            assertEquals(List.of(victim.instanceId()), local.killSsh(List.of(victim.instanceId())));
            RunResult result = running.get(2, TimeUnit.MINUTES);

            NodeResult failed = result.get(victim.getName());
            assertFalse(failed.isOk(), result.summary());
            assertEquals(FailureStage.EXEC, failed.getPhase(), failed.toString());
            assertEquals("connection lost", failed.getCause(), failed.toString());
            assertEquals(NODES - 1, result.getOk().size(), result.summary());
            assertTrue(result.summary().contains("1 failed (exec: connection lost ×1)"), result.summary());

            RunResult whileDown = nodes.run(Map.of("quiet", true), "true");
            assertEquals("connection refused", whileDown.get(victim.getName()).getCause(), whileDown.get(victim.getName()).toString());
            local.restartSsh(List.of(victim.instanceId()));
            RunResult after = nodes.run(Map.of("quiet", true), "echo back");
            assertTrue(after.allOk(), after.summary());

            long lost = lostRegistrations(name);
            cluster.terminate();
            long leaked = live(name);
            report("a node's SSH server killed during nodes.run", leaked, lost, result.summary() + " / next: " + after.summary());
            assertEquals(0, leaked);
            assertEquals(0, lost);
        }
    }

    /** A spot reclaim during a phase: the node fails in the phase's result, is marked dead, its replacement takes its number. */
    @Test
    void spotReclaimDuringAPhase() throws Exception {
        String name = "drill-reclaim-" + System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Session session = session(out); LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
            Cluster cluster = session.cluster();
            cluster.launch(Map.of("name", name, "dataNodes", NODES, "clientNodes", 0));
            cluster.await(Map.of("every", "1s", "timeout", awaitTimeout()));
            Node victim = cluster.getNodes().getData().getAt(2);
            CompletableFuture<Object> phase = CompletableFuture.supplyAsync(() -> cluster.phase("load",
                    new groovy.lang.Closure<Object>(this) {
                        @Override
                        public Object call() {
                            return cluster.getNodes().run(Map.of("quiet", true), "sleep 4; echo done");
                        }
                    }));
            Thread.sleep(1000);
            local.reclaim(List.of(victim.instanceId()), Duration.ofMillis(200));
            RunResult result = (RunResult) phase.get(2, TimeUnit.MINUTES);

            NodeResult failed = result.get(victim.getName());
            assertFalse(failed.isOk(), result.summary());
            assertNotNull(failed.getCause());
            assertEquals(NODES - 1, result.getOk().size(), result.summary());
            String affected = session.registry().sql("SELECT e.message FROM spotsh.events e JOIN spotsh.tests t"
                    + " ON t.id = e.test_id WHERE t.name = ? AND e.kind = 'phase-affected'", name).stream()
                    .map(row -> (String) row.get("message")).findFirst().orElse("");
            assertTrue(affected.startsWith("phase load: data instance " + victim.instanceId() + " reclaimed in the interval"),
                    "the phase's interval is marked: '" + affected + "'\n" + out);
            CloudTests.await("the reclaim noticed", Duration.ofSeconds(30),
                    () -> (Integer) cluster.status().get(0).get("reclaimed") == 1 ? true : null);
            assertEquals("dead", session.registry().sql("SELECT n.state FROM spotsh.nodes n JOIN spotsh.tests t"
                    + " ON t.id = n.test_id WHERE t.name = ? AND n.instance_id = ?", name, victim.instanceId()).get(0).get("state"));

            List<String> fresh = cluster.replace(List.of(victim.instanceId()));
            cluster.await(Map.of("every", "1s", "timeout", awaitTimeout()));
            Node replacement = cluster.getNodes().getData().list().stream().filter(n -> n.instanceId().equals(fresh.get(0)))
                    .findFirst().orElseThrow();
            assertEquals(victim.number(), replacement.number(), "the replacement takes the dead node's number");

            long lost = lostRegistrations(name);
            cluster.terminate();
            long leaked = live(name);
            report("spot reclaim during a phase", leaked, lost, result.summary() + " / " + affected + " / " + victim.getName()
                    + " replaced by " + fresh.get(0) + " as number " + replacement.number());
            assertEquals(0, leaked);
            assertEquals(0, lost);
        }
    }

    /** The driver's disk fills while collecting: an error naming the folder, the nodes terminated, what came kept. */
    @Test
    void diskFullWhileCollecting() throws Exception {
        Path small = state.resolve("small-disk");
        Files.createDirectories(small);
        CloudTests.Result mount = CloudTests.run(null, Map.of(), "mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString());
        if (mount.status() != 0) {
            Assumptions.assumeFalse("true".equals(System.getenv("CI")), "CI must be able to mount a small tmpfs: " + mount.output());
            Assumptions.abort("cannot mount a small tmpfs here (needs root): " + mount.output());
        }
        try {
            String name = "drill-disk-" + System.nanoTime();
            // node 1's results fit, the others' fill the disk
            Path plan = write(name, "cluster.resultsDir = '" + small + "'\n"
                    + "cluster.launch(name: '" + name + "', dataNodes: " + NODES + ", clientNodes: 0)\n"
                    + "cluster.await(every: '1s', timeout: '" + awaitTimeout() + "')\n"
                    + "nodes.run(check: true, quiet: true, 'mkdir -p \"$SPOTSH_ROOT\"/var/lib/spotsh/results &&"
                    + " n=$(cat \"$SPOTSH_ROOT\"/etc/spotsh/node-number) && if [ \"$n\" = 1 ]; then size=5000; else size=3000000; fi &&"
                    + " head -c $size /dev/urandom > \"$SPOTSH_ROOT\"/var/lib/spotsh/results/big.out')\n"
                    + "cluster.collect()\n");
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(o, true, StandardCharsets.UTF_8);
            int code = Main.run(new String[] {"--state-dir", state.toString(), "-f", plan.toString()},
                    InputStream.nullInputStream(), print, print, Map.of());
            String said = o.toString(StandardCharsets.UTF_8);
            long leaked = live(name);
            String error = said.lines().filter(l -> l.contains("is full")).findFirst().orElse("");
            // which node's files arrive whole before the disk fills is a race; what arrived must stay either way
            long kept;
            boolean runJson;
            try (Stream<Path> files = Files.walk(small.resolve(name))) {
                kept = files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("run.json")).count();
            }
            try (Stream<Path> files = Files.walk(small.resolve(name))) {
                runJson = files.anyMatch(p -> p.getFileName().toString().equals("run.json"));
            }
            report("driver's disk full while collecting", leaked, 0, unstamped(error) + " (exit " + code + ")");
            assertEquals(1, code, said);
            assertTrue(error.contains("the disk holding " + small.resolve(name)), said);
            assertTrue(said.contains("0 left running"), said);
            assertEquals(0, leaked);
            assertTrue(runJson && kept > 0, "what was collected before the disk filled is kept under " + small + ":\n" + said);
        } finally {
            CloudTests.run(null, Map.of(), "umount", small.toString());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** Four minutes, or more for a big drill (300 nodes boot in about a minute on a quiet machine). */
    private static String awaitTimeout() {
        return Math.max(4, NODES / 30) + "m";
    }

    private static Session session(ByteArrayOutputStream out) {
        return new Session(new Session.Settings(new StateDir(state), RegistrySettings.embedded(state), "local", false,
                false, Map.of()), new io.spotsh.node.NodeUserData(new StateDir(state)), List.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private static Path write(String name, String text) throws IOException {
        return Files.writeString(state.resolve(name + ".groovy"), text);
    }

    /** A separate spotsh process running {@code plan}; what it prints (stdout and stderr) is read all along. */
    private static final class Running {
        final Process process;
        final Thread reader;
        private final StringBuffer said = new StringBuffer();

        Running(Path plan) throws IOException {
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--state-dir", state.toString(), "-f", plan.toString()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        said.append(line).append('\n');
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** What it printed once a line contains {@code marker} (or once it ended, or after 5 minutes). */
        String until(String marker) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!said().contains(marker) && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            return said();
        }

        String said() {
            return said.toString();
        }

        /** {@code kill -SIGNAL pid}, as a user or a scheduler would send it. */
        void signal(String signal) {
            CloudTests.Result r = CloudTests.run(null, Map.of(), "kill", "-" + signal, Long.toString(process.pid()));
            assertEquals(0, r.status(), r.output());
        }
    }

    private static String main(String... args) {
        List<String> argv = new ArrayList<>(List.of("--state-dir", state.toString()));
        argv.addAll(List.of(args));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(o, true, StandardCharsets.UTF_8);
        Main.run(argv.toArray(String[]::new), InputStream.nullInputStream(), print, print, Map.of());
        return o.toString(StandardCharsets.UTF_8);
    }

    /** Instances of the test the local cloud still runs. */
    private static long live(String test) {
        try (LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
            return local.tagged().stream().filter(i -> test.equals(i.test())).count();
        }
    }

    /**
     * Registrations lost: instances of the test whose phone-home wrote a node number that the registry does not
     * hold for that instance, plus numbers the registry gave twice.
     */
    private static long lostRegistrations(String test) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Session session = session(out); LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
            Map<String, Integer> registered = new HashMap<>();
            List<Map<String, Object>> rows = session.registry().sql("SELECT n.instance_id, n.node_number, n.state FROM spotsh.nodes n"
                    + " JOIN spotsh.tests t ON t.id = n.test_id WHERE t.name = ?", test);
            rows.forEach(r -> registered.put((String) r.get("instance_id"), ((Number) r.get("node_number")).intValue()));
            // a dead node's number goes to its replacement: only live nodes must hold distinct numbers
            List<Object> live = rows.stream().filter(r -> !"dead".equals(r.get("state"))).map(r -> r.get("node_number")).toList();
            long twice = live.size() - live.stream().distinct().count();
            long lost = 0;
            for (var i : local.tagged()) {
                if (!test.equals(i.test())) {
                    continue;
                }
                Path numberFile = local.instanceRoot(i.id()).resolve("etc/spotsh/node-number");
                try {
                    if (Files.isRegularFile(numberFile)) {
                        int number = Integer.parseInt(Files.readString(numberFile).strip());
                        if (!Integer.valueOf(number).equals(registered.get(i.id()))) {
                            lost++;
                        }
                    }
                } catch (IOException | NumberFormatException e) {
                    // written at this moment: it is read once it is whole, by a later drill step
                }
            }
            return lost + twice;
        }
    }

    private static String unstamped(String line) {
        return line.replaceFirst("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ", "");
    }

    /** One line for chaos.sh: drill, leaked, lost, what the user saw (tabs and newlines flattened). */
    private static void report(String drill, long leaked, long lost, String saw) throws IOException {
        String file = System.getProperty("spotsh.drill.report");
        if (file == null || file.isBlank()) {
            return;
        }
        String line = String.join("\t", drill, Long.toString(leaked), Long.toString(lost),
                saw.replaceAll("[\\t\\r\\n]+", " ")) + "\n";
        Files.writeString(Path.of(file), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
