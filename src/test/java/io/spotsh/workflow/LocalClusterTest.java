package io.spotsh.workflow;

import io.spotsh.cloud.CloudTests;
import io.spotsh.cli.Main;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Providers;
import io.spotsh.cloud.local.LocalProvider;
import io.spotsh.common.StateDir;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.shell.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workflow end to end on the real parts: the local cloud's daemon and SSH servers, userdata booting each
 * instance, phone-home into the embedded registry, and the command line for the crash-and-reap case.
 */
class LocalClusterTest {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static Path state;

    @BeforeAll
    static void tools() throws IOException {
        CloudTests.require("psql", "local nodes cannot boot");
        CloudTests.require("setsid", "local nodes cannot boot");
        state = Files.createTempDirectory("spotsh-local-cluster");
    }

    @AfterAll
    static void stop() {
        CloudTests.stopLocal(state);
    }

    private static Session session(ByteArrayOutputStream out) {
        return new Session(new Session.Settings(new StateDir(state), RegistrySettings.embedded(state), "local", false,
                false, Map.of()), new io.spotsh.node.NodeUserData(new StateDir(state)), List.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void fiftyNodesWithDudsAndSlowBootsConverge() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String name = "fifty-" + System.nanoTime();
        try (Session session = session(out)) {
            Cluster cluster = session.cluster();
            cluster.launch(Map.of("name", name, "dataNodes", 50, "clientNodes", 0, "dudRate", 0.05,
                    "slowBoot", "1s..6s", "ttl", "20m"));
            cluster.await(Map.of("every", "2s", "replaceAfter", "20s", "timeout", "4m"));

            List<Integer> numbers = cluster.getNodes().getData().list().stream().map(Node::number).sorted().toList();
            assertEquals(java.util.stream.IntStream.rangeClosed(1, 50).boxed().toList(), numbers);
            Map<String, Object> data = cluster.status().get(0);
            assertEquals(50, data.get("expected"));
            assertEquals(50, data.get("reachable"));
            int duds = (Integer) data.get("duds");
            assertTrue(duds >= 1, "5% duds of 50 should give at least one dud: " + data);

            // every interval: seen + missing == expected, and a listed id had not registered by then
            Map<String, LocalDateTime> registeredAt = new java.util.HashMap<>();
            for (Map<String, Object> row : session.registry().sql("SELECT n.instance_id, n.registered_at FROM spotsh.nodes n"
                    + " JOIN spotsh.tests t ON t.id = n.test_id WHERE t.name = ?", name)) {
                registeredAt.put((String) row.get("instance_id"),
                        ((java.time.OffsetDateTime) row.get("registered_at")).atZoneSameInstant(java.time.ZoneId.systemDefault()).toLocalDateTime());
            }
            Matcher m = Pattern.compile("(\\S+ \\S+) I see (\\d+)/(\\d+) data servers reporting\\.\\.\\.\\n(?:(\\S+ \\S+) Missing Instances: (\\S+)(?: and (\\d+) more \\(nodes\\.missing\\(\\) lists them all\\))?\\n)?")
                    .matcher(out.toString(StandardCharsets.UTF_8));
            int intervals = 0;
            Set<String> everMissing = new HashSet<>();
            while (m.find()) {
                intervals++;
                int seen = Integer.parseInt(m.group(2));
                int expected = Integer.parseInt(m.group(3));
                List<String> missing = m.group(5) == null ? List.of() : List.of(m.group(5).split(","));
                // past 20 ids the line shows 10 and how many more (the full list goes to await.log)
                int more = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
                assertTrue(more == 0 || missing.size() == 10, "a shortened line shows 10 ids: " + missing);
                assertEquals(expected, seen + missing.size() + more, "interval at " + m.group(1) + " lists " + missing
                        + " and " + more + " more");
                LocalDateTime at = LocalDateTime.parse(m.group(1), STAMP);
                for (String id : missing) {
                    LocalDateTime reg = registeredAt.get(id);
                    assertTrue(reg == null || !reg.isBefore(at.minusSeconds(1)), id + " was listed missing at " + at + " but registered at " + reg);
                }
                everMissing.addAll(missing);
            }
            assertTrue(intervals >= 3, out.toString(StandardCharsets.UTF_8));
            List<Map<String, Object>> dudRows = session.registry().sql("SELECT i.instance_id FROM spotsh.instances i"
                    + " JOIN spotsh.tests t ON t.id = i.test_id WHERE t.name = ? AND i.state = 'dud'", name);
            for (Map<String, Object> dud : dudRows) {
                assertTrue(everMissing.contains((String) dud.get("instance_id")), "dud " + dud + " never listed as missing");
            }
            cluster.terminate();
            long left = session.cluster().leaks().size()
                    + Providers.open("local", new StateDir(state), Map.of()).tagged().stream().filter(i -> name.equals(i.test())).count();
            assertEquals(0, left);
        }
    }

    @Test
    void capacityRefusalInThePinnedZoneNamesTheZone() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Session session = session(out)) {
            WorkflowException e = assertThrows(WorkflowException.class, () -> session.cluster().launch(Map.of(
                    "name", "full-" + System.nanoTime(), "dataNodes", 4, "clientNodes", 0, "az", "local-a",
                    "capacity", Map.of("local-a", 2))));
            assertTrue(e.getMessage().contains("local-a"), e.getMessage());
        }
    }

    @Test
    void reclaimOfARegisteredNodeShowsInStatus() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String name = "reclaim-" + System.nanoTime();
        try (Session session = session(out)) {
            Cluster cluster = session.cluster();
            cluster.launch(Map.of("name", name, "dataNodes", 3, "clientNodes", 0));
            cluster.await(Map.of("every", "1s", "timeout", "2m"));
            Node victim = cluster.getNodes().getData().getAt(2);
            try (LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
                local.reclaim(List.of(victim.instanceId()), java.time.Duration.ofMillis(200));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Map<String, Object> data = cluster.status().get(0);
            while ((Integer) data.get("reclaimed") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(300);
                data = cluster.status().get(0);
            }
            assertEquals(1, data.get("reclaimed"), data.toString());
            assertEquals(2, data.get("registered"));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains(victim.instanceId() + " (data) was reclaimed by a spot interruption"));
            cluster.terminate();
        }
    }

    /**
     * Each local node has a host name of its own, as EC2 nodes do: what {@code hostname}, {@code uname -n} and
     * {@code $HOSTNAME} say over SSH is the name it registered, and no two nodes say the same.
     */
    @Test
    void eachNodeAnswersHostnameWithTheNameItRegistered() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String name = "hosts-" + System.nanoTime();
        try (Session session = session(out)) {
            Cluster cluster = session.cluster();
            cluster.launch(Map.of("name", name, "dataNodes", 2, "clientNodes", 0));
            try {
                cluster.await(Map.of("every", "1s", "timeout", "2m"));
                var result = cluster.getNodes().run(Map.of("quiet", true, "check", true),
                        "hostname; uname -n; echo \"$HOSTNAME\"; uname -a; hostname -s");
                Map<String, String> registered = new java.util.HashMap<>();
                for (Map<String, Object> row : session.registry().sql("SELECT n.role || '-' || n.node_number AS node,"
                        + " n.hostname, host(n.ip) AS ip FROM spotsh.nodes n JOIN spotsh.tests t ON t.id = n.test_id"
                        + " WHERE t.name = ?", name)) {
                    registered.put((String) row.get("node"), (String) row.get("hostname"));
                    assertEquals("ip-" + ((String) row.get("ip")).replace('.', '-') + ".local", row.get("hostname"), row.toString());
                }
                assertEquals(Set.of("data-1", "data-2"), registered.keySet());
                Set<String> answered = new HashSet<>();
                for (var node : result.getOk()) {
                    List<String> lines = node.getStdout().lines().toList();
                    String hostname = registered.get(node.getName());
                    assertEquals(List.of(hostname, hostname, hostname), lines.subList(0, 3), node.getName() + ": " + lines);
                    assertTrue((" " + lines.get(3) + " ").contains(" " + hostname + " "), "uname -a: " + lines.get(3));
                    assertEquals(hostname.substring(0, hostname.indexOf('.')), lines.get(4));
                    answered.add(lines.get(0));
                }
                assertEquals(2, answered.size(), "two nodes, two host names: " + answered);
                assertTrue(!answered.contains(java.net.InetAddress.getLocalHost().getHostName()), answered.toString());
            } finally {
                cluster.terminate();
            }
        }
    }

    /** A dry run on the local cloud: the table with its list prices, nothing launched, no test left, no requests file. */
    @Test
    void aLocalDryRunPrintsTheTableWithTheOnDemandListPrice() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String name = "dry-" + System.nanoTime();
        Path results = state.resolve("dry-results");
        try (Session session = session(out)) {
            Cluster cluster = session.cluster();
            cluster.setResultsDir(results);
            cluster.launch(Map.of("name", name, "dataNodes", 2, "clientNodes", 1, "instanceType", "m1.xlarge",
                    "dryRun", true));
            String said = out.toString(StandardCharsets.UTF_8);
            for (String role : List.of("data", "client")) {
                String row = said.lines().filter(l -> l.matches("\\S+ \\S+ " + role + " .*")).findFirst().orElse("");
                String[] cells = row.substring(20).split(" {2,}");
                assertEquals(List.of(role, role.equals("data") ? "2" : "1", "m1.xlarge", "on-demand", "0.3500",
                        "not checked: local has no dry run", "-"), List.of(cells[0], cells[1], cells[2], cells[4],
                        cells[6], cells[7], cells[8]), row);
                assertTrue(cells[3].matches("local-[abc]") && Double.parseDouble(cells[5]) > 0, row);
                assertTrue(cells[9].startsWith("test=" + name + " role=" + role + " "), row);
            }
            assertTrue(said.contains("dry run: 3 instances, about $"), said);
            assertEquals(List.of(), session.registry().sql("SELECT name FROM spotsh.tests WHERE name = ?", name));
            assertTrue(!Files.exists(results.resolve(name)), "no requests to keep: the local cloud has no dry run");
            try (LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
                assertEquals(List.of(), local.tagged().stream().filter(i -> name.equals(i.test())).toList());
            }
        }
    }

    /** The fan-out's tour plan as a user runs it: launch, run, put, run again, get, terminate, nothing left. */
    @Test
    void theLocalDemoPlanRunsEveryFanOutVerbAndLeavesNothing() throws Exception {
        String name = "demo-" + System.nanoTime();
        Path results = state.resolve("demo-results");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(o, true, StandardCharsets.UTF_8);
        int code = Main.run(new String[] {"--state-dir", state.toString(), "-f", "scripts/plans/local-demo.groovy", name,
                results.toString()}, InputStream.nullInputStream(), print, print, Map.of());
        String said = o.toString(StandardCharsets.UTF_8);

        assertEquals(0, code, said);
        for (String node : List.of("data-1", "data-2", "data-3", "data-4", "client-1")) {
            List<String> lines = Files.readAllLines(results.resolve(node).resolve("result.txt"));
            assertEquals(String.valueOf("recordcount=10000\noperationcount=50000\n".length()), lines.get(0).strip(), node);
            assertTrue(said.lines().anyMatch(l -> l.matches(node + " +\\| .+ is node \\d+ in \\d+ settings")),
                    "live output prefixed with " + node + ":\n" + said);
        }
        assertTrue(said.contains("Terminated 5 instances of test " + name + "; 0 left running"), said);
        try (LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
            assertEquals(List.of(), local.tagged().stream().filter(i -> name.equals(i.test())).toList());
        }
    }

    /**
     * Commands after a connection's first go to the node's resident shell ({@code $$} is the same for them);
     * {@code --ssh-sessions} gives each its own session ({@code $$} differs every time).
     */
    @Test
    void sshSessionsOptionGivesEveryCommandASessionOfItsOwn() throws Exception {
        Path plan = state.resolve("pids.groovy");
        Files.writeString(plan, "cluster.launch(name: args[0], dataNodes: 1, clientNodes: 0)\n"
                + "cluster.await(timeout: '2m', every: '1s')\n"
                + "def pids = (1..3).collect { nodes.run(quiet: true, check: true, 'echo $$').ok[0].stdout.trim() }\n"
                + "println \"PIDS ${pids.toSet().size()}\"\n"
                + "cluster.terminate()\n");
        for (boolean sessions : new boolean[] {false, true}) {
            String name = "pids-" + sessions + "-" + System.nanoTime();
            List<String> argv = new java.util.ArrayList<>(List.of("--state-dir", state.toString()));
            if (sessions) {
                argv.add("--ssh-sessions");
            }
            argv.addAll(List.of("-f", plan.toString(), name));
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(o, true, StandardCharsets.UTF_8);
            int code = Main.run(argv.toArray(String[]::new), InputStream.nullInputStream(), print, print, Map.of());
            String said = o.toString(StandardCharsets.UTF_8);

            assertEquals(0, code, said);
            assertTrue(said.contains(sessions ? "PIDS 3" : "PIDS 2"), (sessions ? "--ssh-sessions: " : "resident: ") + said);
        }
    }

    /**
     * With stdout a pipe, nodes' lines go out in blocks; none may be lost or come after what the plan says next,
     * also when {@code check: true} throws. A real spotsh process, so that its stdout really is a pipe.
     */
    @Test
    void linesToAPipeAllArriveBeforeTheFailureThatFollows() throws Exception {
        String name = "piped-" + System.nanoTime();
        Path plan = state.resolve(name + ".groovy");
        Files.writeString(plan, "cluster.launch(name: '" + name + "', dataNodes: 2, clientNodes: 0)\n"
                + "cluster.await(timeout: '2m', every: '1s')\n"
                + "try {\n"
                + "  nodes.run(check: true, 'seq -f \"line %g\" 1 2000; exit 3')\n"
                + "} finally {\n"
                + "  println 'AFTER-RUN'\n"
                + "  cluster.terminate()\n"
                + "}\n");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process spotsh = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--state-dir", state.toString(), "-f", plan.toString()).redirectErrorStream(true).start();
        spotsh.getOutputStream().close();
        String said = new String(spotsh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(spotsh.waitFor(60, TimeUnit.SECONDS), said);

        assertEquals(1, spotsh.exitValue(), said);
        List<String> lines = said.lines().toList();
        int after = lines.indexOf("AFTER-RUN");
        assertTrue(after > 0, said);
        for (String node : List.of("data-1", "data-2")) {
            List<String> own = lines.stream().filter(l -> l.startsWith(node + " | ")).toList();
            assertEquals(2000, own.size(), node + " lines in:\n" + said);
            assertEquals(node + " | line 2000", own.get(own.size() - 1));
            assertTrue(lines.lastIndexOf(node + " | line 2000") < after, "a line after the plan went on:\n" + said);
        }
        assertTrue(said.contains("2 of 2 nodes failed"), said);
        try (LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
            assertEquals(List.of(), local.tagged().stream().filter(i -> name.equals(i.test())).toList());
        }
    }

    @Test
    void killMinusNineThenReapLeavesNothing() throws Exception {
        String name = "killed-" + System.nanoTime();
        Path plan = state.resolve(name + ".groovy");
        Files.writeString(plan, "cluster.launch(name: '" + name + "', dataNodes: 3, clientNodes: 1)\n"
                + "println 'LAUNCHED'\nThread.sleep(600000)\n");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process spotsh = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--state-dir", state.toString(), "-f", plan.toString()).redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(spotsh.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.contains("LAUNCHED")) {
                    break;
                }
            }
            spotsh.destroyForcibly(); // SIGKILL: no shutdown hook, nothing cleaned up
            spotsh.waitFor(20, TimeUnit.SECONDS);
        }
        assertTrue(seen.toString().contains("LAUNCHED"), seen.toString());
        try (LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
            assertEquals(4, local.tagged().stream().filter(i -> name.equals(i.test())).count(), "the plan's instances outlive it");
        }

        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--state-dir", state.toString(), "reap"}, System.in,
                new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(o, true, StandardCharsets.UTF_8), Map.of());
        String said = o.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, said);
        assertTrue(said.lines().anyMatch(l -> l.startsWith("spotsh reap: local: ") && l.endsWith(" 0 left")), said);
        try (LocalProvider local = new LocalProvider(new StateDir(state), Map.of())) {
            List<Instance> left = local.tagged().stream().filter(i -> name.equals(i.test())).toList();
            assertEquals(List.of(), left);
        }
    }
}
