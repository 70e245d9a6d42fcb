package io.spotsh.cloud.aws;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.Tags;
import io.spotsh.cloud.TerminateResult;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateBlockDeviceMappingRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A 300-node test from launch to proven termination against moto, counting every EC2 call it takes. */
class AwsLifecycleTest extends OnMoto {

    @Test
    void threeHundredNodesLaunchRunAndTerminateInTenCalls() {
        CallLog calls = new CallLog();
        String test = AwsTestKit.unique("cass-300");
        String zone = "us-east-1a"; // moto's zone for instances without a subnet
        try (AwsProvider aws = AwsTestKit.provider(AwsTestKit.moto().endpoint(), stateDir, calls)) {
            List<Instance> launched = new ArrayList<>();
            launched.addAll(aws.launch(AwsTestKit.request(test, "data", 250, zone, Map.of("instanceTypes", List.of("m1.xlarge")))));
            launched.addAll(aws.launch(AwsTestKit.request(test, "client", 50, zone, Map.of("instanceTypes", List.of("m1.xlarge")))));
            assertEquals(300, launched.size());
            List<String> ids = AwsTestKit.ids(launched);
            assertEquals(300, ids.stream().distinct().count(), "distinct ids");

            List<Instance> running = AwsTestKit.await(aws, ids, InstanceState.RUNNING, Duration.ofSeconds(60));
            assertEquals(300, running.size());
            for (Instance i : running) {
                assertEquals(InstanceState.RUNNING, i.state(), i.toString());
                assertEquals(test, i.test());
                assertEquals(zone, i.zone());
                assertEquals("m1.xlarge", i.instanceType());
                assertTrue(i.tags().keySet().containsAll(List.of(Tags.OWNER, Tags.CREATED, Tags.EXPIRES)), i.tags().toString());
                assertTrue(i.address() != null && i.sshPort() == 22, i.toString());
            }
            assertEquals(250, running.stream().filter(i -> "data".equals(i.role())).count());
            assertUserDataAndTagsRoundTrip(test, running); // on a separate client: not counted

            TerminateResult result = aws.terminate(ids);
            assertEquals(300, result.accepted().size(), result.toString());
            assertTrue(result.failed().isEmpty(), result.failed().toString());
            List<Instance> after = AwsTestKit.await(aws, ids, InstanceState.TERMINATED, Duration.ofSeconds(60));
            assertTrue(after.stream().allMatch(i -> i.state() == InstanceState.TERMINATED), "all terminated");

            System.out.println("aws lifecycle of 300 nodes: " + calls.count() + " EC2 calls (" + calls.attempts()
                    + " attempts): " + calls.calls());
            assertTrue(calls.count() <= 10, "EC2 calls for the whole lifecycle: " + calls.calls());
            assertRequestsAsSent(calls);
            assertTrue(raw.describeLaunchTemplates().launchTemplates().isEmpty(), "launch templates are deleted after use");
        }
    }

    /** m1.xlarge has four instance-store disks: each is mapped, whatever the image says; spot, all or nothing. */
    private static void assertRequestsAsSent(CallLog calls) {
        CreateLaunchTemplateRequest template = calls.requests(CreateLaunchTemplateRequest.class).get(0);
        assertEquals(List.of("ephemeral0", "ephemeral1", "ephemeral2", "ephemeral3"), template.launchTemplateData()
                .blockDeviceMappings().stream().map(LaunchTemplateBlockDeviceMappingRequest::virtualName).toList());
        assertEquals("/dev/sdb", template.launchTemplateData().blockDeviceMappings().get(0).deviceName());
        // moto launches fleet instances with default metadata options whatever the template says: check what was sent
        LaunchTemplateInstanceMetadataOptionsRequest imds = template.launchTemplateData().metadataOptions();
        assertEquals("required", imds.httpTokensAsString(), "IMDSv2 only");
        assertEquals(1, imds.httpPutResponseHopLimit());
        assertEquals("enabled", imds.httpEndpointAsString());
        CreateFleetRequest fleet = calls.requests(CreateFleetRequest.class).get(0);
        assertEquals("instant", fleet.typeAsString());
        assertEquals(250, fleet.spotOptions().minTargetCapacity());
        assertEquals("price-capacity-optimized", fleet.spotOptions().allocationStrategyAsString());
        assertEquals("spot", fleet.targetCapacitySpecification().defaultTargetCapacityTypeAsString());
        assertTrue(fleet.tagSpecifications().get(0).tags().stream().anyMatch(t -> t.key().equals(Tags.TEST)));
    }

    private static void assertUserDataAndTagsRoundTrip(String test, List<Instance> running) {
        for (String role : List.of("data", "client")) {
            Instance one = running.stream().filter(i -> role.equals(i.role())).findFirst().orElseThrow();
            String sent = raw.describeInstanceAttribute(r -> r.instanceId(one.id()).attribute("userData")).userData().value();
            assertEquals(AwsTestKit.userData(test, role), new String(Base64.getDecoder().decode(sent), StandardCharsets.UTF_8));
        }
        int volumes = raw.describeVolumes(r -> r.filters(Filter.builder().name("tag:" + Tags.TEST).values(test).build()))
                .volumes().size();
        assertEquals(300, volumes, "every volume tagged at creation");
        List<Tag> fleetTags = raw.describeFleets().fleets().get(0).tags();
        assertTrue(fleetTags.stream().anyMatch(t -> t.key().equals(Tags.TEST) && t.value().equals(test)), fleetTags.toString());
    }
}
