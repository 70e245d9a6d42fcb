package io.spotsh.cloud.aws;

import io.spotsh.cloud.TerminateResult;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.DeleteFleetSuccessItem;
import software.amazon.awssdk.services.ec2.model.DeleteFleetsResponse;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ends instances in as few calls as EC2 allows: whole instant fleets with DeleteFleets (which also cancels
 * their spot requests), the rest with TerminateInstances in batches of {@link #BATCH}. A bad id does not stop
 * the others ({@link BadIds}); callers verify with describe.
 */
final class Terminator {
    static final int BATCH = 500;

    private final Ec2 ec2;
    private final Fleets fleets;

    Terminator(Ec2 ec2, Fleets fleets) {
        this.ec2 = ec2;
        this.fleets = fleets;
    }

    TerminateResult terminate(Collection<String> instanceIds) {
        Set<String> rest = new LinkedHashSet<>(instanceIds);
        List<String> accepted = new ArrayList<>(deleteWholeFleets(rest));
        rest.removeAll(accepted);
        Map<String, String> failed = new LinkedHashMap<>();
        for (List<String> batch : BadIds.chunks(new ArrayList<>(rest), BATCH)) {
            accepted.addAll(BadIds.around(batch, failed, ids -> ec2.call("TerminateInstances",
                    c -> c.terminateInstances(r -> r.instanceIds(ids))).terminatingInstances().stream()
                    .map(InstanceStateChange::instanceId).toList()));
        }
        fleets.terminated(accepted);
        return new TerminateResult(accepted, failed);
    }

    /** Deletes the fleets all of whose instances are asked for; returns the instances that ends. */
    private List<String> deleteWholeFleets(Set<String> ids) {
        List<String> ended = new ArrayList<>();
        for (List<String> fleetIds : fleets.deletableWithin(ids)) {
            DeleteFleetsResponse response;
            try {
                response = ec2.call("DeleteFleets", c -> c.deleteFleets(r -> r.fleetIds(fleetIds).terminateInstances(true)));
            } catch (AwsServiceException e) {
                continue; // TerminateInstances ends them below; the fleets hold nothing that costs money
            }
            for (DeleteFleetSuccessItem ok : response.successfulFleetDeletions()) {
                for (String id : fleets.deleted(ok.fleetId())) {
                    if (ids.contains(id)) {
                        ended.add(id);
                    }
                }
            }
        }
        return ended;
    }
}
