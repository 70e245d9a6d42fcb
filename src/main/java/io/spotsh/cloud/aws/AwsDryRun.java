package io.spotsh.cloud.aws;

import io.spotsh.cloud.DryRun;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.RequestSpotInstancesRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code --dry-run} for a launch: the same requests a launch sends, with EC2's {@code DryRun=true}, which answers
 * {@code DryRunOperation} when the call would have been accepted (permissions, image, parameters) and launches
 * nothing. The requests are shown without their userdata: it carries the registry's password.
 */
final class AwsDryRun {
    private static final String WOULD_SUCCEED = "DryRunOperation";
    /** The fleet names a template the dry run did not create: that alone is not a reason the launch would fail. */
    private static final Set<String> TEMPLATE_NOT_CREATED = Set.of("InvalidLaunchTemplateName.NotFoundException",
            "InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateName.NotFound");

    private final Ec2 ec2;
    private final SpotPrices prices;

    AwsDryRun(Ec2 ec2, SpotPrices prices) {
        this.ec2 = ec2;
        this.prices = prices;
    }

    DryRun.Plan check(LaunchPlan plan) {
        List<String> requests = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        if (plan.options().spotRequests()) {
            RequestSpotInstancesRequest spot = SpotRequestLauncher.request(plan, true);
            requests.add(shown(spot, plan));
            ask("RequestSpotInstances", c -> c.requestSpotInstances(spot), refusals);
            // shown, not asked: it needs an instance, and the launch sends it for each one fulfilled
            requests.add(Imds.require("(each fulfilled instance)").toString());
        } else {
            String name = FleetRequests.templateName(plan);
            CreateLaunchTemplateRequest template = FleetRequests.template(plan, name, true);
            CreateFleetRequest fleet = FleetRequests.fleet(plan, name, true);
            requests.add(shown(template, plan));
            requests.add(fleet.toString());
            ask("CreateLaunchTemplate", c -> c.createLaunchTemplate(template), refusals);
            ask("CreateFleet", c -> c.createFleet(fleet), refusals);
        }
        double hourly = plan.count() * prices.latest(plan.zone(), plan.primaryType());
        String verdict = refusals.isEmpty() ? "would succeed: " + plan.label() : String.join("; ", refusals);
        return new DryRun.Plan(requests, refusals.isEmpty(), verdict, hourly);
    }

    private void ask(String action, Function<Ec2Client, ?> call, List<String> refusals) {
        try {
            ec2.call(action, call);
        } catch (AwsServiceException e) {
            String code = Ec2Errors.code(e);
            if (!WOULD_SUCCEED.equals(code) && !TEMPLATE_NOT_CREATED.contains(code)) {
                refusals.add(Ec2.failure(action, e));
            }
        }
    }

    private static String shown(CreateLaunchTemplateRequest r, LaunchPlan plan) {
        return r.toBuilder().launchTemplateData(r.launchTemplateData().toBuilder().userData(hidden(plan)).build())
                .build().toString();
    }

    private static String shown(RequestSpotInstancesRequest r, LaunchPlan plan) {
        return r.toBuilder().launchSpecification(r.launchSpecification().toBuilder().userData(hidden(plan)).build())
                .build().toString();
    }

    private static String hidden(LaunchPlan plan) {
        String text = plan.request().userData();
        return "(" + (text == null ? 0 : text.length()) + " characters of userdata, not shown)";
    }
}
