package io.spotsh.workflow;

import io.spotsh.cloud.CloudTests;
import io.spotsh.common.Log;
import io.spotsh.registry.Registry;
import io.spotsh.registry.TestRecords;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the workflow helpers' tests share: the test JVM's one embedded registry, a fake cloud, a log to read
 * back, and a launched test to work on. Each test names its tests uniquely, so they never see each other's.
 */
final class HelperKit implements AutoCloseable {
    final Registry registry = CloudTests.registry();
    final TestRecords records = new TestRecords(() -> registry);
    final FakeCloud cloud = new FakeCloud(registry);
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    final Log log = new Log(new PrintStream(logged, true, StandardCharsets.UTF_8));

    String logged() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    static String unique(String base) {
        return base + "-" + System.nanoTime();
    }

    Launcher launcher() {
        return new Launcher(records, (test, role, params) -> "#!/bin/sh\n", log);
    }

    /** A test launched on the fake cloud: {@code data} data nodes and {@code clients} client nodes (0: none). */
    TestRun launch(String name, int data, int clients) {
        LaunchSpec spec = LaunchSpec.from(Map.of("name", name, "dataNodes", data, "clientNodes", clients), "fake",
                provider -> List.of(), false, false);
        Map<String, Integer> sizing = new LinkedHashMap<>();
        sizing.put("data", data);
        if (clients > 0) {
            sizing.put("client", clients);
        }
        TestRun run = launcher().launch(spec, sizing, cloud);
        run.sizing = sizing;
        return run;
    }

    /** As {@link #launch}, but its first instance is a dud (never phones home); {@link #dud()} names it. */
    TestRun launchWithADud(String name, int data, int clients) {
        cloud.dudsToCome.set(1);
        return launch(name, data, clients);
    }

    /** The instance id of the first dud the fake cloud launched. */
    String dud() {
        return cloud.duds.get(0);
    }

    /** Waits (10 s at most) until {@code count} nodes of the test registered, as the fake cloud boots them. */
    void awaitRegistered(TestRun run, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (records.registeredNodes(run.name).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(count + " nodes of " + run.name + " never registered: "
                        + records.registeredNodes(run.name));
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        cloud.close();
    }
}
