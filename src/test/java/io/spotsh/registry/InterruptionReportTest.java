package io.spotsh.registry;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node reports its own spot interruption notice through spotsh.report_interruption, as the test's node role, and
 * nothing else: not for another instance, another role, another test, or a dead node. And
 * scripts/interruption-watch.sh, run by dash, polls an IMDSv2 endpoint on loopback and reports what it says.
 */
class InterruptionReportTest {
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String INVALID_PARAMETER = "22023";
    private static final Path WATCH = Path.of("scripts/interruption-watch.sh").toAbsolutePath();

    private static TestRegistry fixture;
    private static TestRecords records;
    private static RegistrationUrl a;
    private static Path work;

    @BeforeAll
    static void start() throws IOException {
        fixture = TestRegistry.start();
        records = new TestRecords(() -> fixture.registry);
        a = fixture.registry.createTest("notice-a", "cassandra", "local", Map.of(), null).registrationUrl();
        fixture.registry.createTest("notice-b", "cassandra", "local", Map.of(), null);
        fixture.registry.recordInstances("notice-a", "data", List.of("i-own", "i-sibling", "i-silent"), null);
        fixture.registry.recordInstances("notice-a", "client", List.of("i-client"), null);
        fixture.registry.recordInstances("notice-b", "data", List.of("i-other-test"), null);
        register("notice-a", "data", "i-own", "10.0.0.1");
        register("notice-a", "data", "i-sibling", "10.0.0.2");
        register("notice-a", "client", "i-client", "10.0.0.3");
        register("notice-b", "data", "i-other-test", "10.0.0.4");
        work = Files.createTempDirectory("spotsh-interruption-test");
    }

    @AfterAll
    static void stop() {
        fixture.close();
        TestRegistry.delete(work);
    }

    /** Each instance's node secret: what its phone-home made and sent when it registered. */
    private static String secretOf(String instanceId) {
        return "secret-of-" + instanceId + "-0123456789";
    }

    /** As phone-home registers: with the node's own secret (the registry keeps its hash). */
    private static String register(String test, String role, String instanceId, String ip) {
        return String.valueOf(fixture.registry.sql("SELECT spotsh.register(?, ?, ?, ?, ?, '', ?) AS r", test, role,
                instanceId, ip, instanceId, secretOf(instanceId)).get(0).get("r"));
    }

    private static String report(Connection c, String test, String role, String id, String action, String time)
            throws SQLException {
        return reportJson(c, test, role, id, "{\"action\": \"" + action + "\", \"time\": \"" + time + "\"}");
    }

    /** As the node's watcher sends it: IMDS's answer as it is, with the reporting node's secret. */
    private static String reportJson(Connection c, String test, String role, String id, String notice) throws SQLException {
        return reportAs(c, test, role, id, notice, secretOf(id));
    }

    private static String reportAs(Connection c, String test, String role, String id, String notice, String secret)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT spotsh.report_interruption(?, ?, ?, ?, ?)")) {
            for (int i = 0; i < 5; i++) {
                ps.setString(i + 1, java.util.Arrays.asList(test, role, id, notice, secret).get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static SQLException refused(Connection c, String test, String role, String id, String action, String time) {
        return assertThrows(SQLException.class, () -> report(c, test, role, id, action, time), id);
    }

    private static List<Map<String, Object>> notices(String test) {
        return fixture.registry.events(test).stream().filter(e -> "interruption-notice".equals(e.get("kind"))).toList();
    }

    @Test
    void aNodeRoleReportsANoticeForARegisteredNodeOfItsTestOnly() throws Exception {
        try (Connection c = fixture.connect(a.user(), a.password())) {
            assertEquals("recorded", report(c, "notice-a", "data", "i-own", "terminate", "2026-12-06T12:04:10Z"));
            assertEquals("known", report(c, "notice-a", "data", "i-own", "terminate", "2026-12-06T12:04:10Z"),
                    "the watcher repeating itself is no second notice");

            for (String stranger : List.of("i-stranger", "i-silent", "i-other-test")) {  // never requested, never registered, another test's
                SQLException e = refused(c, "notice-a", "data", stranger, "terminate", "2026-12-06T12:04:10Z");
                assertEquals(INSUFFICIENT_PRIVILEGE, e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("a node reports only its own interruption"), e.getMessage());
            }
            // a sibling of the same test and role logs in as the same role, but has not the node's secret
            String json = "{\"action\": \"terminate\", \"time\": \"2026-12-06T12:04:10Z\"}";
            for (String secret : java.util.Arrays.asList(secretOf("i-own"), null, "")) {
                SQLException e = assertThrows(SQLException.class, () -> reportAs(c, "notice-a", "data", "i-sibling", json, secret));
                assertEquals(INSUFFICIENT_PRIVILEGE, e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("only the node that registered instance i-sibling"), e.getMessage());
            }
            SQLException wrongRole = refused(c, "notice-a", "data", "i-client", "terminate", "2026-12-06T12:04:10Z");
            assertEquals(INSUFFICIENT_PRIVILEGE, wrongRole.getSQLState(), wrongRole.getMessage());
            SQLException otherTest = refused(c, "notice-b", "data", "i-other-test", "terminate", "2026-12-06T12:04:10Z");
            assertEquals(INSUFFICIENT_PRIVILEGE, otherTest.getSQLState(), otherTest.getMessage());
            assertEquals(INVALID_PARAMETER, refused(c, "notice-a", "data", "i-sibling", "explode", "2026-12-06T12:04:10Z").getSQLState());
            assertEquals(INVALID_PARAMETER, refused(c, "notice-a", "data", "i-sibling", "terminate", "in two minutes").getSQLState());
            assertEquals(INVALID_PARAMETER, refused(c, "notice-a", "data", "i-sibling", "terminate", "2026-13-45T99:00:00Z").getSQLState());
            for (String notJson : List.of("terminate now", "[\"terminate\"]", "{\"action\": \"terminate\"}", "x".repeat(2000))) {
                SQLException e = assertThrows(SQLException.class, () -> reportJson(c, "notice-a", "data", "i-sibling", notJson));
                assertEquals(INVALID_PARAMETER, e.getSQLState(), e.getMessage());
            }
        }
        List<Map<String, Object>> events = notices("notice-a");
        assertEquals(1, events.size(), events.toString());
        assertEquals("i-own", events.get(0).get("instance_id"));
        assertEquals(1, events.get(0).get("node_number"));
        assertEquals("terminate at 2026-12-06T12:04:10Z (reported by the node)", events.get(0).get("message"));
        assertTrue(notices("notice-b").isEmpty());
        List<TestRecords.InterruptionNotice> recorded = records.interruptionNotices("notice-a");
        assertEquals(1, recorded.size());
        assertEquals(Instant.parse("2026-12-06T12:04:10Z"), recorded.get(0).at().toInstant());
        assertEquals("terminate", recorded.get(0).action());
        assertTrue(recorded.get(0).live());
    }

    /** A reboot sends the secret from the node's disk again; another secret for a registered instance is refused. */
    @Test
    void aReRegistrationKeepsTheSecretAndAnotherOneIsRefused() {
        fixture.registry.createTest("notice-reboot", "cassandra", "local", Map.of(), null);
        fixture.registry.recordInstances("notice-reboot", "data", List.of("i-boot"), null);
        assertEquals("1", register("notice-reboot", "data", "i-boot", "10.0.0.7"));
        assertEquals("1", register("notice-reboot", "data", "i-boot", "10.0.0.7"), "a reboot keeps its number");
        String other = String.valueOf(fixture.registry.sql("SELECT spotsh.register(?, 'data', 'i-boot', '10.0.0.7', 'x', '', ?) AS r",
                "notice-reboot", "another-secret-0123456789").get(0).get("r"));
        assertEquals("refused: instance i-boot registered before with another node secret", other);
        assertTrue(fixture.registry.events("notice-reboot").stream().anyMatch(e -> "registration-refused".equals(e.get("kind"))
                && String.valueOf(e.get("message")).contains("another node secret")));
        RuntimeException tooShort = assertThrows(RuntimeException.class, () -> fixture.registry.sql(
                "SELECT spotsh.register(?, 'data', 'i-boot', '10.0.0.7', 'x', '', 'short')", "notice-reboot"));
        assertTrue(tooShort.getMessage().contains("16-128 printable characters"), tooShort.getMessage());
    }

    @Test
    void aDeadNodeReportsNothing() throws Exception {
        RegistrationUrl url = fixture.registry.createTest("notice-dead", "cassandra", "local", Map.of(), null).registrationUrl();
        fixture.registry.recordInstances("notice-dead", "data", List.of("i-gone"), null);
        register("notice-dead", "data", "i-gone", "10.0.0.9");
        fixture.registry.markDead("notice-dead", "i-gone", "reclaimed");
        try (Connection c = fixture.connect(url.user(), url.password())) {
            assertEquals("SP001", refused(c, "notice-dead", "data", "i-gone", "terminate", "2026-12-06T12:04:10Z").getSQLState());
        }
        assertTrue(notices("notice-dead").isEmpty());
    }

    /** The watcher against an IMDSv2 look-alike on loopback: no token, no answer; 404 until the notice appears. */
    @Test
    void theWatcherPollsImdsV2AndReportsTheNoticeOnce() throws Exception {
        TestRegistry.requirePsql();
        AtomicReference<String> notice = new AtomicReference<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer imds = imds(notice, seen);
        Path log = work.resolve("watch.log");
        Process watcher = watch("notice-watch", "i-watched", imds, "1", log);
        try {
            awaitTrue(() -> seen.stream().filter(s -> s.equals("GET /latest/meta-data/spot/instance-action with token")).count() >= 2,
                    "the watcher polls with its token", log);
            assertTrue(notices("notice-watch").isEmpty(), "404: no notice");
            notice.set("{\"action\": \"terminate\", \"time\": \"2026-12-06T12:04:10Z\"}");
            awaitTrue(() -> !notices("notice-watch").isEmpty(), "the notice reaches the registry", log);
            int polls = seen.size();
            awaitTrue(() -> seen.size() >= polls + 3, "the watcher keeps watching", log);
            assertEquals(1, notices("notice-watch").size(), "the same notice is reported once");
            assertEquals("terminate at 2026-12-06T12:04:10Z (reported by the node)", notices("notice-watch").get(0).get("message"));
            assertEquals(1, seen.stream().filter(s -> s.startsWith("PUT /latest/api/token")).count(), "one token, kept: " + seen);
            assertTrue(watcher.isAlive());
        } finally {
            watcher.destroyForcibly();
            watcher.waitFor(10, TimeUnit.SECONDS);
            imds.stop(0);
        }
        String said = Files.readString(log);
        assertTrue(said.contains("interruption-watch: {\"action\": \"terminate\", \"time\": \"2026-12-06T12:04:10Z\"}: recorded"), said);
    }

    /**
     * SIGUSR1 (what the local cloud sends with a notice) makes a watcher whose pause is an hour look at once, each
     * time it is sent, and it goes back to its pause after each look.
     */
    @Test
    void aWatcherToldToLookLooksAtOnceHoweverLongItsPause() throws Exception {
        TestRegistry.requirePsql();
        AtomicReference<String> notice = new AtomicReference<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer imds = imds(notice, seen);
        Path log = work.resolve("woken.log");
        Process watcher = watch("notice-woken", "i-woken", imds, "3600", log);
        String look = "GET /latest/meta-data/spot/instance-action with token";
        try {
            Path pidFile = work.resolve("root-i-woken/var/run/spotsh-interruption-watch.pid");
            awaitTrue(() -> Files.exists(pidFile) && !readQuietly(pidFile).isBlank(), "the watcher writes its pid", log);
            assertEquals(watcher.pid(), Long.parseLong(readQuietly(pidFile).trim()));
            tell(watcher.pid());
            awaitTrue(() -> seen.contains(look), "a look on the first signal", log);
            assertEquals(1, seen.stream().filter(look::equals).count(), seen.toString());

            notice.set("{\"action\": \"terminate\", \"time\": \"2026-12-06T12:09:30Z\"}");
            tell(watcher.pid());
            awaitTrue(() -> !notices("notice-woken").isEmpty(), "the notice reaches the registry on the second signal", log);
            assertEquals(2, seen.stream().filter(look::equals).count(), "one look a signal, none of its own: " + seen);
            assertTrue(watcher.isAlive(), "a signal is not the end of the watcher");
        } finally {
            watcher.destroyForcibly();
            watcher.waitFor(10, TimeUnit.SECONDS);
            imds.stop(0);
        }
    }

    private static void tell(long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-s", "USR1", Long.toString(pid)).start().waitFor());
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** An IMDSv2 look-alike on loopback: no token, no answer; 404 until {@code notice} is set; what it was asked goes in {@code seen}. */
    private static HttpServer imds(AtomicReference<String> notice, List<String> seen) throws IOException {
        HttpServer imds = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        imds.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String token = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
            seen.add(exchange.getRequestMethod() + " " + path + (token == null ? "" : " with token"));
            int status;
            String body = "";
            if (path.equals("/latest/api/token") && exchange.getRequestMethod().equals("PUT")
                    && exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds") != null) {
                status = 200;
                body = "the-token";
            } else if (!"the-token".equals(token)) {
                status = 401;
            } else if (path.equals("/latest/meta-data/spot/instance-action") && notice.get() != null) {
                status = 200;
                body = notice.get();
            } else {
                status = 404;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        imds.start();
        return imds;
    }

    /**
     * A registered node {@code instance} of a new test, and scripts/interruption-watch.sh run by dash as its userdata
     * would, pausing {@code poll} seconds, its root in the work folder.
     */
    private static Process watch(String test, String instance, HttpServer imds, String poll, Path log) throws Exception {
        RegistrationUrl url = fixture.registry.createTest(test, "cassandra", "local", Map.of(), null).registrationUrl();
        fixture.registry.recordInstances(test, "data", List.of(instance), null);
        register(test, "data", instance, "10.0.0.5");
        Path secretFile = Files.writeString(work.resolve(instance + ".secret"), secretOf(instance) + "\n");
        Path ca = Files.writeString(work.resolve(test + "-ca.crt"), url.caCertificate());
        Map<String, String> env = new HashMap<>();
        env.put("SPOTSH_REGISTRY_URL", url.uri());
        env.put("SPOTSH_REGISTRY_CA", ca.toString());
        env.put("SPOTSH_TEST", test);
        env.put("SPOTSH_ROLE", "data");
        env.put("SPOTSH_INSTANCE_ID", instance);
        env.put("SPOTSH_PRIVATE_IP", "10.0.0.5");
        env.put("SPOTSH_HOST_KEY_FILE", "");  // userdata gives the node's; a report sends none
        env.put("SPOTSH_METADATA_URL", "http://127.0.0.1:" + imds.getAddress().getPort());
        env.put("SPOTSH_INTERRUPTION_POLL", poll);
        env.put("SPOTSH_SECRET_FILE", secretFile.toString());  // what phone-home made when the node registered
        env.put("SPOTSH_ROOT", Files.createDirectories(work.resolve("root-" + instance)).toString());
        ProcessBuilder pb = new ProcessBuilder(Files.isExecutable(Path.of("/bin/dash")) ? "/bin/dash" : "sh", WATCH.toString());
        pb.environment().keySet().removeIf(k -> k.startsWith("SPOTSH_") || k.startsWith("PG"));
        pb.environment().putAll(env);
        return pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within 60 s; watcher said: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }
}
