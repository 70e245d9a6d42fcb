package io.spotsh.cloud.aws;

import io.spotsh.cloud.DryRun;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Zone;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spot prices for choosing zones and for {@code cluster.cost()}, and {@code --dry-run} launches that launch nothing. */
class AwsPricingTest extends OnMoto {

    @Test
    void zonesComeCheapestFirstByTheirLatestPrice() {
        Rewrites rewrites = new Rewrites();
        Instant now = Instant.now();
        rewrites.prices = List.of(
                Rewrites.price("us-east-1a", AwsTestKit.TYPE, "0.120", now.minus(Duration.ofHours(3))),
                Rewrites.price("us-east-1a", AwsTestKit.TYPE, "0.070", now.minus(Duration.ofMinutes(5))),
                Rewrites.price("us-east-1b", AwsTestKit.TYPE, "0.090", now.minus(Duration.ofHours(1))),
                Rewrites.price("us-east-1c", AwsTestKit.TYPE, "0.065", now.minus(Duration.ofHours(2))));
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), stateDir, rewrites)) {
            List<Zone> zones = aws.zones(AwsTestKit.TYPE);
            assertEquals(List.of("us-east-1c", "us-east-1a", "us-east-1b"), zones.stream().map(Zone::name).toList());
            assertEquals(0.070, zones.get(1).spotPrice(), 1e-9);
        }
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), stateDir)) {
            assertFalse(aws.zones(AwsTestKit.TYPE).isEmpty(), "moto's own price history");
        }
    }

    @Test
    void costIsEachPriceStepTimesTheTimeItWasInEffect() {
        Rewrites rewrites = new Rewrites();
        Instant start = Instant.parse("2026-01-02T04:00:00Z");
        rewrites.prices = List.of(
                Rewrites.price("us-east-1b", AwsTestKit.TYPE, "0.100", start.minus(Duration.ofHours(5))),
                Rewrites.price("us-east-1b", AwsTestKit.TYPE, "0.200", start.plus(Duration.ofHours(1))),
                Rewrites.price("us-east-1a", AwsTestKit.TYPE, "9.999", start)); // another zone: not counted
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), stateDir, rewrites)) {
            // one hour at 0.10, then thirty minutes at 0.20
            assertEquals(0.2, aws.cost("us-east-1b", AwsTestKit.TYPE, start, start.plus(Duration.ofMinutes(90))), 1e-9);
            assertEquals(0, aws.cost("us-east-1b", AwsTestKit.TYPE, start, start), 1e-9);
        }
    }

    @Test
    void aDryRunShowsTheRequestsAndTheHourlyCostAndLaunchesNothing() {
        Rewrites rewrites = new Rewrites();
        rewrites.prices = List.of(Rewrites.price("us-east-1a", AwsTestKit.TYPE, "0.050", Instant.now()));
        CallLog calls = new CallLog();
        String secret = "postgresql://node:s3cret@10.0.0.1/spotsh";
        LaunchRequest base = AwsTestKit.request(AwsTestKit.unique("dry"), "data", 40, "us-east-1a", Map.of("keyName", "perf"));
        LaunchRequest request = new LaunchRequest(base.test(), base.role(), base.count(), base.zone(), base.instanceType(),
                0.08, base.userData() + "SPOTSH_REGISTRY_URL='" + secret + "'\n", base.tags(), base.options());
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), stateDir, calls, rewrites)) {
            DryRun.Plan plan = aws.dryRun(request);
            assertTrue(plan.wouldLaunch(), plan.verdict());
            assertEquals(2.0, plan.hourlyUsd(), 1e-9, "40 × $0.05");
            assertEquals(new DryRun.Asked("data", 40, AwsTestKit.TYPE, "us-east-1a", 0.08, 0.05, null,
                    plan.asked().tags(), AwsTestKit.ami(raw)), plan.asked(), "what the table shows");
            assertEquals(request.test(), plan.asked().tags().get(io.spotsh.cloud.Tags.TEST));
            assertEquals("data", plan.asked().tags().get(io.spotsh.cloud.Tags.ROLE));
            assertEquals(2, plan.requests().size());
            assertTrue(plan.requests().get(0).startsWith("CreateLaunchTemplateRequest"), plan.requests().get(0));
            assertTrue(plan.requests().get(0).contains("KeyName=perf"), plan.requests().get(0));
            assertTrue(plan.requests().get(0).contains("HttpTokens=required, HttpPutResponseHopLimit=1"), plan.requests().get(0));
            assertEquals("required", calls.requests(CreateLaunchTemplateRequest.class).get(0).launchTemplateData()
                    .metadataOptions().httpTokensAsString(), "the dry run sends what the launch sends");
            assertTrue(plan.requests().get(1).contains("MinTargetCapacity=40"), plan.requests().get(1));
            assertTrue(plan.requests().get(1).contains("MaxPrice=0.08"), plan.requests().get(1));
            assertTrue(plan.requests().stream().noneMatch(r -> r.contains("s3cret") || r.contains(request.userData().substring(0, 8))),
                    "userdata carries the registry password: never shown");
            // the real template, the fleet in dry run over it, the template deleted
            assertEquals(List.of("CreateLaunchTemplate", "CreateFleet", "DeleteLaunchTemplate", "DescribeSpotPriceHistory"),
                    calls.calls());
        }
        assertTrue(raw.describeInstances().reservations().isEmpty(), "nothing launched");
        assertTrue(raw.describeLaunchTemplates().launchTemplates().isEmpty(), "no template left behind");
    }

    @Test
    void aSpotRequestDryRunShowsTheSwitchToImdsV2ThatFollowsEachInstance() {
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), stateDir)) {
            DryRun.Plan plan = aws.dryRun(AwsTestKit.request(AwsTestKit.unique("dry"), "data", 2, "us-east-1a",
                    Map.of("launchMode", "spot-request")));
            assertTrue(plan.wouldLaunch(), plan.verdict());
            assertEquals(2, plan.requests().size(), plan.requests().toString());
            assertTrue(plan.requests().get(0).startsWith("RequestSpotInstancesRequest"), plan.requests().get(0));
            assertTrue(plan.requests().get(1).startsWith("ModifyInstanceMetadataOptionsRequest")
                    && plan.requests().get(1).contains("HttpTokens=required, HttpPutResponseHopLimit=1"), plan.requests().get(1));
        }
        assertTrue(raw.describeInstances().reservations().isEmpty(), "nothing launched");
    }

    @Test
    void aDryRunReportsWhatEc2WouldRefuse() {
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint()).refuse("CreateFleet", form -> form.contains("DryRun=true"), 403,
                "UnauthorizedOperation", "You are not authorized to perform this operation.", -1);
             AwsProvider aws = AwsTestKit.provider(proxy.endpoint(), stateDir)) {
            DryRun.Plan plan = aws.dryRun(AwsTestKit.request(AwsTestKit.unique("dry"), "data", 2, "us-east-1a",
                    Map.of("launchMode", "fleet")));
            assertFalse(plan.wouldLaunch());
            assertTrue(plan.verdict().startsWith("CreateFleet failed: UnauthorizedOperation"), plan.verdict());
        }
    }
}
