package io.spotsh.cloud.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.SpotInstanceRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Spot interruption notices as far as the EC2 API shows them: only the fallback. The two-minute warning goes to the
 * instance itself (IMDS {@code spot/instance-action}, and EventBridge); each node's interruption watcher reads it
 * there and reports it to the registry at once. Here, at most every {@link #EVERY} while spot instances run, the
 * spot requests of the described instances are read for the states that really occur, per the EC2 user guide
 * "Spot request status" and its "State changes for a Spot request" page:
 * <ul>
 *   <li>{@code marked-for-termination} (request {@code closed}), {@code marked-for-stop} (request {@code active}),
 *       {@code marked-for-hibernation}: the instance runs and goes about two minutes after the status changed;</li>
 *   <li>{@code instance-terminated-by-price}, {@code -no-capacity}, {@code -capacity-oversubscribed},
 *       {@code instance-stopped-by-price}, {@code -no-capacity}...: an instance that terminates on interruption skips
 *       the marked state; while it is still running or shutting down it goes now.</li>
 * </ul>
 * A request spotsh cancelled itself (spot-request mode) says {@code request-canceled-and-instance-running} and
 * nothing more: those instances are seen only by their nodes, or once gone by their state reason. So not only
 * {@code active} requests are read but every state a request with an instance can be in (EC2 keeps closed and
 * cancelled requests for a few hours), matched by instance id. Best effort: a failed look keeps the last answer.
 */
final class InterruptionNotices {
    static final Duration EVERY = Duration.ofSeconds(30);
    static final Duration NOTICE = Duration.ofMinutes(2);
    private static final Set<String> MARKED = Set.of("marked-for-termination", "marked-for-stop", "marked-for-hibernation");
    private static final Set<String> INTERRUPTED = Set.of("instance-terminated-by-price", "instance-terminated-no-capacity",
            "instance-terminated-capacity-oversubscribed", "instance-terminated-launch-group-constraint",
            "instance-stopped-by-price", "instance-stopped-no-capacity", "instance-stopped-capacity-oversubscribed");
    /** The request states that can carry an instance ({@code open} and {@code failed} never do). */
    private static final List<String> WITH_INSTANCE = List.of("active", "closed", "cancelled", "disabled");

    private final Ec2 ec2;
    private long nextLook = System.nanoTime();
    private Map<String, Instant> last = Map.of();

    InterruptionNotices(Ec2 ec2) {
        this.ec2 = ec2;
    }

    /** Instance id → when it will be interrupted, for the running spot instances among {@code described}. */
    synchronized Map<String, Instant> of(List<software.amazon.awssdk.services.ec2.model.Instance> described) {
        Set<String> spot = described.stream().filter(i -> i.instanceLifecycle() == InstanceLifecycleType.SPOT
                        && (i.state().name() == InstanceStateName.RUNNING || i.state().name() == InstanceStateName.PENDING
                        || i.state().name() == InstanceStateName.SHUTTING_DOWN || i.state().name() == InstanceStateName.STOPPING))
                .map(software.amazon.awssdk.services.ec2.model.Instance::instanceId).collect(Collectors.toSet());
        if (spot.isEmpty() || System.nanoTime() - nextLook < 0) {
            return last;
        }
        nextLook = System.nanoTime() + EVERY.toNanos();
        try {
            Map<String, Instant> notices = new HashMap<>();
            List<SpotInstanceRequest> requests = ec2.call("DescribeSpotInstanceRequests", c -> c
                    .describeSpotInstanceRequestsPaginator(q -> q.filters(f -> f.name("state").values(WITH_INSTANCE))
                            .maxResults(1000))
                    .spotInstanceRequests().stream().toList());
            for (SpotInstanceRequest r : requests) {
                Instant at = noticeOf(r);
                if (at != null && spot.contains(r.instanceId())) {
                    notices.put(r.instanceId(), at);
                }
            }
            last = notices;
        } catch (AwsServiceException e) {
            // keep the last answer: a notice is a hint, the instance's own state is the truth
        }
        return last;
    }

    /** When the request's status says its instance goes, else null. */
    static Instant noticeOf(SpotInstanceRequest r) {
        if (r.instanceId() == null || r.status() == null || r.status().code() == null) {
            return null;
        }
        Instant since = r.status().updateTime() == null ? Instant.now() : r.status().updateTime();
        if (MARKED.contains(r.status().code())) {
            return since.plus(NOTICE);
        }
        return INTERRUPTED.contains(r.status().code()) ? since : null;
    }
}
