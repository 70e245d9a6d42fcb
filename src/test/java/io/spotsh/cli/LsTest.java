package io.spotsh.cli;

import groovy.json.JsonSlurper;
import io.spotsh.common.FileTree;
import io.spotsh.registry.EmbeddedServer;
import io.spotsh.registry.Registry;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.registry.TestRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spotsh ls} against a real embedded registry in its own state directory, filled as a launch would. */
class LsTest {
    private static Path state;
    private static RegistrySettings settings;

    private String out;
    private String err;

    @BeforeAll
    static void aLaunchedTest() throws IOException {
        state = Files.createTempDirectory("spotsh-ls-test");
        settings = RegistrySettings.embedded(state);
        try (Registry registry = Registry.open(settings)) {
            TestRecords records = new TestRecords(() -> registry);
            registry.createTest("ls-ring", "cassandra", "local", Map.of(), Duration.ofHours(2));
            records.addZone("ls-ring", "local-a");
            registry.recordInstances("ls-ring", "data", List.of("i-1", "i-2", "i-3"), "local-a");
            registry.recordInstances("ls-ring", "client", List.of("i-4"), "local-a");
            for (String id : List.of("i-1", "i-2", "i-3")) {
                registry.register("ls-ring", "data", id, "10.0.0." + id.substring(2), "host-" + id, null);
            }
            registry.register("ls-ring", "client", "i-4", "10.0.1.4", "host-i-4", null);
            // as the launcher records them: the zone's spot price and the on-demand price when requested
            records.recordPrices("ls-ring", List.of("i-1", "i-2", "i-3"), "m1.xlarge", 0.05, 0.35);
            records.recordPrices("ls-ring", List.of("i-4"), "m1.xlarge", 0.06, 0.40);
            // each instance ran exactly one hour, ended an hour ago: the cost no longer grows
            registry.sql("UPDATE spotsh.instances SET state = 'terminated', requested_at = now() - interval '2 hours',"
                    + " state_changed_at = now() - interval '1 hour'");
        }
    }

    @AfterAll
    static void stop() {
        new EmbeddedServer(settings).stop();
        FileTree.deleteQuietly(state);
    }

    private int spotsh(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), Map.of("SPOTSH_HOME", state.toString()));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    @Test
    void theTableShowsStateNodesPerRoleZoneAgeExpiryInstanceHoursAndCost() {
        assertEquals(0, spotsh("ls"), err);
        List<String> lines = out.lines().toList();
        assertEquals(3, lines.size(), "header, rule and one test: " + out);
        List<String> columns = List.of(lines.get(0).split("\\s+"));
        assertEquals(List.of("name", "type", "provider", "state", "nodes", "dead", "expected", "created_at", "expires_at",
                "owner", "roles", "zones", "age", "expires_in", "instance_hours", "usd", "on_demand_usd"), columns);
        String row = lines.get(2);
        assertTrue(row.startsWith("ls-ring  cassandra  local"), row);
        assertTrue(row.contains("client=1, data=3"), row);
        assertTrue(row.contains("local-a"), row);
        assertTrue(row.matches(".*\\s(1h59m|2h00m)\\s.*"), "expires in about 2 hours: " + row);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonParsesWithOneObjectPerTest() {
        assertEquals(0, spotsh("ls", "--json"), err);
        List<Map<String, Object>> tests = (List<Map<String, Object>>) new JsonSlurper().parseText(out);
        assertEquals(1, tests.size(), out);
        Map<String, Object> t = tests.get(0);
        assertEquals("ls-ring", t.get("name"));
        assertEquals("cassandra", t.get("type"));
        assertEquals("created", t.get("state"));
        assertEquals("client=1, data=3", t.get("roles"));
        assertEquals("local-a", t.get("zones"));
        assertEquals(4, ((Number) t.get("expected")).intValue());
        assertEquals(4.0, ((Number) t.get("instance_hours")).doubleValue(), 1e-9, out);
        // 3 h at 0.05 and 1 h at 0.06 spot; 3 h at 0.35 and 1 h at 0.40 on demand
        assertEquals(0.21, ((Number) t.get("usd")).doubleValue(), 1e-9, out);
        assertEquals(1.45, ((Number) t.get("on_demand_usd")).doubleValue(), 1e-9, out);
        assertTrue(t.get("created_at").toString().matches("\\d{4}-\\d\\d-\\d\\dT.*"), "ISO time: " + t.get("created_at"));
    }

    @Test
    void argumentsAreAUsageError() {
        assertEquals(2, spotsh("ls", "extra"));
        assertEquals("spotsh: ls takes no arguments, got [extra]\n", err);
    }
}
