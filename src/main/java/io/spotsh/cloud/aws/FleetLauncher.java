package io.spotsh.cloud.aws;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.CreateFleetError;
import software.amazon.awssdk.services.ec2.model.CreateFleetInstance;
import software.amazon.awssdk.services.ec2.model.CreateFleetResponse;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Launches one role with one instant EC2 Fleet: create the launch template, create the fleet, delete the
 * template. All or nothing: when the fleet brings fewer instances than asked, the ones it brought are
 * terminated before the refusal is thrown, so a zone that says no leaves nothing behind.
 *
 * <p>An instant fleet reports most refusals in its {@code Errors} with HTTP 200 (EC2 API reference, CreateFleet):
 * each is read by {@link Ec2Errors}. Throttling there ({@code RequestLimitExceeded}), and a template CreateFleet
 * does not see yet right after CreateLaunchTemplate (EC2 user guide, "Eventual consistency"), are tried again with
 * {@link Ec2Retries.Backoff}; capacity and the like end the launch in this zone.
 */
final class FleetLauncher {
    private final Ec2 ec2;
    private final Fleets fleets;
    private final Terminator terminator;
    private final Subnets subnets;

    FleetLauncher(Ec2 ec2, Fleets fleets, Terminator terminator, Subnets subnets) {
        this.ec2 = ec2;
        this.fleets = fleets;
        this.terminator = terminator;
        this.subnets = subnets;
    }

    List<Instance> launch(LaunchPlan plan) {
        String template = FleetRequests.templateName(plan);
        CreateLaunchTemplateResponse created;
        try {
            created = ec2.call("CreateLaunchTemplate", c -> c.createLaunchTemplate(FleetRequests.template(plan, template, false)));
        } catch (AwsServiceException e) {
            throw Ec2Errors.launchFailure(plan.zone(), plan.primaryType(), "CreateLaunchTemplate", e);
        }
        try {
            return fleet(plan, template, warnings(created));
        } finally {
            deleteTemplate(template);
        }
    }

    private List<Instance> fleet(LaunchPlan plan, String template, String warned) {
        Ec2Retries.Backoff backoff = new Ec2Retries.Backoff();
        while (true) {
            CreateFleetResponse response;
            try {
                response = ec2.call("CreateFleet", c -> c.createFleet(FleetRequests.fleet(plan, template, false)));
            } catch (AwsServiceException e) {
                if (Ec2Errors.kind(e) == Ec2Errors.Kind.AGAIN && backoff.pause()) {
                    continue;
                }
                throw failure(plan, Ec2Errors.code(e), Ec2Errors.message(e) + warned, e, backoff);
            }
            List<Instance> got = instances(plan, response);
            if (got.size() >= plan.count()) {
                return got;
            }
            String cleanedUp = terminator.cleanUp(got.stream().map(Instance::id).toList());
            CreateFleetError reason = reason(response.errors());
            if (reason == null) {
                throw new CapacityException(plan.zone(), plan.primaryType(), "UnfulfillableCapacity", plan.zone()
                        + " supplied " + got.size() + " of " + plan.count() + " " + plan.primaryType() + cleanedUp);
            }
            if (Ec2Errors.kind(reason.errorCode(), reason.errorMessage()) == Ec2Errors.Kind.AGAIN && cleanedUp.isEmpty()
                    && backoff.pause()) {
                continue;
            }
            throw failure(plan, reason.errorCode(), reason.errorMessage() + cleanedUp + warned, null, backoff);
        }
    }

    /** The fleet's instances, tracked and remembered as just launched. */
    private List<Instance> instances(LaunchPlan plan, CreateFleetResponse response) {
        List<Instance> got = new ArrayList<>();
        Instant now = Instant.now();
        for (CreateFleetInstance fi : response.instances()) {
            String zone = fi.availabilityZone() != null ? fi.availabilityZone()
                    : fi.subnetId() != null && subnets.zoneOf(fi.subnetId()) != null ? subnets.zoneOf(fi.subnetId()) : plan.zone();
            for (String id : fi.instanceIds()) {
                got.add(new Instance(id, zone, fi.instanceTypeAsString(), InstanceState.PENDING, null, null,
                        InstanceReader.SSH_PORT, null, null, plan.tags(), now));
            }
        }
        List<String> ids = got.stream().map(Instance::id).toList();
        terminator.launched(ids);
        if (response.fleetId() != null) {
            fleets.track(response.fleetId(), ids);
        }
        return got;
    }

    /** The error that says most: a zone refusal before anything else, else the first. */
    private static CreateFleetError reason(List<CreateFleetError> errors) {
        for (CreateFleetError e : errors) {
            if (Ec2Errors.kind(e.errorCode(), e.errorMessage()) == Ec2Errors.Kind.ZONE) {
                return e;
            }
        }
        return errors.isEmpty() ? null : errors.get(0);
    }

    private static RuntimeException failure(LaunchPlan plan, String code, String message, AwsServiceException e,
                                            Ec2Retries.Backoff backoff) {
        String tried = Ec2Errors.kind(code, message) == Ec2Errors.Kind.AGAIN
                ? " (still so after " + backoff.attempts() + " attempts)" : "";
        return Ec2Errors.launchFailure(plan.zone(), plan.primaryType(), "CreateFleet for " + plan.request().test() + "/"
                + plan.request().role(), code,
                message + tried, e);
    }

    /** CreateLaunchTemplate's validation warnings (EC2 API reference, CreateLaunchTemplate, Warning), for messages. */
    static String warnings(CreateLaunchTemplateResponse created) {
        if (created.warning() == null || created.warning().errors().isEmpty()) {
            return "";
        }
        return " (CreateLaunchTemplate warned: " + String.join("; ", created.warning().errors().stream()
                .map(w -> w.code() + ": " + w.message()).toList()) + ")";
    }

    private void deleteTemplate(String name) {
        try {
            ec2.call("DeleteLaunchTemplate", c -> c.deleteLaunchTemplate(r -> r.launchTemplateName(name)));
        } catch (AwsServiceException | CloudException e) {
            // a leftover template costs nothing and is tagged with its test; the launch result matters more
        }
    }
}
