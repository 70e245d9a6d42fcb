package io.spotsh.cloud.local;

import io.spotsh.cloud.CloudTests;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Tags;
import io.spotsh.common.StateDir;
import io.spotsh.node.ClusterKey;
import io.spotsh.node.UserData;
import io.spotsh.registry.Registry;
import io.spotsh.registry.TestRecords;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.SFTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local cloud end to end: a real daemon process, real userdata phoning home to the real registry, real SSH
 * through SSHJ with the cluster key, checking host keys against what the nodes registered.
 */
class LocalCloudTest {
    private static final Duration BOOT = Duration.ofSeconds(60);

    private static Path stateDir;
    private static LocalProvider cloud;
    private static ClusterKey key;
    private static Registry registry;

    @BeforeAll
    static void start() {
        CloudTests.require("psql", "local nodes phone home with psql");
        stateDir = CloudTests.tempDir("spotsh-local-cloud");
        cloud = new LocalProvider(new StateDir(stateDir), Map.of());
        key = ClusterKey.open(new StateDir(stateDir));
        registry = CloudTests.registry();
    }

    @AfterAll
    static void stop() {
        try {
            if (cloud != null) {
                cloud.stopDaemon(true);
            }
        } finally {
            CloudTests.delete(stateDir);
        }
    }

    @Test
    void nodesPhoneHomeAndAnswerSshWithTheirRegisteredHostKey() throws Exception {
        String test = newTest();
        List<Instance> nodes = launch(test, 2, Map.of());
        awaitRegistered(test, 2);
        Map<String, Map<String, Object>> registered = registeredById(test);
        for (Instance i : nodes) {
            assertEquals(i.privateIp(), registered.get(i.id()).get("ip"));
            assertTrue(i.privateIp().startsWith("127.100."), i.privateIp());
        }
        Instance node = nodes.get(0);
        Path root = cloud.instanceRoot(node.id());
        try (NodeSsh ssh = NodeSsh.connect(node, fingerprint(registered, node), key)) {
            assertEquals(new NodeSsh.Result(0, "hi\n", ""), ssh.exec("echo hi"));
            assertEquals(new NodeSsh.Result(3, "out\n", "err\n"), ssh.exec("echo out; echo err >&2; exit 3"));
            NodeSsh.Result where = ssh.exec("pwd; echo \"$HOME $SPOTSH_ROOT\"; cat \"$SPOTSH_ROOT/etc/spotsh/node-number\"");
            // a command starts in HOME, where SFTP's relative paths point too, as on a node logged into as root
            assertEquals(root.resolve("root") + "\n" + root.resolve("root") + " " + root + "\n"
                    + registered.get(node.id()).get("node_number") + "\n", where.stdout());

            Path local = Files.writeString(stateDir.resolve("upload.txt"), "payload " + test + "\n");
            try (SFTPClient sftp = ssh.sftp()) {
                sftp.put(local.toString(), "upload.txt");
                sftp.get(root.resolve("var/log/spotsh-boot.log").toString(), stateDir.resolve("boot.log").toString());
            }
            assertEquals(Files.readString(local), Files.readString(root.resolve("root/upload.txt")), "relative = HOME");
            assertTrue(Files.readString(stateDir.resolve("boot.log")).contains("boot finished"));

            try (Session session = ssh.session()) {
                Session.Shell shell = session.startShell();
                shell.getOutputStream().write("echo \"shell in $PWD\"; exit 4\n".getBytes());
                shell.getOutputStream().flush();
                assertTrue(NodeSsh.read(shell.getInputStream()).contains("shell in " + root), "an interactive shell");
                shell.join(10, TimeUnit.SECONDS);
                assertFalse(shell.isOpen(), "exit ends the shell");
            }
            try (Session session = ssh.session()) {
                Session.Command sleeper = session.exec("sleep 30; echo never");
                Thread.sleep(300);
                sleeper.signal(Signal.TERM);
                sleeper.join(10, TimeUnit.SECONDS);
                assertEquals(128 + 15, sleeper.getExitStatus(), "a signal reaches the command");
            }
        }
        cloud.terminate(ids(nodes));
    }

    @Test
    void dudsNeverPhoneHomeAndUnreachableNodesRegisterButRefuseSsh() throws Exception {
        String test = newTest();
        List<Instance> nodes = launch(test, 4, Map.of("dudRate", 0.25, "sshUnreachableRate", 0.25));
        awaitRegistered(test, 3);
        Thread.sleep(1000);  // the dud had every chance
        Map<String, Map<String, Object>> registered = registeredById(test);
        assertEquals(3, registered.size(), "exactly one dud");
        Instance dud = nodes.stream().filter(i -> !registered.containsKey(i.id())).findFirst().orElseThrow();
        assertEquals(InstanceState.RUNNING, cloud.describe(List.of(dud.id())).get(0).state(), "a dud looks running");
        assertFalse(Files.exists(cloud.instanceRoot(dud.id()).resolve("var/log/spotsh-boot.log")), "its userdata never ran");
        assertThrows(ConnectException.class, () -> NodeSsh.connect(dud, "SHA256:none", key));

        int answering = 0;
        for (Instance i : nodes) {
            if (i != dud) {
                try (NodeSsh ssh = NodeSsh.connect(i, fingerprint(registered, i), key)) {
                    answering += ssh.exec("true").exit() == 0 ? 1 : 0;
                } catch (ConnectException refused) {
                    assertTrue(registered.containsKey(i.id()), "an unreachable node still registered");
                }
            }
        }
        assertEquals(2, answering, "exactly one registered node refuses SSH");
        cloud.terminate(ids(nodes));
    }

    @Test
    void aReclaimGivesNoticeThenTerminatesWithTheSpotReason() {
        String test = newTest();
        List<Instance> nodes = launch(test, 2, Map.of("reclaim", Map.of("count", 1, "after", "1s", "notice", "2s")));
        Instance noticed = await("an interruption notice", () -> cloud.describe(ids(nodes)).stream()
                .filter(i -> i.interruptAt() != null).findFirst().orElse(null));
        assertEquals(InstanceState.RUNNING, noticed.state());
        assertTrue(noticed.interruptAt().isAfter(Instant.now().minusSeconds(1)), noticed.toString());
        assertTrue(Files.exists(cloud.instanceRoot(noticed.id()).resolve("meta-data/spot/instance-action")));

        Instance gone = await("the reclaim", () -> cloud.describe(List.of(noticed.id())).stream()
                .filter(i -> i.state() == InstanceState.TERMINATED).findFirst().orElse(null));
        assertEquals(Instance.SPOT_TERMINATION, gone.stateReason());
        assertTrue(gone.reclaimed());
        Instance other = cloud.describe(ids(nodes)).stream().filter(i -> !i.id().equals(noticed.id())).findFirst().orElseThrow();
        assertEquals(InstanceState.RUNNING, other.state(), "only the chosen one is reclaimed");

        List<Instance> now = cloud.reclaim(List.of(other.id()), Duration.ofMillis(500));
        assertNotNull(now.get(0).interruptAt(), "the admin call gives notice at once");
        await("the admin reclaim", () -> cloud.describe(List.of(other.id())).stream()
                .filter(Instance::reclaimed).findFirst().orElse(null));
    }

    @Test
    void instancesOutliveTheSpotshThatLaunchedThem() throws Exception {
        String test = newTest();
        Path script = Files.writeString(stateDir.resolve(test + ".sh"), render(test));
        TestRecords records = new TestRecords(() -> registry);
        records.requesting(test, Duration.ofMinutes(1));  // the other process launches; this one records the ids
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AnotherSpotsh.class.getName(), stateDir.toString(), test,
                "2", script.toString()).redirectErrorStream(true).start();
        List<String> lines = NodeSsh.read(other.getInputStream()).lines().toList();
        assertEquals(0, other.waitFor(), lines.toString());
        List<String> ids = lines.subList(0, 2);
        long daemonPid = Long.parseLong(lines.get(2).replace("daemon ", ""));
        records.recordInstances(test, "data", ids, "local-a");
        records.requesting(test, null);

        assertNotEquals(ProcessHandle.current().pid(), daemonPid);
        assertTrue(ProcessHandle.of(daemonPid).map(ProcessHandle::isAlive).orElse(false), "the daemon outlives its launcher");
        LocalProvider later = new LocalProvider(new StateDir(stateDir), Map.of());
        assertEquals(daemonPid, ((Number) later.status().get("pid")).longValue(), "one daemon per state directory");
        List<Instance> seen = later.describe(ids);
        assertEquals(2, seen.size());
        assertTrue(seen.stream().allMatch(i -> i.state() == InstanceState.RUNNING), seen.toString());
        awaitRegistered(test, 2);
        try (NodeSsh ssh = NodeSsh.connect(seen.get(0), fingerprint(registeredById(test), seen.get(0)), key)) {
            assertEquals(0, ssh.exec("test -f \"$SPOTSH_ROOT/etc/spotsh/node-number\"").exit());
        }
        assertEquals(ids, later.terminate(ids).accepted());
        assertTrue(later.describe(ids).stream().allMatch(i -> i.state() == InstanceState.TERMINATED));
    }

    @Test
    void terminateKillsEveryProcessOfTheInstanceAndEmptiesIt() throws Exception {
        String test = newTest();
        Instance node = launch(test, 1, Map.of()).get(0);
        awaitRegistered(test, 1);
        long sleeper;
        try (NodeSsh ssh = NodeSsh.connect(node, fingerprint(registeredById(test), node), key)) {
            sleeper = Long.parseLong(ssh.exec("nohup sleep 300 >/dev/null 2>&1 & echo $!").stdout().strip());
        }
        assertTrue(running(sleeper), "the background sleep outlives its SSH session");

        cloud.terminate(List.of(node.id()));

        assertFalse(running(sleeper), "but not its instance");
        await("its sandbox emptied", () -> {
            try (var left = Files.list(cloud.instanceRoot(node.id()))) {
                return left.findAny().isEmpty() ? true : null;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Instance after = cloud.describe(List.of(node.id())).get(0);
        assertEquals(InstanceState.TERMINATED, after.state());
        assertEquals(LocalCloud.USER_SHUTDOWN, after.stateReason());
        assertThrows(ConnectException.class, () -> NodeSsh.connect(node, "SHA256:none", key));
    }

    @Test
    void aRestartedDaemonBringsItsInstancesBack() throws Exception {
        String test = newTest();
        Instance node = launch(test, 1, Map.of()).get(0);
        awaitRegistered(test, 1);
        String hostKey = fingerprint(registeredById(test), node);
        long firstPid = ((Number) cloud.status().get("pid")).longValue();

        assertTrue(cloud.stopDaemon(false));
        await("the daemon to exit", () -> ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive).isEmpty() ? true : null);
        assertThrows(ConnectException.class, () -> NodeSsh.connect(node, hostKey, key));

        assertEquals(InstanceState.RUNNING, cloud.describe(List.of(node.id())).get(0).state(), "the record survived");
        assertNotEquals(firstPid, ((Number) cloud.status().get("pid")).longValue());
        try (NodeSsh ssh = NodeSsh.connect(node, hostKey, key)) {
            assertEquals("back\n", ssh.exec("echo back").stdout(), "same address, same host key");
        }
        cloud.terminate(List.of(node.id()));
    }

    @Test
    void aRequestBeyondAZonesCapacityIsRefusedWhole() {
        String test = newTest();
        var refused = assertThrows(io.spotsh.cloud.CapacityException.class,
                () -> launch(test, 5, Map.of("capacity", Map.of("local-c", 3)), "local-c"));
        assertEquals("InsufficientInstanceCapacity", refused.code());
        assertTrue(refused.getMessage().contains("local-c has capacity for 3 more"), refused.getMessage());
        assertTrue(cloud.tagged().stream().noneMatch(i -> test.equals(i.test())));
        assertThrows(io.spotsh.cloud.CloudException.class, () -> launch(test, 1, Map.of("dudrate", 0.1)),
                "a misspelt option is refused, not ignored");
    }

    private static List<Instance> launch(String test, int count, Map<String, Object> options) {
        return launch(test, count, options, "local-a");
    }

    /** As spotsh's launcher does: the ids are recorded as requested, and until then a node that phones home retries. */
    private static List<Instance> launch(String test, int count, Map<String, Object> options, String zone) {
        TestRecords records = new TestRecords(() -> registry);
        records.requesting(test, Duration.ofMinutes(1));
        try {
            List<Instance> got = cloud.launch(new LaunchRequest(test, "data", count, zone, null, null, render(test),
                    Tags.of(test, "data", "test", Instant.now(), null), options));
            records.recordInstances(test, "data", got.stream().map(Instance::id).toList(), zone);
            return got;
        } finally {
            records.requesting(test, null);
        }
    }

    private static String render(String test) {
        return CloudTests.userData().render(new UserData.Values(test, "data",
                registry.test(test).registrationUrl().uri(), key.publicKeyLine(), Map.of(), Map.of(), "generic",
                registry.test(test).registrationUrl().caCertificate()));
    }

    private static String newTest() {
        String name = "local-" + Long.toString(System.nanoTime(), 36);
        registry.createTest(name, "generic", "local", Map.of(), null);
        return name;
    }

    private static void awaitRegistered(String test, int count) {
        await(count + " nodes of " + test + " registered", () -> registry.nodes(test).size() >= count ? true : null);
    }

    private static Map<String, Map<String, Object>> registeredById(String test) {
        Map<String, Map<String, Object>> byId = new HashMap<>();
        registry.nodes(test).forEach(n -> byId.put((String) n.get("instance_id"), n));
        return byId;
    }

    private static String fingerprint(Map<String, Map<String, Object>> registered, Instance i) {
        return (String) registered.get(i.id()).get("host_key");
    }

    /** Whether a process runs (a zombie waiting for its parent does not count). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }

    private static List<String> ids(List<Instance> instances) {
        return instances.stream().map(Instance::id).toList();
    }

    private static <T> T await(String what, java.util.function.Supplier<T> probe) {
        return CloudTests.await(what, BOOT, probe);
    }
}
