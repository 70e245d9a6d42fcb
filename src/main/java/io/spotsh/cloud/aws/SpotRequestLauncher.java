package io.spotsh.cloud.aws;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.Instance;
import io.spotsh.common.BadInput;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsInstanceBlockDevice;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.RequestSpotInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RequestSpotLaunchSpecification;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SpotInstanceRequest;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The classic way to launch spot capacity ({@code launchMode: 'spot-request'}): {@code RequestSpotInstances} with
 * {@code <test>-<role>} as {@code LaunchGroup} (a role's instances are launched and reclaimed together; one reclaim
 * does not end the other roles) and the test as {@code AvailabilityZoneGroup} (all roles in one zone), then
 * polling the requests until every one is fulfilled, refused, or the deadline passes, then cancelling them. Only
 * the requests can be tagged at creation in this mode, and a spot request has no metadata options, so the instances
 * are switched to IMDSv2 only ({@link Imds}) and they and their volumes tagged the moment they exist, before anything
 * of spotsh's runs on them; a refusal, a timeout, a failed switch or a failed tagging terminates whatever was
 * fulfilled. A request whose ValidUntil passed unfulfilled ({@code schedule-expired}, then cancelled: "Spot
 * request status codes") is a capacity refusal of the zone. Instances are asked about, tagged and terminated
 * with "not found" tried again for a while (EC2 user guide, "Eventual consistency"), and what could not be
 * terminated is named by id in the error.
 */
final class SpotRequestLauncher {
    private static final Duration MAX_PAUSE = Duration.ofSeconds(5);

    private final Ec2 ec2;
    private final Terminator terminator;

    SpotRequestLauncher(Ec2 ec2, Terminator terminator) {
        this.ec2 = ec2;
        this.terminator = terminator;
    }

    static RequestSpotInstancesRequest request(LaunchPlan plan, boolean dryRun) {
        LaunchOptions o = plan.options();
        RequestSpotLaunchSpecification.Builder spec = RequestSpotLaunchSpecification.builder()
                .imageId(plan.image())
                .instanceType(plan.primaryType())
                .userData(plan.userDataBase64())
                .placement(p -> p.availabilityZone(plan.zone()))
                .blockDeviceMappings(InstanceStores.mappings(plan.primaryDisks(), (device, virtual) ->
                        BlockDeviceMapping.builder().deviceName(device).virtualName(virtual).build()));
        if (!plan.subnets().isEmpty()) {
            spec.subnetId(plan.subnets().get(0));
        }
        if (o.keyName() != null) {
            spec.keyName(o.keyName());
        }
        if (!o.securityGroupIds().isEmpty()) {
            spec.securityGroupIds(o.securityGroupIds());
        }
        if (o.iamInstanceProfile() != null) {
            boolean arn = o.iamInstanceProfile().startsWith("arn:");
            spec.iamInstanceProfile(p -> p.arn(arn ? o.iamInstanceProfile() : null).name(arn ? null : o.iamInstanceProfile()));
        }
        return RequestSpotInstancesRequest.builder()
                .instanceCount(plan.count())
                .type(SpotInstanceType.ONE_TIME)
                .clientToken(UUID.randomUUID().toString()) // a retried request must not launch twice
                .launchGroup(launchGroup(plan))
                .availabilityZoneGroup(plan.request().test())
                .spotPrice(plan.maxPrice())
                .validUntil(Instant.now().plus(o.spotRequestTimeout()))
                .launchSpecification(spec.build())
                .tagSpecifications(plan.tagSpecification(ResourceType.SPOT_INSTANCES_REQUEST))
                .dryRun(dryRun)
                .build();
    }

    /** One launch group per role: EC2 launches and reclaims a launch group's instances together. */
    static String launchGroup(LaunchPlan plan) {
        return plan.request().test() + "-" + plan.request().role();
    }

    List<Instance> launch(LaunchPlan plan) {
        List<String> requestIds;
        try {
            requestIds = ec2.call("RequestSpotInstances", c -> c.requestSpotInstances(request(plan, false)))
                    .spotInstanceRequests().stream().map(SpotInstanceRequest::spotInstanceRequestId).toList();
        } catch (AwsServiceException e) {
            throw Ec2Errors.launchFailure(plan.zone(), plan.primaryType(), "RequestSpotInstances", e);
        }
        Set<String> instanceIds = new LinkedHashSet<>();
        try {
            awaitFulfilled(plan, requestIds, instanceIds);
            requireImdsV2(plan, instanceIds);
            cancel(requestIds);
            return tag(plan, new ArrayList<>(instanceIds));
        } catch (RuntimeException e) {
            cancel(requestIds);
            tagQuietly(plan, instanceIds);
            throw withCleanUp(plan, e, terminator.cleanUp(instanceIds));
        }
    }

    /** Tags what is about to be terminated, so that should termination fail, reap still finds it by tag. */
    private void tagQuietly(LaunchPlan plan, Set<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return;
        }
        try {
            List<String> ids = List.copyOf(instanceIds);
            Ec2Retries.untilVisible(() -> ec2.call("CreateTags", c -> c.createTags(r -> r.resources(ids).tags(plan.sdkTags()))));
        } catch (AwsServiceException | CloudException e) {
            // termination comes next and its outcome is reported; the tags are only a second net
        }
    }

    /** The launch's error with what became of the fulfilled instances added to its message. */
    private static RuntimeException withCleanUp(LaunchPlan plan, RuntimeException e, String cleanedUp) {
        if (cleanedUp.isEmpty()) {
            return e instanceof AwsServiceException s ? new CloudException("EC2 " + Ec2.failure("spot launch of "
                    + plan.label(), s), s) : e;
        }
        if (e instanceof CapacityException c) {
            CapacityException out = new CapacityException(c.zone(), c.instanceType(), c.code(), c.getMessage() + cleanedUp);
            out.initCause(c);
            return out;
        }
        if (e instanceof BadInput) {
            return new BadInput(e.getMessage() + cleanedUp, e);
        }
        String what = e instanceof AwsServiceException s ? "EC2 " + Ec2.failure("spot launch of " + plan.label(), s)
                : e.getMessage();
        return new CloudException(what + cleanedUp, e);
    }

    /** Polls until all requests have instances; a refusal status or the deadline throws. */
    private void awaitFulfilled(LaunchPlan plan, List<String> requestIds, Set<String> instanceIds) {
        Instant deadline = Instant.now().plus(plan.options().spotRequestTimeout());
        long pause = 500;
        String waitingOn = "pending-evaluation";
        while (true) {
            int fulfilled = 0;
            for (SpotInstanceRequest r : poll(plan, requestIds)) {
                String status = r.status() == null ? null : r.status().code();
                if (r.instanceId() != null && instanceIds.add(r.instanceId())) {
                    terminator.launched(List.of(r.instanceId()));
                }
                if (Ec2Errors.isRefusal(status)) {
                    throw Ec2Errors.refused(plan.zone(), plan.primaryType(), status, "spot request "
                            + r.spotInstanceRequestId() + ": " + r.status().message());
                }
                if (r.instanceId() != null && "active".equals(r.stateAsString())) {
                    fulfilled++;
                } else if ("bad-parameters".equals(status)) {
                    throw new BadInput("spot request " + r.spotInstanceRequestId() + " for " + plan.label()
                            + " has bad parameters: " + r.status().message());
                } else if (Set.of("failed", "cancelled", "closed").contains(r.stateAsString())) {
                    throw new CloudException("spot request " + r.spotInstanceRequestId() + " for " + plan.label()
                            + " is " + r.stateAsString() + " (" + status + ")");
                } else if (status != null) {
                    waitingOn = status;
                }
            }
            if (fulfilled == requestIds.size()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CapacityException(plan.zone(), plan.primaryType(), waitingOn, plan.zone() + " fulfilled "
                        + fulfilled + " of " + requestIds.size() + " spot requests for " + plan.primaryType() + " within "
                        + plan.options().spotRequestTimeout().toSeconds() + " s (last status " + waitingOn + ")");
            }
            sleep(pause);
            pause = Math.min(pause * 2, MAX_PAUSE.toMillis());
        }
    }

    private List<SpotInstanceRequest> poll(LaunchPlan plan, List<String> requestIds) {
        try {
            return ec2.call("DescribeSpotInstanceRequests",
                    c -> c.describeSpotInstanceRequests(r -> r.spotInstanceRequestIds(requestIds))).spotInstanceRequests();
        } catch (AwsServiceException e) {
            if ("InvalidSpotInstanceRequestID.NotFound".equals(Ec2Errors.code(e))) {
                return List.of(); // just created: EC2 is eventually consistent
            }
            throw Ec2Errors.launchFailure(plan.zone(), plan.primaryType(), "DescribeSpotInstanceRequests", e);
        }
    }

    /** One call an instance (EC2 takes one id a call); a node left on IMDSv1 is not handed out. */
    private void requireImdsV2(LaunchPlan plan, Set<String> instanceIds) {
        for (String id : instanceIds) {
            try {
                Ec2Retries.untilVisible(() -> ec2.call("ModifyInstanceMetadataOptions",
                        c -> c.modifyInstanceMetadataOptions(Imds.require(id))));
            } catch (AwsServiceException e) {
                throw new CloudException("could not require IMDSv2 on " + id + " (" + plan.label() + "): "
                        + Ec2.failure("ModifyInstanceMetadataOptions", e), e);
            }
        }
    }

    /** Tags the fulfilled instances and their volumes (500 resources a call) and returns them as described. */
    private List<Instance> tag(LaunchPlan plan, List<String> instanceIds) {
        List<String> resources = new ArrayList<>(instanceIds);
        List<software.amazon.awssdk.services.ec2.model.Instance> described = new ArrayList<>();
        Ec2Retries.untilVisible(() -> ec2.call("DescribeInstances", c -> c.describeInstances(r -> r.instanceIds(instanceIds))))
                .reservations().forEach(res -> described.addAll(res.instances()));
        for (software.amazon.awssdk.services.ec2.model.Instance i : described) {
            for (InstanceBlockDeviceMapping m : i.blockDeviceMappings()) {
                EbsInstanceBlockDevice ebs = m.ebs();
                if (ebs != null && ebs.volumeId() != null) {
                    resources.add(ebs.volumeId());
                }
            }
        }
        for (List<String> chunk : BadIds.chunks(resources, Terminator.BATCH)) {
            Ec2Retries.untilVisible(() -> ec2.call("CreateTags", c -> c.createTags(r -> r.resources(chunk).tags(plan.sdkTags()))));
        }
        return described.stream().map(i -> withTags(InstanceReader.toInstance(i, null), plan)).toList();
    }

    private static Instance withTags(Instance i, LaunchPlan plan) {
        Map<String, String> tags = new HashMap<>(i.tags());
        tags.putAll(plan.tags());
        return new Instance(i.id(), i.zone(), i.instanceType(), i.state(), i.privateIp(), i.publicIp(), i.sshPort(),
                i.stateReason(), i.interruptAt(), tags, i.launchedAt());
    }

    private void cancel(List<String> requestIds) {
        try {
            ec2.call("CancelSpotInstanceRequests", c -> c.cancelSpotInstanceRequests(r -> r.spotInstanceRequestIds(requestIds)));
        } catch (AwsServiceException | CloudException e) {
            // one-time requests close by themselves once fulfilled or expired (ValidUntil); nothing is left open for long
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudException("interrupted while waiting for spot requests", e);
        }
    }
}
