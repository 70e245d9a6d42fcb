package io.spotsh.node;

import io.spotsh.common.StateDir;
import io.spotsh.registry.TestInfo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The boot script for a test's nodes: this build's userdata template with the test's registration URL,
 * the cluster's public key (from the state directory) and the test parameters. Made on first launch, so
 * a shell that launches nothing creates no key.
 */
public final class NodeUserData implements UserDataRenderer {
    private final StateDir stateDir;
    private UserData template;
    private ClusterKey key;

    public NodeUserData(StateDir stateDir) {
        this.stateDir = stateDir;
    }

    @Override
    public synchronized String render(TestInfo test, String role, Map<String, Object> params) {
        if (template == null) {
            template = UserData.fromClasspath();
            key = ClusterKey.open(stateDir);
        }
        Map<String, String> values = new LinkedHashMap<>();
        params.forEach((k, v) -> values.put(k, String.valueOf(v)));
        return template.render(new UserData.Values(test.name(), role, test.registrationUrl().uri(),
                key.publicKeyLine(), values, Map.of(), test.type(), test.registrationUrl().caCertificate()));
    }
}
