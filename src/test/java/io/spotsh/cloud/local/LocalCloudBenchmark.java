package io.spotsh.cloud.local;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Tags;
import io.spotsh.common.StateDir;
import io.spotsh.node.ClusterKey;
import io.spotsh.node.UserData;
import io.spotsh.registry.Registry;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.registry.TestRecords;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How the local cloud copes with a seed-sized cluster: launch N instances (the same userdata a real test sends:
 * phone-home to an embedded registry, storage, generic role), wait until all registered, note the daemon's
 * peak memory, terminate them; then launch N more in the now warmed-up daemon (their boot held back) and
 * terminate those. Run by {@code scripts/bench/local-cloud.sh}; prints one CSV line:
 * {@code nodes,launch_ms,all_registered_ms,terminate_ms,daemon_peak_rss_mib,daemon_rss_after_mib,warm_launch_ms}.
 *
 * <pre>java -cp TEST_CLASSPATH io.spotsh.cloud.local.LocalCloudBenchmark STATE_DIR [NODES]</pre>
 */
public final class LocalCloudBenchmark {
    private LocalCloudBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        try (Registry registry = Registry.open(RegistrySettings.embedded(stateDir))) {
            String test = "bench-" + Long.toString(System.nanoTime(), 36);
            var url = registry.createTest(test, "generic", "local", Map.of(), null).registrationUrl();
            String userData = UserData.fromDirectory(Path.of("scripts")).render(new UserData.Values(test, "data",
                    url.uri(), ClusterKey.open(new StateDir(stateDir)).publicKeyLine(), Map.of(), Map.of(), "generic",
                    url.caCertificate()));
            LocalProvider cloud = new LocalProvider(new StateDir(stateDir), Map.of());
            cloud.status();  // the daemon is up: what follows is its own time
            Thread.sleep(3000);  // and warm (its first key generation starts the crypto provider)

            TestRecords records = new TestRecords(() -> registry);
            records.requesting(test, Duration.ofMinutes(10));  // nodes phoning home before their ids are recorded retry
            long start = System.nanoTime();
            List<Instance> launched = cloud.launch(new LaunchRequest(test, "data", nodes, "local-a", null, null, userData,
                    Tags.of(test, "data", "bench", Instant.now(), null), Map.of()));
            long launchMs = millisSince(start);
            records.recordInstances(test, "data", launched.stream().map(Instance::id).toList(), "local-a");
            records.requesting(test, null);
            while (registry.nodes(test).size() < nodes) {
                if (millisSince(start) > 600_000) {
                    throw new IllegalStateException("only " + registry.nodes(test).size() + " of " + nodes
                            + " registered after 10 minutes");
                }
                Thread.sleep(250);
            }
            long registeredMs = millisSince(start);
            Map<String, Object> status = cloud.status();

            long terminateStart = System.nanoTime();
            cloud.terminate(launched.stream().map(Instance::id).toList());
            long terminateMs = millisSince(terminateStart);
            Map<String, Object> after = cloud.status();

            long again = System.nanoTime();  // the same again in a daemon that has done it once (JIT-compiled)
            List<Instance> second = cloud.launch(new LaunchRequest(test, "data", nodes, "local-b", null, null, userData,
                    Tags.of(test, "data", "bench", Instant.now(), null), Map.of("slowBoot", "10m")));
            long secondLaunchMs = millisSince(again);
            cloud.terminate(second.stream().map(Instance::id).toList());
            cloud.stopDaemon(true);
            registry.server().stop();
            System.out.printf("%d,%d,%d,%d,%d,%d,%d%n", nodes, launchMs, registeredMs, terminateMs,
                    mib(status.get("peakRssKiB")), mib(after.get("rssKiB")), secondLaunchMs);
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long mib(Object kib) {
        return ((Number) kib).longValue() / 1024;
    }
}
