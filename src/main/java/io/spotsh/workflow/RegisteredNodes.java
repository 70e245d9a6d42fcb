package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.NodeRow;

import java.util.ArrayList;
import java.util.List;

/**
 * The live registered nodes of a test, each with where its SSH server listens: the registry says who phoned
 * home, the cloud says at which address and port (asked once per instance, then kept in the {@link TestRun}).
 */
final class RegisteredNodes {
    private final TestRecords records;

    RegisteredNodes(TestRecords records) {
        this.records = records;
    }

    /** By role (data first) and node number. */
    List<Node> of(TestRun run) {
        List<NodeRow> rows = records.registeredNodes(run.name);
        List<String> unknownPorts = new ArrayList<>();
        for (NodeRow row : rows) {
            if (!run.instances.containsKey(row.instanceId())) {
                unknownPorts.add(row.instanceId());
            }
        }
        if (!unknownPorts.isEmpty()) {
            for (Instance i : run.provider.describe(unknownPorts)) {
                run.instances.put(i.id(), i);
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (NodeRow row : rows) {
            Instance instance = run.instances.get(row.instanceId());
            // the cloud's view of the address wins: a private IP may not be reachable from here
            String address = instance != null && instance.address() != null ? instance.address() : row.ip();
            nodes.add(new Node(run.name, row.role(), row.number(), row.instanceId(), address, row.hostname(),
                    instance == null ? 22 : instance.sshPort(), row.hostKey()));
        }
        return nodes;
    }
}
