package io.spotsh.cloud.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Local nodes find the commands of the Java tools installed for them (cassandra, ycsb) before the machine's own. */
class NodeEnvironmentTest {
    @Test
    void theToolsBinIsFirstOnPathEvenBeforeItExists(@TempDir Path state) {
        Path bin = state.resolve("tools/bin");
        Map<String, String> env = NodeProcesses.environment("i-1", new Sandbox(state.resolve("local-cloud/instances/i-1"), bin));
        assertEquals(bin + ":" + System.getenv().getOrDefault("PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), env.get("PATH"));
        assertEquals("i-1", env.get("SPOTSH_LOCAL_INSTANCE"));
    }
}
