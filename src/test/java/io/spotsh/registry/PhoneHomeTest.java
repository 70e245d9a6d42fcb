package io.spotsh.registry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/phone-home.sh, run by dash against a real registry. */
class PhoneHomeTest {
    private static final Path SCRIPT = Path.of("scripts/phone-home.sh").toAbsolutePath();
    private static final String HOST_KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl root@node";

    private static TestRegistry fixture;
    private static Path work;
    private static Path hostKeyFile;

    /** What one run of phone-home.sh did. */
    record Run(int exit, String out, String err, long millis) {
    }

    @BeforeAll
    static void start() throws IOException {
        TestRegistry.requirePsql();
        fixture = TestRegistry.start(100);
        work = Files.createTempDirectory("spotsh-phone-home-test");
        hostKeyFile = Files.writeString(work.resolve("ssh_host_ed25519_key.pub"), HOST_KEY + "\n");
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
            TestRegistry.delete(work);
        }
    }

    private static Map<String, String> env(RegistrationUrl url, String test, String role, String instanceId)
            throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("SPOTSH_REGISTRY_URL", url.uri());
        env.put("SPOTSH_REGISTRY_CA", caFile(url).toString());
        env.put("SPOTSH_TEST", test);
        env.put("SPOTSH_ROLE", role);
        env.put("SPOTSH_INSTANCE_ID", instanceId);
        env.put("SPOTSH_PRIVATE_IP", "10.0." + (instanceId.hashCode() & 0xff) + ".7");
        env.put("SPOTSH_HOSTNAME", "ip-" + instanceId);
        env.put("SPOTSH_HOST_KEY_FILE", hostKeyFile.toString());
        env.put("SPOTSH_NODE_FILE", work.resolve("nodes/" + test + "/" + instanceId).toString());
        env.put("SPOTSH_PHONE_HOME_TIMEOUT", "120");
        return env;
    }

    /** The CA file a node gets from userdata (etc/spotsh/registry-ca.crt). */
    private static Path caFile(RegistrationUrl url) throws IOException {
        Path file = work.resolve("registry-ca.crt");
        if (!Files.exists(file)) {
            Files.writeString(file, url.caCertificate());
        }
        return file;
    }

    private static ProcessBuilder phoneHome(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(Files.isExecutable(Path.of("/bin/dash")) ? "/bin/dash" : "sh",
                SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("SPOTSH_") || k.startsWith("PG"));
        pb.environment().putAll(env);
        return pb;
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        long start = System.nanoTime();
        Process p = phoneHome(env, args).start();
        p.getOutputStream().close();
        var err = p.getErrorStream();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "phone-home did not finish");
        return new Run(p.exitValue(), out, new String(err.readAllBytes()).trim(), (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void aThousandNodesAtOnceGetDenseNumbersPerRole() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("crowd", "cassandra", "local", Map.of(), null).registrationUrl();
        int nodes = 1000;
        for (String role : List.of("data", "client")) {
            fixture.registry.recordInstances("crowd", role, IntStream.range(0, nodes)
                    .filter(i -> (i % 2 == 0) == role.equals("data")).mapToObj(i -> "i-" + i).toList(), null);
        }
        Path logs = Files.createDirectories(work.resolve("crowd-logs"));
        List<Process> processes = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < nodes; i++) {
            String role = i % 2 == 0 ? "data" : "client";
            processes.add(phoneHome(env(url, "crowd", role, "i-" + i))
                    .redirectOutput(logs.resolve(i + ".out").toFile())
                    .redirectError(logs.resolve(i + ".err").toFile())
                    .start());
        }
        for (Process p : processes) {
            assertTrue(p.waitFor(150, TimeUnit.SECONDS), "a phone-home did not finish");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("%d concurrent phone-homes, max_connections=100: %d ms%n", nodes, millis);

        Map<String, Set<Integer>> numbers = Map.of("data", new TreeSet<>(), "client", new TreeSet<>());
        for (int i = 0; i < nodes; i++) {
            String err = Files.readString(logs.resolve(i + ".err"));
            assertEquals(0, processes.get(i).exitValue(), "node " + i + ": " + err);
            String number = Files.readString(logs.resolve(i + ".out")).trim();
            String role = i % 2 == 0 ? "data" : "client";
            assertTrue(numbers.get(role).add(Integer.parseInt(number)), "number " + number + " twice in " + role);
            assertEquals(number, Files.readString(work.resolve("nodes/crowd/i-" + i)).trim(), "node file of " + i);
        }
        Set<Integer> expected = IntStream.rangeClosed(1, nodes / 2).boxed().collect(Collectors.toSet());
        assertEquals(expected, numbers.get("data"));
        assertEquals(expected, numbers.get("client"));
        assertEquals(nodes, fixture.registry.nodes("crowd").size());
    }

    @Test
    void aRebootedNodeGetsItsNumberBackAndAnEnvFileWorks() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("reboot", "cassandra", "local", Map.of(), null).registrationUrl();
        fixture.registry.recordInstances("reboot", "data", List.of("i-first", "i-second"), null);
        assertEquals("1", run(env(url, "reboot", "data", "i-first")).out());
        Run second = run(env(url, "reboot", "data", "i-second"));
        assertEquals(new Run(0, "2", "", second.millis()), second);

        StringBuilder file = new StringBuilder("# written by userdata\n\n");
        env(url, "reboot", "data", "i-second").forEach((k, v) -> file.append(k).append("=\"").append(v).append("\"\n"));
        file.append("export SPOTSH_IGNORED_EXPORT=1\nNOT_OURS=$(touch /tmp/spotsh-pwned)\n");
        Path envFile = Files.writeString(work.resolve("reboot.env"), file);
        Run again = run(Map.of(), envFile.toString());
        assertEquals(0, again.exit(), again.err());
        assertEquals("2", again.out());
        assertFalse(Files.exists(Path.of("/tmp/spotsh-pwned")), "nothing in the env file is executed");
        Map<String, Object> node = fixture.registry.nodes("reboot").get(1);
        assertEquals("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU", node.get("host_key"));
    }

    @Test
    void valuesCannotInjectSql() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("quotes", "cassandra", "local", Map.of(), null).registrationUrl();
        fixture.registry.recordInstances("quotes", "data", List.of("i-'); DROP TABLE spotsh.nodes; --"), null);
        Map<String, String> env = env(url, "quotes", "data", "i-'); DROP TABLE spotsh.nodes; --");
        String hostname = "it's \\\"odd\\\" $(reboot) `id` :'test' \\\\";
        env.put("SPOTSH_HOSTNAME", hostname);
        Run run = run(env);
        assertEquals(0, run.exit(), run.err());
        Map<String, Object> node = fixture.registry.nodes("quotes").get(0);
        assertEquals("i-'); DROP TABLE spotsh.nodes; --", node.get("instance_id"));
        assertEquals(hostname, node.get("hostname"));
    }

    @Test
    void aDeadInstanceIsRefusedAtOnce() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("dead", "cassandra", "local", Map.of(), null).registrationUrl();
        fixture.registry.recordInstances("dead", "data", List.of("i-gone"), null);
        assertEquals(0, run(env(url, "dead", "data", "i-gone")).exit());
        fixture.registry.markDead("dead", "i-gone", "spot reclaim");
        Run refused = run(env(url, "dead", "data", "i-gone"));
        assertEquals(3, refused.exit());
        assertTrue(refused.err().contains("i-gone was marked dead in test \"dead\""), refused.err());
        assertTrue(refused.millis() < 10_000, "took " + refused.millis() + " ms");
    }

    @Test
    void anUnrequestedInstanceOrAnotherHostKeyIsRefusedWithExit3AndTheReason() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("refuse", "cassandra", "local", Map.of(), null).registrationUrl();
        fixture.registry.recordInstances("refuse", "data", List.of("i-asked"), null);

        Run stranger = run(env(url, "refuse", "data", "i-stranger"));
        assertEquals(3, stranger.exit(), stranger.err());
        assertTrue(stranger.err().contains("registering i-stranger (role data, test refuse)")
                && stranger.err().contains("refused: instance i-stranger was never requested for test \"refuse\""), stranger.err());
        assertEquals("", stranger.out());
        assertFalse(Files.exists(work.resolve("nodes/refuse/i-stranger")), "no node file");
        assertTrue(fixture.registry.events("refuse").stream().anyMatch(e -> "registration-refused".equals(e.get("kind"))
                && "i-stranger".equals(e.get("instance_id"))), "the refusal is recorded");

        Run wrongRole = run(env(url, "refuse", "client", "i-asked"));
        assertEquals(3, wrongRole.exit(), wrongRole.err());
        assertTrue(wrongRole.err().contains("requested for test \"refuse\" as role data, not client"), wrongRole.err());

        assertEquals("1", run(env(url, "refuse", "data", "i-asked")).out());
        Path otherKey = Files.writeString(work.resolve("other_key.pub"),
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBj7JvVNxDZXc0eV9TrvG1hGWVuh8cZyqaIbdXqCzsrQ impostor\n");
        Map<String, String> impostor = env(url, "refuse", "data", "i-asked");
        impostor.put("SPOTSH_HOST_KEY_FILE", otherKey.toString());
        Run swapped = run(impostor);
        assertEquals(3, swapped.exit(), swapped.err());
        assertTrue(swapped.err().contains("offered another host key than the one pinned")
                && swapped.err().contains("cluster.trust('i-asked')"), swapped.err());
        assertEquals("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU", fixture.registry.nodes("refuse").get(0).get("host_key"),
                "the pinned key stays");
    }

    /** A node that boots before the launcher recorded its id retries, and registers once the id is there. */
    @Test
    void anIdNotYetRecordedIsRetriedWhileInstancesAreBeingRequested() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("early", "cassandra", "local", Map.of(), null).registrationUrl();
        TestRecords records = new TestRecords(() -> fixture.registry);
        records.requesting("early", java.time.Duration.ofMinutes(5));
        // the server counts this role's calls of register(): the node has asked (and was told to retry) once it shows one
        fixture.registry.sql("ALTER ROLE " + url.user() + " SET track_functions = 'pl'");
        Process p = phoneHome(env(url, "early", "data", "i-early")).start();
        p.getOutputStream().close();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (fixture.registry.sql("SELECT 1 FROM pg_stat_user_functions WHERE schemaname = 'spotsh'"
                + " AND funcname = 'register' AND calls > 0").isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(fixture.registry.nodes("early").isEmpty(), "not registered before its id was recorded");
        assertTrue(fixture.registry.sql("SELECT 1 FROM pg_stat_user_functions WHERE schemaname = 'spotsh'"
                + " AND funcname = 'register' AND calls > 0").size() >= 1 && p.isAlive(), "asked, and still retrying");
        records.recordInstances("early", "data", List.of("i-early"), null);
        records.requesting("early", null);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.exitValue(), err);
        assertEquals("1", new String(p.getInputStream().readAllBytes()).trim());
        assertTrue(fixture.registry.events("early").stream().noneMatch(e -> "registration-refused".equals(e.get("kind"))),
                "a retry is no refusal");
    }

    @Test
    void aWrongPasswordFailsFastAndIsNeverEchoed() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("wrong-pw", "cassandra", "local", Map.of(), null).registrationUrl();
        Map<String, String> env = env(url, "wrong-pw", "data", "i-1");
        env.put("SPOTSH_REGISTRY_URL", url.uri().replace(url.password(), "Wr0ngPassw0rd"));
        env.put("SPOTSH_PHONE_HOME_TIMEOUT", "600");
        Run run = run(env);
        assertEquals(3, run.exit());
        assertTrue(run.err().contains("password authentication failed"), run.err());
        assertFalse(run.err().contains("Wr0ngPassw0rd"), run.err());
        assertTrue(run.millis() < 10_000, "took " + run.millis() + " ms");
    }

    /** What a node gets is TLS with CA and host name checked; with it, it registers. */
    @Test
    void theNodeVerifiesTheRegistryInFull() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("tls-ok", "cassandra", "local", Map.of(), null).registrationUrl();
        assertEquals("verify-full", url.sslMode());
        assertTrue(url.uri().endsWith("/spotsh?sslmode=verify-full"), url.toString());
        assertEquals(Files.readString(fixture.stateDir.resolve("registry/tls/ca.crt")), url.caCertificate());
        fixture.registry.recordInstances("tls-ok", "data", List.of("i-1"), null);
        Run run = run(env(url, "tls-ok", "data", "i-1"));
        assertEquals(0, run.exit(), run.err());
        assertEquals("1", run.out());

        // the same URL without the CA cannot verify the server: refused, not retried until the deadline
        Map<String, String> noCa = env(url, "tls-ok", "data", "i-2");
        noCa.put("SPOTSH_REGISTRY_CA", work.resolve("no-such-ca.crt").toString());
        Run missing = run(noCa);
        assertEquals(2, missing.exit(), missing.err());
        assertTrue(missing.err().contains("cannot read the registry's CA certificate " + work.resolve("no-such-ca.crt")),
                missing.err());
    }

    /** Node roles are hostssl-only: a node that will not speak TLS is turned away, on loopback too, at once. */
    @Test
    void aPhoneHomeWithoutTlsIsRefused() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("no-tls", "cassandra", "local", Map.of(), null).registrationUrl();
        Map<String, String> env = env(url, "no-tls", "data", "i-1");
        env.put("SPOTSH_REGISTRY_URL", url.uri().replace("sslmode=verify-full", "sslmode=disable"));
        env.remove("SPOTSH_REGISTRY_CA");
        Run run = run(env);
        assertEquals(3, run.exit(), run.err());
        assertTrue(run.err().contains("pg_hba.conf rejects connection") && run.err().contains("no encryption"), run.err());
        assertTrue(run.err().contains("TLS: ") && run.err().contains("(sslmode=disable, CA none)"), run.err());
        assertTrue(fixture.registry.nodes("no-tls").isEmpty());
    }

    /** Someone in between answering with a certificate of another CA: the node names the problem and stops. */
    @Test
    void anImpostorWithAnotherCertificateIsRefused() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("impostor", "cassandra", "local", Map.of(), null).registrationUrl();
        RegistryTls other = RegistryTls.ensure(work.resolve("other-ca"), List.of("127.0.0.1", "localhost"));
        try (LoopbackProxy impostor = LoopbackProxy.impostor(other)) {
            Map<String, String> env = env(url, "impostor", "data", "i-1");
            env.put("SPOTSH_REGISTRY_URL", url.uri().replace(":" + url.port() + "/", ":" + impostor.port() + "/"));
            Run run = run(env);
            assertEquals(3, run.exit(), run.err());
            assertTrue(run.err().contains("TLS: ") && run.err().contains("certificate verify failed"), run.err());
            assertFalse(run.err().contains(url.password()), run.err());
        }
        assertTrue(fixture.registry.nodes("impostor").isEmpty());
    }

    /**
     * A relay passing bytes to the real registry from an address its certificate does not name: the CA matches,
     * the name does not, and verify-full says so.
     */
    @Test
    void aRelayAtAnAddressTheCertificateDoesNotNameIsRefused() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("relay", "cassandra", "local", Map.of(), null).registrationUrl();
        fixture.registry.recordInstances("relay", "data", List.of("i-1"), null);
        try (LoopbackProxy relay = LoopbackProxy.relay("127.0.0.2", url.port())) {
            Map<String, String> env = env(url, "relay", "data", "i-1");
            env.put("SPOTSH_REGISTRY_URL", url.uri().replace("@127.0.0.1:" + url.port() + "/", "@127.0.0.2:" + relay.port() + "/"));
            Run run = run(env);
            assertEquals(3, run.exit(), run.err());
            assertTrue(run.err().contains("server certificate for") && run.err().contains("does not match host name \"127.0.0.2\""),
                    run.err());

            // the same relay with only the CA checked (verify-ca) lets the node through: what verify-full adds
            env.put("SPOTSH_REGISTRY_URL", env.get("SPOTSH_REGISTRY_URL").replace("verify-full", "verify-ca"));
            Run caOnly = run(env);
            assertEquals(0, caOnly.exit(), caOnly.err());
        }
    }

    @Test
    void aMissingInputIsNamedWithExitStatus2() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("missing", "cassandra", "local", Map.of(), null).registrationUrl();
        Map<String, String> env = env(url, "missing", "data", "i-1");
        env.remove("SPOTSH_ROLE");
        env.remove("SPOTSH_PRIVATE_IP");
        Run run = run(env);
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("SPOTSH_ROLE") && run.err().contains("SPOTSH_PRIVATE_IP"), run.err());
        env.put("SPOTSH_ROLE", "data");
        env.put("SPOTSH_PRIVATE_IP", "10.0.0.1");
        env.put("SPOTSH_REGISTRY_URL", "http://example.invalid/");
        assertEquals(2, run(env).exit());
    }

    /**
     * A listener that accepts and never answers keeps psql waiting in its connect timeout:
     * long enough to look at every process of the run, and then to see the deadline end it.
     */
    @Test
    void theDeadlineEndsRetriesAndNoCommandLineShowsThePassword() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("silent", "cassandra", "local", Map.of(), null).registrationUrl();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            Map<String, String> env = env(url, "silent", "data", "i-1");
            env.put("SPOTSH_REGISTRY_URL", url.uri().replace(":" + url.port() + "/", ":" + silent.getLocalPort() + "/"));
            env.put("SPOTSH_PHONE_HOME_TIMEOUT", "3");
            env.put("PGCONNECT_TIMEOUT", "2");
            long start = System.nanoTime();
            Process p = phoneHome(env).start();
            Thread.sleep(1_000);
            List<String> commandLines = p.descendants().map(h -> h.info().commandLine().orElse(""))
                    .collect(Collectors.toList());
            commandLines.add(p.info().commandLine().orElse(""));
            assertTrue(commandLines.stream().anyMatch(c -> c.contains("psql")), commandLines.toString());
            assertTrue(commandLines.stream().noneMatch(c -> c.contains(url.password())), "password in " + commandLines);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            long millis = (System.nanoTime() - start) / 1_000_000;
            String err = new String(p.getErrorStream().readAllBytes());
            assertEquals(1, p.exitValue(), err);
            assertTrue(err.contains("gave up registering i-1") && err.contains("after 3 s"), err);
            // phone-home reads a 10 ms clock (/proc/uptime) and promises its deadline to within 100 ms; the upper
            // bound leaves room for the last psql try (PGCONNECT_TIMEOUT 2 s) and a loaded machine
            assertTrue(millis >= 2_900 && millis < 10_000, "took " + millis + " ms");
            silent.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
