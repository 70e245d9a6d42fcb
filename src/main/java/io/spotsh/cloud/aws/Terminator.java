package io.spotsh.cloud.aws;

import io.spotsh.cloud.TerminateResult;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.DeleteFleetSuccessItem;
import software.amazon.awssdk.services.ec2.model.DeleteFleetsResponse;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends instances in as few calls as EC2 allows: whole instant fleets with DeleteFleets (which also cancels
 * their spot requests), the rest with TerminateInstances in batches of {@link #BATCH}. A bad id does not stop
 * the others ({@link BadIds}); callers verify with describe. An instance this provider launched a moment ago
 * may be unknown to TerminateInstances for a while (EC2 user guide, "Eventual consistency"): its "not found" is
 * asked again with {@link Ec2Retries.Backoff} before it is reported, never taken to mean it is gone.
 */
final class Terminator {
    static final int BATCH = 500;
    /** How long after its launch an instance's "not found" is taken for EC2 not showing it yet. */
    static final Duration JUST_LAUNCHED = Duration.ofMinutes(10);

    private final Ec2 ec2;
    private final Fleets fleets;
    private final Map<String, Instant> launchedAt = new ConcurrentHashMap<>();

    Terminator(Ec2 ec2, Fleets fleets) {
        this.ec2 = ec2;
        this.fleets = fleets;
    }

    /** Remembers instances as just launched, as soon as their ids are known. */
    void launched(Collection<String> instanceIds) {
        Instant now = Instant.now();
        launchedAt.values().removeIf(t -> t.isBefore(now.minus(JUST_LAUNCHED)));
        for (String id : instanceIds) {
            launchedAt.put(id, now);
        }
    }

    TerminateResult terminate(Collection<String> instanceIds) {
        Set<String> rest = new LinkedHashSet<>(instanceIds);
        List<String> accepted = new ArrayList<>(deleteWholeFleets(rest));
        rest.removeAll(accepted);
        Map<String, String> failed = new LinkedHashMap<>();
        for (List<String> batch : BadIds.chunks(new ArrayList<>(rest), BATCH)) {
            accepted.addAll(BadIds.around(batch, failed, this::terminateInstances));
        }
        Ec2Retries.Backoff backoff = new Ec2Retries.Backoff();
        for (List<String> unseen = notYetVisible(failed); !unseen.isEmpty() && backoff.pause(); unseen = notYetVisible(failed)) {
            unseen.forEach(failed::remove);
            accepted.addAll(BadIds.around(unseen, failed, this::terminateInstances));
        }
        fleets.terminated(accepted);
        accepted.forEach(launchedAt::remove);
        return new TerminateResult(accepted, failed);
    }

    private List<String> terminateInstances(List<String> ids) {
        return ec2.call("TerminateInstances", c -> c.terminateInstances(r -> r.instanceIds(ids))).terminatingInstances()
                .stream().map(InstanceStateChange::instanceId).toList();
    }

    /** Refused ids EC2 said it does not know, of instances launched a moment ago. */
    private List<String> notYetVisible(Map<String, String> failed) {
        Instant recent = Instant.now().minus(JUST_LAUNCHED);
        return failed.entrySet().stream().filter(f -> f.getValue().startsWith("InvalidInstanceID.NotFound")
                        && launchedAt.getOrDefault(f.getKey(), Instant.MIN).isAfter(recent))
                .map(Map.Entry::getKey).toList();
    }

    /**
     * Terminates what a failed launch brought and says how it went, for the launch's error message: a clause
     * naming what was terminated, and by id anything EC2 would not terminate, so nothing is left untracked.
     */
    String cleanUp(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return "";
        }
        TerminateResult r;
        try {
            r = terminate(instanceIds);
        } catch (RuntimeException e) {
            return " (the " + instanceIds.size() + " launched could not be terminated, still running, tagged with the test"
                    + " for spotsh reap: "
                    + String.join(" ", instanceIds) + ": " + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip() + ")";
        }
        if (r.failed().isEmpty()) {
            return " (the " + instanceIds.size() + " launched were terminated)";
        }
        return " (" + r.accepted().size() + " of the " + instanceIds.size() + " launched were terminated; still running,"
                + " tagged with the test for spotsh reap: " + String.join(", ", r.failed().entrySet().stream()
                .map(f -> f.getKey() + " " + f.getValue()).toList()) + ")";
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
