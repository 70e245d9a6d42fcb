package io.spotsh.workflow;

import io.spotsh.fanout.RunResult;
import io.spotsh.types.Member;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a test type sees of a running test: its registered members by role and number, quiet runs on them. */
class TestClusterViewTest {
    private final HelperKit kit = new HelperKit();
    private final List<String> calls = new ArrayList<>();
    private final NodeCommands commands = new NodeCommands() {
        @Override
        public RunResult run(List<Node> nodes, String command, Map<String, ?> options) {
            calls.add("run " + names(nodes) + " " + command + " " + options);
            return null;
        }

        @Override
        public RunResult get(List<Node> nodes, String remote, Path localDir, Map<String, ?> options) {
            calls.add("get " + names(nodes) + " " + remote + " " + localDir + " " + options);
            return null;
        }

        @Override
        public RunResult mark(List<Node> nodes, String text, Map<String, ?> options) {
            throw new AssertionError("a test type does not mark");
        }
    };

    @AfterEach
    void close() {
        kit.close();
    }

    private static List<String> names(List<Node> nodes) {
        return nodes.stream().map(n -> n.getName() + ":" + n.sshPort()).toList();
    }

    @Test
    void membersByRoleAndNumberAndQuietRunsWithTheNodesConfiguration() throws InterruptedException {
        String name = HelperKit.unique("view");
        TestRun run = kit.launch(name, 3, 1);
        run.params = Map.of("requests", 5);
        kit.awaitRegistered(run, 4);
        TestClusterView view = new TestClusterView(run, kit.records, new RegisteredNodes(kit.records), commands, kit.log);

        assertEquals(name, view.test());
        assertEquals(Map.of("requests", 5), view.params());
        Map<String, Integer> sizing = new LinkedHashMap<>();
        sizing.put("data", 3);
        sizing.put("client", 1);
        assertEquals(sizing, view.sizing());
        List<Member> data = view.members("data");
        assertEquals(List.of(1, 2, 3), data.stream().map(Member::number).toList());
        for (Member m : data) {
            assertEquals(kit.cloud.instances.get(m.instanceId()).privateIp(), m.ip(), "the address nodes reach each other at");
        }
        assertEquals(1, view.members("client").size());
        assertEquals(List.of(), view.members("broker"));

        view.run(data.subList(1, 3), "redis-cli ping", Duration.ofSeconds(30));
        view.get(view.members("client"), "results", Path.of("/tmp/out"));

        int port2 = kit.cloud.instances.get(data.get(1).instanceId()).sshPort();
        int port3 = kit.cloud.instances.get(data.get(2).instanceId()).sshPort();
        assertEquals("run [data-2:" + port2 + ", data-3:" + port3 + "] " + TestClusterView.NODE_ENV + "redis-cli ping"
                + " {quiet=true, timeout=PT30S}", calls.get(0));
        assertTrue(calls.get(1).startsWith("get [client-1:") && calls.get(1).endsWith("] results /tmp/out {}"), calls.get(1));
    }
}
