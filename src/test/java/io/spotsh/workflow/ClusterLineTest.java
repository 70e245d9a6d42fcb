package io.spotsh.workflow;

import io.spotsh.cloud.Provider;
import io.spotsh.report.Rendering;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the shell prints {@code cluster} and a node: the test's line and a row per role (requested, registered,
 * reachable, duds), read from the real registry and never from the cloud.
 */
class ClusterLineTest {
    private final HelperKit kit = new HelperKit();

    @AfterEach
    void close() {
        kit.close();
    }

    @Test
    void theTestsLineAndARowPerRoleFromTheRegistryWithoutAskingTheCloud() throws Exception {
        String name = HelperKit.unique("printed");
        TestRun launched = kit.launchWithADud(name, 3, 1);
        kit.awaitRegistered(launched, 3);
        kit.records.setInstanceState(name, kit.dud(), "dud");
        // a view of the same test whose provider fails on anything but its name: printing must not ask the cloud
        TestRun run = new TestRun(name, "generic", noCloud(), "fake-a", null, null, Map.of(), true, false);
        run.sizing = launched.sizing;
        List<String> registered = kit.records.registeredNodes(name).stream().map(n -> n.instanceId()).toList();
        run.reachable.add(registered.get(0));
        run.reachable.add(registered.get(1));
        run.reachable.add(kit.dud()); // reachable once, a dud now: not counted as reachable

        String printed = ClusterLine.of(run, kit.records, Instant.now());

        String[] lines = printed.split("\n");
        assertTrue(lines[0].matches("test " + name + " · generic on fake \\(fake-a\\) · running, kept · age [0-9.]+m?s"
                + " · expires in [0-9hm]+"), lines[0]);
        assertEquals("role    requested  registered  reachable  duds", lines[1]);
        assertEquals("data            3           2          2     1", lines[3]);
        assertEquals("client          1           1          0     0", lines[4]);
        assertEquals(5, lines.length, printed);
    }

    @Test
    void expiryReadsAsTimeLeftOrTimeSince() {
        Instant now = Instant.parse("2026-12-06T10:00:00Z");
        assertEquals("no expiry", ClusterLine.expiry(null, now));
        assertEquals("expires in 1h30m", ClusterLine.expiry(OffsetDateTime.of(2026, 12, 6, 11, 30, 0, 0, ZoneOffset.UTC), now));
        assertEquals("expired 5m00s ago", ClusterLine.expiry(OffsetDateTime.of(2026, 12, 6, 9, 55, 0, 0, ZoneOffset.UTC), now));
    }

    @Test
    void aClusterWithoutATestSaysWhatToDoFirst() {
        Cluster cluster = new Cluster(kit.log, () -> kit.registry, name -> kit.cloud, (test, role, params) -> "",
                new io.spotsh.types.TestTypes(), "fake", false);
        assertEquals(ClusterLine.NO_TEST, cluster.toString());
        assertEquals(ClusterLine.NO_TEST + "\n", Rendering.render(cluster) + "\n");
    }

    @Test
    void aNodeIsOneLineWithWhereToReachIt() {
        Node node = new Node("t", "data", 3, "i-0abc", "10.0.0.7", "ip-10-0-0-7", 2222, "ssh-ed25519 AAAA");
        assertEquals("data-3 (i-0abc 10.0.0.7:2222, ip-10-0-0-7)", node.toString());
        assertEquals(node.toString(), Rendering.render(node));
    }

    private static Provider noCloud() {
        return (Provider) Proxy.newProxyInstance(Provider.class.getClassLoader(), new Class<?>[]{Provider.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("name")) {
                        return "fake";
                    }
                    throw new AssertionError("printing the cluster asked the cloud: " + method.getName());
                });
    }
}
