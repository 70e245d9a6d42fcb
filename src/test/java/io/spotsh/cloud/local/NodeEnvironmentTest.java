package io.spotsh.cloud.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Local nodes find their own {@code hostname} and {@code uname}, then the commands of the Java tools installed for
 * them (cassandra, ycsb), before the machine's own; {@code HOSTNAME} is the node's.
 */
class NodeEnvironmentTest {
    @Test
    void theNodesOwnCommandsAndTheToolsBinAreFirstOnPathEvenBeforeTheyExist(@TempDir Path state) {
        Path bin = state.resolve("tools/bin");
        Path root = state.resolve("local-cloud/instances/i-1");
        Map<String, String> env = NodeProcesses.environment("i-1", "127.0.1.5", new Sandbox(root, bin));
        assertEquals(root.resolve("usr/local/bin") + ":" + bin + ":" + System.getenv().getOrDefault("PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), env.get("PATH"));
        assertEquals("i-1", env.get("SPOTSH_LOCAL_INSTANCE"));
        assertEquals("ip-127-0-1-5.local", env.get("HOSTNAME"));
    }
}
