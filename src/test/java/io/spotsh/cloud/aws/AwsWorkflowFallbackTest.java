package io.spotsh.cloud.aws;

import io.spotsh.cloud.CloudTests;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.common.Log;
import io.spotsh.common.StateDir;
import io.spotsh.registry.Registry;
import io.spotsh.types.TestTypes;
import io.spotsh.workflow.Cluster;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zone fallback as the workflow drives it ({@code cluster.launch} over the aws provider on moto, a real
 * registry): the cheapest zone refuses the client role, its data nodes are terminated, the test lands in the
 * next zone, and the registry's events say so.
 */
class AwsWorkflowFallbackTest {
    @Test
    void clusterLaunchFallsBackToTheNextZoneAndRecordsWhy() {
        MotoServer moto = AwsTestKit.moto();
        moto.reset();
        Registry registry = CloudTests.registry();
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        try (Ec2Client raw = AwsTestKit.raw(moto.endpoint()); Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            StateDir stateDir = AwsTestKit.stateDir(raw);
            Map<String, String> subnets = AwsTestKit.subnets(raw);
            proxy.refuse("CreateFleet", form -> form.contains(subnets.get("us-east-1b")) && form.contains("=client"), 500,
                    "InsufficientInstanceCapacity", "We currently do not have sufficient capacity.", -1);
            Rewrites rewrites = new Rewrites();
            Instant t = Instant.now();
            rewrites.prices = List.of(Rewrites.price("us-east-1b", AwsTestKit.TYPE, "0.05", t),
                    Rewrites.price("us-east-1d", AwsTestKit.TYPE, "0.06", t));
            AwsProvider aws = AwsTestKit.provider(proxy.endpoint(), stateDir, rewrites);
            String name = AwsTestKit.unique("wf-fallback");
            try (Cluster cluster = new Cluster(new Log(new PrintStream(logged, true, StandardCharsets.UTF_8)), () -> registry,
                    provider -> aws, (test, role, params) -> AwsTestKit.userData(test.name(), role), new TestTypes(), "aws", false)) {
                cluster.launch(Map.of("name", name, "dataNodes", 4, "clientNodes", 2, "instanceType", AwsTestKit.TYPE,
                        "options", Map.of("subnetIds", new ArrayList<>(subnets.values()))));

                List<String> kinds = registry.events(name).stream().map(e -> (String) e.get("kind")).toList();
                assertTrue(kinds.contains("capacity-refused") && kinds.contains("abandoned"), kinds.toString());
                String refusal = registry.events(name).stream().filter(e -> "capacity-refused".equals(e.get("kind")))
                        .map(e -> (String) e.get("message")).findFirst().orElseThrow();
                assertTrue(refusal.startsWith("us-east-1b InsufficientInstanceCapacity"), refusal);

                List<Instance> live = aws.tagged().stream().filter(i -> name.equals(i.test())).toList();
                assertEquals(6, live.size(), live.toString());
                assertTrue(live.stream().allMatch(i -> i.zone().equals("us-east-1d")), live.toString());
                List<String> firstZone = registry.sql("SELECT i.instance_id FROM spotsh.instances i JOIN spotsh.tests t"
                        + " ON t.id = i.test_id WHERE t.name = ? AND i.zone = 'us-east-1b'", name).stream()
                        .map(row -> (String) row.get("instance_id")).toList();
                assertEquals(4, firstZone.size(), "the data nodes launched in the first zone");
                assertTrue(AwsTestKit.await(aws, firstZone, InstanceState.TERMINATED, Duration.ofSeconds(30)).stream()
                        .allMatch(i -> i.state() == InstanceState.TERMINATED), "nothing left in the first zone");

                Map<String, Object> ended = cluster.terminate();
                assertEquals(0L, ((Number) ended.get("left")).longValue(), ended.toString());
            }
        }
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("us-east-1b"), logged.toString(StandardCharsets.UTF_8));
    }
}
