package io.spotsh.cloud.aws;

import io.spotsh.cloud.DryRun;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateResponse;
import software.amazon.awssdk.services.ec2.model.ValidationError;
import software.amazon.awssdk.services.ec2.model.RequestSpotInstancesRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code --dry-run} for a launch: the same requests a launch sends, with EC2's {@code DryRun=true}, which answers
 * {@code DryRunOperation} when the call would have been accepted (permissions, image, parameters) and launches
 * nothing. The requests are shown without their userdata: it carries the registry's password.
 *
 * <p>In fleet mode EC2 has no dry run for the template the fleet names, so the dry run creates the real launch
 * template (tagged with the test, costing nothing), asks the fleet with {@code DryRun=true} over it, and deletes
 * it: the image, subnets, security groups and key are checked as a launch would send them, and
 * CreateLaunchTemplate's validation {@code Warning} (EC2 API reference, CreateLaunchTemplate) is reported as a
 * reason the launch would fail.
 */
final class AwsDryRun {
    private static final String WOULD_SUCCEED = "DryRunOperation";

    private final Ec2 ec2;
    private final SpotPrices prices;

    AwsDryRun(Ec2 ec2, SpotPrices prices) {
        this.ec2 = ec2;
        this.prices = prices;
    }

    DryRun.Plan check(LaunchPlan plan) {
        List<String> requests = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        String leftBehind = "";
        if (plan.options().spotRequests()) {
            RequestSpotInstancesRequest spot = SpotRequestLauncher.request(plan, true);
            requests.add(shown(spot, plan));
            ask("RequestSpotInstances", c -> c.requestSpotInstances(spot), refusals);
            // shown, not asked: it needs an instance, and the launch sends it for each one fulfilled
            requests.add(Imds.require("(each fulfilled instance)").toString());
        } else {
            String name = FleetRequests.templateName(plan);
            CreateLaunchTemplateRequest template = FleetRequests.template(plan, name, false);
            CreateFleetRequest fleet = FleetRequests.fleet(plan, name, true);
            requests.add(shown(template, plan));
            requests.add(fleet.toString());
            leftBehind = checkFleet(template, fleet, refusals);
        }
        double spot = prices.latest(plan.zone(), plan.primaryType());
        double hourly = plan.count() * spot;
        String verdict = (refusals.isEmpty() ? "would succeed: " + plan.label() : String.join("; ", refusals)) + leftBehind;
        // no price history is 0 from SpotPrices, never a real price; the on-demand price is OnDemandPrices' to tell
        DryRun.Asked asked = new DryRun.Asked(plan.request().role(), plan.count(),
                String.join("|", plan.options().instanceTypes()), plan.zone(), plan.request().maxPrice(),
                spot > 0 ? spot : null, null, plan.tags(), plan.image());
        return new DryRun.Plan(requests, refusals.isEmpty(), verdict, hourly, asked);
    }

    /** Creates the real template, asks the fleet in dry run over it (once EC2 shows the template), deletes it. */
    private String checkFleet(CreateLaunchTemplateRequest template, CreateFleetRequest fleet, List<String> refusals) {
        CreateLaunchTemplateResponse created;
        try {
            created = ec2.call("CreateLaunchTemplate", c -> c.createLaunchTemplate(template));
        } catch (AwsServiceException e) {
            refusals.add(Ec2.failure("CreateLaunchTemplate", e));
            return "";
        }
        String left;
        try {
            if (created.warning() != null) {
                for (ValidationError w : created.warning().errors()) {
                    refusals.add("CreateLaunchTemplate warned: " + (w.code() + ": " + w.message()).replaceAll("\\s+", " ").strip());
                }
            }
            ask("CreateFleet", c -> Ec2Retries.untilVisible(() -> c.createFleet(fleet)), refusals);
        } finally {
            left = deleteTemplate(template.launchTemplateName());
        }
        return left;
    }

    /** "" once deleted; otherwise a note (a left template costs nothing and carries the test's tags). */
    private String deleteTemplate(String name) {
        try {
            ec2.call("DeleteLaunchTemplate", c -> c.deleteLaunchTemplate(r -> r.launchTemplateName(name)));
            return "";
        } catch (AwsServiceException e) {
            return " (its launch template " + name + " was left behind: " + Ec2.failure("DeleteLaunchTemplate", e) + ")";
        }
    }

    private void ask(String action, Function<Ec2Client, ?> call, List<String> refusals) {
        try {
            ec2.call(action, call);
        } catch (AwsServiceException e) {
            if (!WOULD_SUCCEED.equals(Ec2Errors.code(e))) {
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
