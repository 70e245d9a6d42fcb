package io.spotsh.cloud.aws;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Zone;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.CancelSpotInstanceRequestsRequest;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateOverridesRequest;
import software.amazon.awssdk.services.ec2.model.RequestSpotInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capacity and price refusals, injected around moto (which never refuses): a zone without capacity, a fleet that
 * brings fewer instances than asked, a refused spot request; each leaves nothing behind, and the caller can fall
 * back to the next zone. Also: throttling is retried, capacity is not.
 */
class AwsCapacityTest extends OnProxiedMoto {
    /** As the workflow does it: zones cheapest first; a refusal ends what the zone launched and moves on. */
    @Test
    void aZoneWithoutCapacityFallsBackToTheNextAndLeavesNothingInTheFirst() {
        String test = AwsTestKit.unique("fallback");
        String first = "us-east-1b";
        Instant t = Instant.now();
        rewrites.prices = List.of(Rewrites.price(first, AwsTestKit.TYPE, "0.050", t),
                Rewrites.price("us-east-1c", AwsTestKit.TYPE, "0.061", t),
                Rewrites.price("us-east-1a", AwsTestKit.TYPE, "0.090", t));
        // the data role fits in the first zone, the client role does not: the data nodes there must go
        proxy.refuse("CreateFleet", form -> form.contains(subnets.get(first)) && form.contains("=client"), 500,
                "InsufficientInstanceCapacity", "We currently do not have sufficient m5d.xlarge capacity in the"
                        + " Availability Zone you requested (us-east-1b).", -1);
        Map<String, Object> options = Map.of("subnetIds", new ArrayList<>(subnets.values()));

        List<String> events = new ArrayList<>();
        List<String> abandoned = new ArrayList<>();
        String landed = null;
        for (Zone zone : aws.zones(AwsTestKit.TYPE)) {
            List<Instance> launched = new ArrayList<>();
            try {
                launched.addAll(aws.launch(AwsTestKit.request(test, "data", 6, zone.name(), options)));
                launched.addAll(aws.launch(AwsTestKit.request(test, "client", 2, zone.name(), options)));
                landed = zone.name();
                break;
            } catch (CapacityException e) {
                assertEquals(zone.name(), e.zone());
                assertTrue(e.getMessage().contains(zone.name()) && !e.getMessage().contains("\n"), e.getMessage());
                events.add(e.zone() + " " + e.code());
                abandoned.addAll(AwsTestKit.ids(launched));
                aws.terminate(AwsTestKit.ids(launched));
            }
        }

        assertEquals(List.of("us-east-1b InsufficientInstanceCapacity"), events);
        assertEquals("us-east-1c", landed, "the next cheapest zone");
        assertEquals(6, abandoned.size());
        assertTrue(AwsTestKit.await(aws, abandoned, InstanceState.TERMINATED, Duration.ofSeconds(30)).stream()
                .allMatch(i -> i.state() == InstanceState.TERMINATED), "nothing left in the first zone");
        List<Instance> live = aws.tagged().stream().filter(i -> test.equals(i.test())).toList();
        assertEquals(8, live.size());
        assertTrue(live.stream().allMatch(i -> i.zone().equals("us-east-1c")), live.toString());
        assertEquals(1, proxy.refused("CreateFleet"));
        assertEquals(4, proxy.attempts("CreateFleet"), "the refused CreateFleet is not retried");
        aws.terminate(AwsTestKit.ids(live));
    }

    @Test
    void throttlingIsRetriedWithBackoff() {
        List<Instance> launched = aws.launch(AwsTestKit.request(AwsTestKit.unique("throttle"), "data", 2, "us-east-1a", Map.of()));
        proxy.refuse("DescribeInstances", form -> true, 503, "RequestLimitExceeded", "Request limit exceeded.", 2);
        assertEquals(2, aws.describe(AwsTestKit.ids(launched)).size());
        assertEquals(3, proxy.attempts("DescribeInstances"), "two throttled attempts, then the answer");
        aws.terminate(AwsTestKit.ids(launched));
    }

    @Test
    void aFleetShortOfTheCountIsTerminatedAndRefused() {
        String test = AwsTestKit.unique("short");
        rewrites.fleetShortBy = 1;
        CapacityException e = assertThrows(CapacityException.class,
                () -> aws.launch(AwsTestKit.request(test, "data", 4, "us-east-1a", Map.of())));
        assertEquals("us-east-1a", e.zone());
        assertEquals("InsufficientInstanceCapacity", e.code());
        assertEquals(AwsTestKit.TYPE, e.instanceType());
        assertTrue(e.getMessage().contains("3 launched were terminated"), e.getMessage());
        assertTrue(aws.tagged().stream().noneMatch(i -> test.equals(i.test())), "nothing half-launched is left");
    }

    @Test
    void typesToChooseFromAreOverridesOfOneFleetEachWithItsDisks() {
        String test = AwsTestKit.unique("types");
        Map<String, Object> options = Map.of("instanceTypes", List.of("m5d.xlarge", "m5d.4xlarge"),
                "subnetIds", List.of(subnets.get("us-east-1d")));
        List<Instance> got = aws.launch(AwsTestKit.request(test, "data", 2, "us-east-1d", options));
        CreateFleetRequest fleet = calls.requests(CreateFleetRequest.class).get(0);
        List<FleetLaunchTemplateOverridesRequest> overrides = fleet.launchTemplateConfigs().get(0).overrides();
        assertEquals(List.of("m5d.xlarge", "m5d.4xlarge"), overrides.stream().map(FleetLaunchTemplateOverridesRequest::instanceTypeAsString).toList());
        assertEquals(subnets.get("us-east-1d"), overrides.get(0).subnetId());
        assertTrue(overrides.get(0).blockDeviceMappings().isEmpty(), "the template maps the first type's one disk");
        assertEquals(2, overrides.get(1).blockDeviceMappings().size(), "m5d.4xlarge has two disks");
        assertTrue(fleet.spotOptions().singleInstanceType() && fleet.spotOptions().singleAvailabilityZone());
        assertTrue(got.stream().allMatch(i -> i.zone().equals("us-east-1d")), got.toString());
        aws.terminate(AwsTestKit.ids(got));
    }

    @Test
    void spotRequestModeUsesTheTestAsLaunchGroupTagsTheInstancesAndCancels() {
        String test = AwsTestKit.unique("seed");
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("launchMode", "spot-request");
        options.put("subnetIds", List.of(subnets.get("us-east-1c")));
        List<Instance> got = aws.launch(AwsTestKit.request(test, "data", 3, "us-east-1c", options));
        assertEquals(3, got.size());
        RequestSpotInstancesRequest sent = calls.requests(RequestSpotInstancesRequest.class).get(0);
        assertEquals(test + "-data", sent.launchGroup(), "one launch group per role");
        assertEquals(test, sent.availabilityZoneGroup());
        assertEquals(3, sent.instanceCount());
        assertEquals("spot-instances-request", sent.tagSpecifications().get(0).resourceTypeAsString());
        List<Instance> seen = aws.describe(AwsTestKit.ids(got));
        assertTrue(seen.stream().allMatch(i -> test.equals(i.test()) && "data".equals(i.role())
                && i.zone().equals("us-east-1c")), seen.toString());
        // a spot request carries no metadata options: each instance is switched to IMDSv2 only, as moto records
        assertEquals(3, calls.count("ModifyInstanceMetadataOptions"));
        raw.describeInstances(r -> r.instanceIds(AwsTestKit.ids(got))).reservations().stream()
                .flatMap(r -> r.instances().stream()).forEach(i -> {
                    assertEquals("required", i.metadataOptions().httpTokensAsString(), i.instanceId());
                    assertEquals(1, i.metadataOptions().httpPutResponseHopLimit(), i.instanceId());
                    assertEquals("enabled", i.metadataOptions().httpEndpointAsString(), i.instanceId());
                });
        List<String> cancelled = calls.requests(CancelSpotInstanceRequestsRequest.class).get(0).spotInstanceRequestIds();
        assertEquals(3, cancelled.size(), "the requests are cancelled once fulfilled");
        // moto forgets a cancelled request; EC2 shows it cancelled: either way none is left open
        assertTrue(raw.describeSpotInstanceRequests().spotInstanceRequests().stream()
                .noneMatch(r -> cancelled.contains(r.spotInstanceRequestId()) && "open".equals(r.stateAsString())));
        aws.terminate(AwsTestKit.ids(got));
    }

    @Test
    void aSpotInstanceThatCannotBeSwitchedToImdsV2IsTerminated() {
        String test = AwsTestKit.unique("imds");
        proxy.refuse("ModifyInstanceMetadataOptions", form -> true, 403, "UnauthorizedOperation",
                "You are not authorized to perform this operation.", -1);
        LaunchRequest request = AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of("launchMode", "spot-request"));
        CloudException e = assertThrows(CloudException.class, () -> aws.launch(request));
        assertTrue(e.getMessage().contains("IMDSv2") && e.getMessage().contains("UnauthorizedOperation"), e.getMessage());
        List<String> fulfilled = calls.requests(TerminateInstancesRequest.class).get(0).instanceIds();
        assertEquals(2, fulfilled.size(), "both fulfilled instances are terminated, not handed out on IMDSv1");
        assertTrue(AwsTestKit.await(aws, fulfilled, InstanceState.TERMINATED, Duration.ofSeconds(30)).stream()
                .allMatch(i -> i.state() == InstanceState.TERMINATED));
    }

    @Test
    void aRefusedSpotRequestTerminatesWhatWasFulfilled() {
        String test = AwsTestKit.unique("refused");
        rewrites.refuseLastSpotRequest = "capacity-not-available";
        LaunchRequest request = AwsTestKit.request(test, "data", 3, "us-east-1a", Map.of("launchMode", "spot-request"));
        CapacityException e = assertThrows(CapacityException.class, () -> aws.launch(request));
        assertEquals("capacity-not-available", e.code());
        assertEquals("us-east-1a", e.zone());

        assertEquals(3, calls.requests(CancelSpotInstanceRequestsRequest.class).get(0).spotInstanceRequestIds().size(),
                "every request is cancelled");
        List<String> fulfilled = calls.requests(TerminateInstancesRequest.class).get(0).instanceIds();
        assertEquals(2, fulfilled.size(), "the two fulfilled requests' instances are terminated");
        assertTrue(AwsTestKit.await(aws, fulfilled, InstanceState.TERMINATED, Duration.ofSeconds(30)).stream()
                .allMatch(i -> i.state() == InstanceState.TERMINATED));
        // the third instance only moto launched (a refused request has none on EC2); it never got spotsh's tags
        assertTrue(aws.tagged().stream().noneMatch(i -> test.equals(i.test())));
        List<String> untagged = raw.describeInstances(q -> q.filters(f -> f.name("instance-state-name").values("running")))
                .reservations().stream().flatMap(r -> r.instances().stream())
                .filter(i -> i.tags().isEmpty()).map(software.amazon.awssdk.services.ec2.model.Instance::instanceId).toList();
        raw.terminateInstances(q -> q.instanceIds(untagged));
    }
}
