package io.spotsh.cloud.aws;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.DryRun;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Tags;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.cloud.Zone;
import io.spotsh.common.BadInput;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.DeleteLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.FleetBlockDeviceMappingRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateOverridesRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplate;
import software.amazon.awssdk.services.ec2.model.RequestSpotInstancesRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EC2's answers under pressure, replayed by the fault injector ({@link Ec2Proxy} in front of moto, {@link Rewrites}
 * on the way back) in the shape EC2 sends them, and what the user sees: retried, a refusal of the zone, or an
 * error naming what to fix. After each, moto is asked what is left running, and under which tags.
 */
class AwsRefusalsTest extends OnProxiedMoto {
    // EC2 API reference, CreateFleet, Errors (an instant fleet answers HTTP 200 with the reason in Errors);
    // EC2 API reference, "Request throttling" (RequestLimitExceeded: retry with exponential backoff)
    @Test
    void throttlingInAFleetsErrorsIsRetriedNotTheEndOfTheLaunch() {
        String test = AwsTestKit.unique("throttled-fleet");
        proxy.answer("CreateFleet", form -> true, Ec2Proxy.fleetErrors("RequestLimitExceeded", "Request limit exceeded."), 2);
        List<Instance> got = aws.launch(AwsTestKit.request(test, "data", 3, "us-east-1a", Map.of()));
        assertEquals(3, got.size());
        assertEquals(3, proxy.attempts("CreateFleet"), "two throttled answers, then the fleet");
        assertEquals(1, calls.count("CreateLaunchTemplate"), "one template for all attempts");
        assertEquals(3, running(test).size(), "exactly the one fleet's instances run, tagged with the test");
        aws.terminate(AwsTestKit.ids(got));
    }

    // EC2 API reference, "Request throttling": after the bounded backoff the user is told it was throttling
    @Test
    void throttlingThatDoesNotEndIsReportedAsSuchAfterTheBackoff() {
        String test = AwsTestKit.unique("throttled-always");
        proxy.answer("CreateFleet", form -> true, Ec2Proxy.fleetErrors("RequestLimitExceeded", "Request limit exceeded."), -1);
        CloudException e = assertThrows(CloudException.class,
                () -> aws.launch(AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of())));
        assertFalse(e instanceof CapacityException, "throttling is not the zone's refusal");
        assertTrue(e.getMessage().contains("RequestLimitExceeded") && e.getMessage().contains("after "
                + Ec2Retries.Backoff.ATTEMPTS + " attempts"), e.getMessage());
        assertEquals(Ec2Retries.Backoff.ATTEMPTS, proxy.attempts("CreateFleet"));
        assertEquals(List.of(), running(test));
        assertEquals(0, templatesOf(test), "the launch template is deleted");
    }

    // EC2 user guide, "Eventual consistency": CreateFleet right after CreateLaunchTemplate may not find it
    @Test
    void aLaunchTemplateNotVisibleYetIsWaitedFor() {
        String test = AwsTestKit.unique("template-lag");
        proxy.refuse("CreateFleet", form -> true, 400, "InvalidLaunchTemplateName.NotFoundException",
                "The specified launch template, with template name spotsh-x, does not exist.", 2);
        List<Instance> got = aws.launch(AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of()));
        assertEquals(2, got.size());
        assertEquals(3, proxy.attempts("CreateFleet"));
        assertEquals(2, running(test).size());
        aws.terminate(AwsTestKit.ids(got));
    }

    // EC2 API reference, CreateFleet, Errors; "Error codes": Unsupported (the type is not offered in the zone)
    // and InsufficientFreeAddressesInSubnet are the zone's refusals: the workflow moves to the next zone
    @Test
    void aTypeNotOfferedOrASubnetOutOfAddressesMovesOnToTheNextZone() {
        String test = AwsTestKit.unique("zone-only");
        Instant t = Instant.now();
        rewrites.prices = List.of(Rewrites.price("us-east-1b", AwsTestKit.TYPE, "0.050", t),
                Rewrites.price("us-east-1c", AwsTestKit.TYPE, "0.055", t),
                Rewrites.price("us-east-1d", AwsTestKit.TYPE, "0.061", t));
        proxy.answer("CreateFleet", form -> form.contains(subnets.get("us-east-1b")), Ec2Proxy.fleetErrors("Unsupported",
                "Your requested instance type (m5d.xlarge) is not supported in your requested Availability Zone (us-east-1b)."), -1);
        proxy.refuse("CreateFleet", form -> form.contains(subnets.get("us-east-1c")), 400, "InsufficientFreeAddressesInSubnet",
                "There are not enough free addresses in subnet '" + subnets.get("us-east-1c") + "' to satisfy the requested number of instances.", -1);
        Map<String, Object> options = Map.of("subnetIds", new ArrayList<>(subnets.values()));

        List<String> refusals = new ArrayList<>();
        List<Instance> got = null;
        for (Zone zone : aws.zones(AwsTestKit.TYPE)) {
            try {
                got = aws.launch(AwsTestKit.request(test, "data", 2, zone.name(), options));
                break;
            } catch (CapacityException e) {
                assertEquals(zone.name(), e.zone());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                refusals.add(e.zone() + " " + e.code());
            }
        }
        assertEquals(List.of("us-east-1b Unsupported", "us-east-1c InsufficientFreeAddressesInSubnet"), refusals);
        assertTrue(got != null && got.stream().allMatch(i -> i.zone().equals("us-east-1d")), String.valueOf(got));
        assertEquals(2, running(test).size());
        assertEquals(0, templatesOf(test), "every zone's template is deleted");
        aws.terminate(AwsTestKit.ids(got));
    }

    // Spot request status codes: schedule-expired (ValidUntil passed unfulfilled, the request cancelled) is the
    // zone not supplying in time, a capacity refusal; what was fulfilled is terminated
    @Test
    void aSpotRequestThatExpiredUnfulfilledIsACapacityRefusal() {
        String test = AwsTestKit.unique("expired");
        rewrites.refuseLastSpotRequest = "schedule-expired";
        rewrites.refusedState = "cancelled";
        CapacityException e = assertThrows(CapacityException.class, () -> aws.launch(AwsTestKit.request(test, "data",
                3, "us-east-1a", Map.of("launchMode", "spot-request"))));
        assertEquals("schedule-expired", e.code());
        assertEquals("us-east-1a", e.zone());
        assertTrue(e.getMessage().contains("the 2 launched were terminated"), e.getMessage());
        assertEquals(List.of(), running(test));
        terminateUntagged(); // the refused request's instance, which only moto launched
    }

    // EC2 user guide, "Eventual consistency": DescribeInstances and CreateTags right after a spot request is
    // fulfilled may answer InvalidInstanceID.NotFound; the launch waits, and every instance ends up tagged
    @Test
    void instancesNotVisibleYetAreStillDescribedAndTagged() {
        String test = AwsTestKit.unique("describe-lag");
        proxy.refuse("DescribeInstances", form -> form.contains("InstanceId.1="), 400, "InvalidInstanceID.NotFound",
                form -> "The instance ID '" + Ec2Proxy.param(form, "InstanceId.1") + "' does not exist", 1);
        proxy.refuse("CreateTags", form -> true, 400, "InvalidInstanceID.NotFound",
                form -> "The instance ID '" + Ec2Proxy.param(form, "ResourceId.1") + "' does not exist", 2);
        List<Instance> got = aws.launch(AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of("launchMode", "spot-request")));
        assertEquals(2, got.size());
        assertEquals(1, proxy.refused("DescribeInstances"));
        assertEquals(2, proxy.refused("CreateTags"));
        assertEquals(AwsTestKit.ids(got).stream().sorted().toList(), running(test).stream().sorted().toList(),
                "both run with the test's tags, as moto sees them");
        aws.terminate(AwsTestKit.ids(got));
    }

    // EC2 user guide, "Eventual consistency": TerminateInstances right after a launch may answer
    // InvalidInstanceID.NotFound; that is never counted as terminated, it is asked again
    @Test
    void aNotFoundRightAfterLaunchIsNotTakenForTerminated() {
        String test = AwsTestKit.unique("terminate-lag");
        List<Instance> got = aws.launch(AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of("launchMode", "spot-request")));
        proxy.refuse("TerminateInstances", form -> true, 400, "InvalidInstanceID.NotFound",
                form -> "The instance ID '" + Ec2Proxy.param(form, "InstanceId.1") + "' does not exist", 2);
        TerminateResult r = aws.terminate(AwsTestKit.ids(got));
        assertEquals(Map.of(), r.failed());
        assertEquals(AwsTestKit.ids(got).stream().sorted().toList(), r.accepted().stream().sorted().toList());
        assertTrue(proxy.attempts("TerminateInstances") >= 3, "asked again after each not found");
        assertTrue(AwsTestKit.await(aws, AwsTestKit.ids(got), InstanceState.TERMINATED, Duration.ofSeconds(30)).stream()
                .allMatch(i -> i.state() == InstanceState.TERMINATED));
    }

    // EC2 user guide, "Eventual consistency"; Spot request status codes: when the clean-up of a refused launch
    // cannot terminate what was fulfilled, the error names it by id, and it carries the test's tags for reap
    @Test
    void whatACleanUpCannotTerminateIsNamedAndTagged() {
        String test = AwsTestKit.unique("stuck");
        rewrites.refuseLastSpotRequest = "capacity-not-available";
        proxy.refuse("TerminateInstances", form -> true, 400, "InvalidInstanceID.NotFound",
                form -> "The instance ID '" + Ec2Proxy.param(form, "InstanceId.1") + "' does not exist", -1);
        CapacityException e = assertThrows(CapacityException.class, () -> aws.launch(AwsTestKit.request(test, "data",
                3, "us-east-1a", Map.of("launchMode", "spot-request"))));
        List<String> left = running(test);
        assertEquals(2, left.size(), "the two fulfilled instances still run, tagged with the test");
        for (String id : left) {
            assertTrue(e.getMessage().contains(id), "the error names " + id + ": " + e.getMessage());
        }
        assertTrue(e.getMessage().contains("still running"), e.getMessage());
        assertEquals(2 * Ec2Retries.Backoff.ATTEMPTS, proxy.attempts("TerminateInstances"),
                "each id asked on its own (EC2 names one a time), again after each backoff, within bounds");
        raw.terminateInstances(q -> q.instanceIds(left));
        terminateUntagged();
    }

    // EC2 API reference, "Error codes": AuthFailure "Not authorized for images" is about the image, not the keys
    @Test
    void anImageTheAccountMayNotUseIsNotReportedAsBadCredentials() {
        String test = AwsTestKit.unique("private-ami");
        String ami = AwsTestKit.ami(raw);
        proxy.refuse("CreateFleet", form -> true, 400, "AuthFailure", "Not authorized for images: [" + ami + "]", -1);
        BadInput e = assertThrows(BadInput.class, () -> aws.launch(AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of())));
        assertTrue(e.getMessage().contains("may not launch the image") && e.getMessage().contains(ami)
                && e.getMessage().contains("launch permission"), e.getMessage());
        assertFalse(e.getMessage().contains("credentials"), e.getMessage());
        assertEquals(1, proxy.attempts("CreateFleet"), "not retried");
        assertEquals(List.of(), running(test));

        // the JDK's HttpURLConnection hides a 401's body (it wants to authenticate), so the keys' refusal comes as 400
        proxy.refuse("DescribeInstances", form -> true, 400, "AuthFailure",
                "AWS was not able to validate the provided access credentials", 1);
        BadInput keys = assertThrows(BadInput.class, () -> aws.describe(List.of("i-0123456789abcdef0")));
        assertTrue(keys.getMessage().contains("refused the AWS credentials"), keys.getMessage());
    }

    // EC2 API reference, CreateFleet and RequestSpotInstances: MaxPrice/SpotPrice is a string, "0.0001" not "1.0E-4"
    @Test
    void aMaxPriceUnderATenthOfACentIsSentAsAPlainDecimal() {
        String test = AwsTestKit.unique("cheap");
        LaunchRequest fleet = new LaunchRequest(test, "data", 1, "us-east-1a", AwsTestKit.TYPE, 0.0001,
                AwsTestKit.userData(test, "data"), Tags.of(test, "data", "tester@ci", Instant.now(),
                Instant.now().plus(Duration.ofHours(1))), Map.of());
        List<Instance> got = new ArrayList<>(aws.launch(fleet));
        LaunchRequest spot = new LaunchRequest(test, "client", 1, "us-east-1a", AwsTestKit.TYPE, 0.00005,
                AwsTestKit.userData(test, "client"), fleet.tags(), Map.of("launchMode", "spot-request"));
        got.addAll(aws.launch(spot));
        assertEquals("0.0001", calls.requests(CreateFleetRequest.class).get(0).launchTemplateConfigs().get(0)
                .overrides().get(0).maxPrice());
        assertEquals("0.00005", calls.requests(RequestSpotInstancesRequest.class).get(0).spotPrice());
        aws.terminate(AwsTestKit.ids(got));
    }

    // EC2 user guide, "Spot Instance requests", launch groups: a launch group is launched and reclaimed together,
    // so each role has its own; the availability zone group keeps the test in one zone
    @Test
    void eachRoleOfASpotRequestTestHasItsOwnLaunchGroup() {
        String test = AwsTestKit.unique("groups");
        Map<String, Object> options = Map.of("launchMode", "spot-request");
        List<Instance> got = new ArrayList<>(aws.launch(AwsTestKit.request(test, "data", 1, "us-east-1a", options)));
        got.addAll(aws.launch(AwsTestKit.request(test, "client", 1, "us-east-1a", options)));
        List<RequestSpotInstancesRequest> sent = calls.requests(RequestSpotInstancesRequest.class);
        assertEquals(List.of(test + "-data", test + "-client"), sent.stream().map(RequestSpotInstancesRequest::launchGroup).toList());
        assertEquals(List.of(test, test), sent.stream().map(RequestSpotInstancesRequest::availabilityZoneGroup).toList());
        aws.terminate(AwsTestKit.ids(got));
    }

    // EC2 API reference, FleetLaunchTemplateOverridesRequest BlockDeviceMappings and "Block device mappings"
    // (NoDevice): a type with fewer instance-store disks than the template's unmaps the template's extra ones
    @Test
    void aTypeWithFewerDisksThanTheTemplateUnmapsTheExtraOnes() {
        String test = AwsTestKit.unique("nodevice");
        Map<String, Object> options = Map.of("instanceTypes", List.of("m5d.4xlarge", "m5d.xlarge"));
        List<Instance> got = aws.launch(AwsTestKit.request(test, "data", 1, "us-east-1a", options));
        List<FleetLaunchTemplateOverridesRequest> overrides = calls.requests(CreateFleetRequest.class).get(0)
                .launchTemplateConfigs().get(0).overrides();
        assertTrue(overrides.get(0).blockDeviceMappings().isEmpty(), "m5d.4xlarge takes the template's two disks");
        List<FleetBlockDeviceMappingRequest> small = overrides.get(1).blockDeviceMappings();
        assertEquals(List.of("/dev/sdb=ephemeral0", "/dev/sdc NoDevice"), small.stream().map(m -> m.deviceName()
                + (m.noDevice() != null ? " NoDevice" : "=" + m.virtualName())).toList());
        aws.terminate(AwsTestKit.ids(got));
    }

    // EC2 API reference, CreateLaunchTemplate (Warning) and CreateFleet (DryRun): the dry run creates the real
    // template, asks the fleet over it, deletes it, and reports the template's warnings
    @Test
    void theDryRunChecksTheRealTemplateAndReportsItsWarnings() {
        String test = AwsTestKit.unique("dry");
        DryRun.Plan ok = aws.dryRun(AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of()));
        assertTrue(ok.wouldLaunch(), ok.verdict());
        CreateLaunchTemplateRequest created = calls.requests(CreateLaunchTemplateRequest.class).get(0);
        assertFalse(Boolean.TRUE.equals(created.dryRun()), "a real template");
        CreateFleetRequest fleet = calls.requests(CreateFleetRequest.class).get(0);
        assertTrue(fleet.dryRun());
        assertEquals(created.launchTemplateName(), fleet.launchTemplateConfigs().get(0).launchTemplateSpecification()
                .launchTemplateName(), "the fleet names the template that was created");
        assertEquals(created.launchTemplateName(), calls.requests(DeleteLaunchTemplateRequest.class).get(0).launchTemplateName());
        assertEquals(0, templatesOf(test));

        rewrites.templateWarning = List.of("InvalidAMIID.NotFound", "The image id '[ami-0bad]' does not exist");
        DryRun.Plan warned = aws.dryRun(AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of()));
        assertFalse(warned.wouldLaunch());
        assertTrue(warned.verdict().contains("CreateLaunchTemplate warned: InvalidAMIID.NotFound"), warned.verdict());
        rewrites.templateWarning = null;

        // the fleet's "not found" is no longer swallowed: a template that never shows is a reason to fail
        proxy.refuse("CreateFleet", form -> true, 400, "InvalidLaunchTemplateName.NotFoundException",
                "The specified launch template does not exist.", -1);
        DryRun.Plan missing = aws.dryRun(AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of()));
        assertFalse(missing.wouldLaunch());
        assertTrue(missing.verdict().contains("InvalidLaunchTemplateName.NotFoundException"), missing.verdict());
        proxy.clearRules();

        proxy.refuse("CreateFleet", form -> form.contains("DryRun=true"), 400, "InvalidSubnetID.NotFound",
                "The subnet ID 'subnet-0bad' does not exist", -1);
        DryRun.Plan badSubnet = aws.dryRun(AwsTestKit.request(test, "data", 2, "us-east-1a", Map.of()));
        assertFalse(badSubnet.wouldLaunch());
        assertTrue(badSubnet.verdict().contains("InvalidSubnetID.NotFound"), badSubnet.verdict());
        assertEquals(0, templatesOf(test), "every dry run deleted its template");
        assertEquals(List.of(), running(test), "a dry run launches nothing");
    }

    /** Ids of the instances moto runs (pending or running) tagged with {@code test}. */
    private static List<String> running(String test) {
        return raw.describeInstances(q -> q.filters(f -> f.name("tag:" + Tags.TEST).values(test),
                        f -> f.name("instance-state-name").values("pending", "running")))
                .reservations().stream().flatMap(r -> r.instances().stream())
                .map(software.amazon.awssdk.services.ec2.model.Instance::instanceId).toList();
    }

    private static long templatesOf(String test) {
        return raw.describeLaunchTemplates().launchTemplates().stream().map(LaunchTemplate::tags)
                .filter(tags -> tags.stream().anyMatch(t -> Tags.TEST.equals(t.key()) && test.equals(t.value()))).count();
    }

    /** Ends instances only moto launched (a refused spot request's), which carry no tags at all. */
    private static void terminateUntagged() {
        List<String> untagged = raw.describeInstances(q -> q.filters(f -> f.name("instance-state-name").values("pending", "running")))
                .reservations().stream().flatMap(r -> r.instances().stream()).filter(i -> i.tags().isEmpty())
                .map(software.amazon.awssdk.services.ec2.model.Instance::instanceId).toList();
        if (!untagged.isEmpty()) {
            raw.terminateInstances(q -> q.instanceIds(untagged));
        }
    }
}
