package io.spotsh.cloud.aws;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.CreateFleetError;
import software.amazon.awssdk.services.ec2.model.CreateFleetInstance;
import software.amazon.awssdk.services.ec2.model.CreateFleetResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Launches one role with one instant EC2 Fleet: create the launch template, create the fleet, delete the
 * template. All or nothing: when the fleet brings fewer instances than asked, the ones it brought are
 * terminated before the refusal is thrown, so a zone that says no leaves nothing behind.
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
        try {
            ec2.call("CreateLaunchTemplate", c -> c.createLaunchTemplate(FleetRequests.template(plan, template, false)));
        } catch (AwsServiceException e) {
            throw Ec2Errors.launchFailure(plan.zone(), plan.primaryType(), "CreateLaunchTemplate", e);
        }
        try {
            CreateFleetResponse response;
            try {
                response = ec2.call("CreateFleet", c -> c.createFleet(FleetRequests.fleet(plan, template, false)));
            } catch (AwsServiceException e) {
                throw Ec2Errors.launchFailure(plan.zone(), plan.primaryType(), "CreateFleet", e);
            }
            return accept(plan, response);
        } finally {
            deleteTemplate(template);
        }
    }

    /** The fleet's instances when it brought them all; otherwise they are terminated and the refusal thrown. */
    private List<Instance> accept(LaunchPlan plan, CreateFleetResponse response) {
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
        fleets.track(response.fleetId(), ids);
        if (got.size() >= plan.count()) {
            return got;
        }
        terminator.terminate(ids);
        throw refusal(plan, response.errors(), got.size());
    }

    private static RuntimeException refusal(LaunchPlan plan, List<CreateFleetError> errors, int launched) {
        String partial = launched == 0 ? "" : " (the " + launched + " launched were terminated)";
        for (CreateFleetError e : errors) {
            if (Ec2Errors.isRefusal(e.errorCode())) {
                return Ec2Errors.refused(plan.zone(), plan.primaryType(), e.errorCode(), e.errorMessage() + partial);
            }
        }
        if (!errors.isEmpty()) {
            CreateFleetError e = errors.get(0);
            return new CloudException("EC2 CreateFleet for " + plan.label() + " failed: " + e.errorCode() + ": "
                    + e.errorMessage() + partial);
        }
        return new CapacityException(plan.zone(), plan.primaryType(), "UnfulfillableCapacity", plan.zone()
                + " supplied " + launched + " of " + plan.count() + " " + plan.primaryType() + partial);
    }

    private void deleteTemplate(String name) {
        try {
            ec2.call("DeleteLaunchTemplate", c -> c.deleteLaunchTemplate(r -> r.launchTemplateName(name)));
        } catch (AwsServiceException | CloudException e) {
            // a leftover template costs nothing and is tagged with its test; the launch result matters more
        }
    }
}
