package io.spotsh.registry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The numbering rules of spotsh.register() and the operator's side of the registry. */
class RegistrationTest {
    private static TestRegistry fixture;
    private static Registry registry;

    @BeforeAll
    static void start() {
        fixture = TestRegistry.start();
        registry = fixture.registry;
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static TestInfo newTest(String name) {
        return registry.createTest(name, "cassandra", "local", Map.of(), Duration.ofHours(1));
    }

    /** As the launcher and then the node would: the instance is requested, then it registers. */
    private static int register(String test, String role, String instanceId) {
        registry.recordInstances(test, role, List.of(instanceId), null);
        return registry.register(test, role, instanceId, "10.0.0.1", "host-" + instanceId, null);
    }

    @Test
    void numbersAreDensePerRoleInOrderOfReporting() {
        newTest("dense");
        assertEquals(1, register("dense", "data", "i-1"));
        assertEquals(2, register("dense", "data", "i-2"));
        assertEquals(1, register("dense", "client", "i-3"));
        assertEquals(3, register("dense", "data", "i-4"));
        assertEquals(2, register("dense", "client", "i-5"));
    }

    @Test
    void reRegistrationReturnsTheSameNumberAndUpdatesTheAddress() {
        newTest("reboot");
        register("reboot", "data", "i-a");
        assertEquals(2, register("reboot", "data", "i-b"));
        assertEquals(2, registry.register("reboot", "data", "i-b", "10.0.0.99", "rebooted", null));
        assertEquals(3, register("reboot", "data", "i-c"));
        Map<String, Object> node = registry.nodes("reboot").get(1);
        assertEquals("10.0.0.99", node.get("ip"));
        assertEquals("rebooted", node.get("hostname"));
        assertTrue(registry.events("reboot").stream().anyMatch(e -> "node-reregistered".equals(e.get("kind"))));
    }

    @Test
    void deadNodesFreeTheirNumbersLowestFirst() {
        newTest("replace");
        for (int i = 1; i <= 5; i++) {
            assertEquals(i, register("replace", "data", "i-" + i));
        }
        assertEquals(4, registry.markDead("replace", "i-4", "no SSH"));
        assertEquals(2, registry.markDead("replace", "i-2", "reclaimed"));
        assertEquals(2, registry.markDead("replace", "i-2", "again"), "marking twice changes nothing");
        assertEquals(2, register("replace", "data", "i-6"), "the lowest freed number goes first");
        assertEquals(4, register("replace", "data", "i-7"));
        assertEquals(6, register("replace", "data", "i-8"), "no gap left: next after the highest");

        RegistryException refused = assertThrows(RegistryException.class, () -> register("replace", "data", "i-2"));
        assertEquals("SP001", refused.sqlState());
        assertTrue(refused.getMessage().contains("i-2 was marked dead"), refused.getMessage());
        assertTrue(refused.getMessage().contains("reclaimed"), refused.getMessage());

        List<Map<String, Object>> nodes = registry.nodes("replace");
        assertEquals(8, nodes.size(), "dead nodes stay listed");
        assertEquals(2L, nodes.stream().filter(n -> "dead".equals(n.get("state"))).count());
        assertEquals(List.of("node-registered", "node-dead"),
                registry.events("replace").stream().map(e -> (String) e.get("kind"))
                        .filter(k -> !k.equals("instances-requested")).distinct().skip(1).limit(2)
                        .collect(Collectors.toList()));
    }

    @Test
    void concurrentCallersNeverShareANumber() throws Exception {
        newTest("crowd");
        registry.recordInstances("crowd", "data", IntStream.range(0, 200).mapToObj(n -> "i-" + n / 25 + "-" + n % 25)
                .toList(), null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> numbers = new ArrayList<>();
        try {
            for (int t = 0; t < 8; t++) {
                int thread = t;
                numbers.add(pool.submit(() -> {
                    try (Registry own = new Registry(fixture.settings)) {
                        int last = 0;
                        for (int i = 0; i < 25; i++) {
                            last = own.register("crowd", "data", "i-" + thread + "-" + i, "10.1.0.1", "h", null);
                        }
                        return last;
                    }
                }));
            }
            for (Future<Integer> f : numbers) {
                f.get();
            }
            Set<Integer> all = new TreeSet<>();
            registry.nodes("crowd").forEach(n -> all.add((Integer) n.get("node_number")));
            assertEquals(IntStream.rangeClosed(1, 200).boxed().collect(Collectors.toSet()), all);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void closedTestsTakeNoRegistrations() {
        newTest("closed");
        register("closed", "data", "i-1");
        TestInfo finished = registry.finishTest("closed", "finished");
        assertEquals("finished", finished.state());
        assertNotNull(finished.finishedAt());
        RegistryException e = assertThrows(RegistryException.class, () -> register("closed", "data", "i-2"));
        assertTrue(e.getMessage().contains("test \"closed\" is finished"), e.getMessage());
        assertThrows(RegistryException.class, () -> registry.finishTest("closed", "running"));
        assertEquals("running", registry.setTestState("closed", "running").state());
        assertEquals(2, register("closed", "data", "i-2"));
    }

    @Test
    void testsCarryTheirParamsAndAMaskedRegistrationUrl() {
        TestInfo test = registry.createTest("params", "ycsb", "aws",
                Map.of("records", 1_000_000, "workload", "a", "zones", List.of("us-east-1a")), null);
        assertNull(test.expiresAt());
        assertEquals(1_000_000L, test.params().get("records"));
        assertEquals(List.of("us-east-1a"), test.params().get("zones"));
        RegistrationUrl url = test.registrationUrl();
        String password = url.uri().replaceAll("^postgresql://[^:]+:([^@]+)@.*$", "$1");
        assertTrue(password.matches("[0-9a-f]{64}"), "alphanumeric, no URL escaping needed");
        assertTrue(url.uri().startsWith("postgresql://spotsh_reg_" + test.id() + "_"));
        assertTrue(url.uri().endsWith("@127.0.0.1:" + url.port() + "/spotsh?sslmode=verify-full"), url.toString());
        for (String shown : List.of(url.toString(), test.toString(), registry.test("params").toString(),
                registry.tests().toString(), registry.toString())) {
            assertFalse(shown.contains(password), shown);
        }
        assertTrue(url.toString().contains(":***@"), url.toString());
        RegistryException duplicate = assertThrows(RegistryException.class,
                () -> registry.createTest("params", "ycsb", "aws", Map.of(), null));
        assertTrue(duplicate.getMessage().contains("already exists"), duplicate.getMessage());
        assertThrows(RegistryException.class, () -> registry.createTest("bad name!", "ycsb", "aws", Map.of(), null));
    }

    @Test
    void expectedInstancesShowWhoIsMissing() {
        newTest("duds");
        registry.recordInstances("duds", "data", List.of("i-1", "i-2", "i-3"), "us-east-1a");
        registry.recordInstances("duds", "data", List.of("i-3"), "us-east-1a");
        register("duds", "data", "i-2");
        assertEquals(List.of("i-1", "i-3"), registry.missing("duds"));
        registry.setInstanceState("duds", "i-1", "dud");
        assertEquals(List.of("i-3"), registry.missing("duds"));
        Map<String, Object> row = registry.tests().stream().filter(t -> "duds".equals(t.get("name"))).findFirst()
                .orElseThrow();
        assertEquals(List.of("name", "type", "provider", "state", "nodes", "dead", "expected", "created_at",
                "expires_at", "owner", "roles", "zones", "age", "expires_in", "instance_hours", "usd", "on_demand_usd"),
                List.copyOf(row.keySet()));
        assertEquals(null, row.get("usd"), "no price recorded: the cost is unknown, not zero");
        assertEquals(1L, row.get("nodes"));
        assertEquals(3L, row.get("expected"));
    }

    @Test
    void adHocSqlReturnsRowsOrUpdateCounts() {
        newTest("adhoc");
        register("adhoc", "data", "i-1");
        register("adhoc", "data", "i-2");
        List<Map<String, Object>> rows = registry.sql(
                "select role, count(*) as n from spotsh.nodes n join spotsh.tests t on t.id = n.test_id"
                        + " where t.name = ? group by role", "adhoc");
        assertEquals(List.of(Map.of("role", "data", "n", 2L)), rows);
        assertEquals(List.of(Map.of("updated", 2)), registry.sql(
                "update spotsh.nodes set hostname = 'x' where test_id = (select id from spotsh.tests where name = ?)",
                "adhoc"));
        RegistryException e = assertThrows(RegistryException.class, () -> registry.sql("select * from nowhere"));
        assertTrue(e.getMessage().contains("relation \"nowhere\" does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:"), "names the registry: " + e.getMessage());
        assertThrows(RegistryException.class, () -> registry.nodes("no-such-test"));
    }

    @Test
    void hostKeysAreShownAsFingerprints() {
        newTest("keys");
        String key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl spotsh@test";
        registry.recordInstances("keys", "data", List.of("i-1"), null);
        registry.register("keys", "data", "i-1", "10.0.0.1", "h", key);
        // what ssh-keygen -lf prints for this key
        assertEquals("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU",
                registry.nodes("keys").get(0).get("host_key"));
    }

    @Test
    void deletingATestFreesItsName() {
        newTest("again");
        register("again", "data", "i-1");
        registry.deleteTest("again");
        assertThrows(RegistryException.class, () -> registry.test("again"));
        newTest("again");
        assertEquals(1, register("again", "data", "i-1"));
    }
}
