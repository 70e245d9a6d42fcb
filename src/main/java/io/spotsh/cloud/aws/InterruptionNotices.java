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

/**
 * Spot interruption notices as the EC2 API shows them: the instance's spot request turns
 * {@code marked-for-termination} (or -stop, -hibernation) about two minutes before the instance goes. Asked at
 * most every {@link #EVERY} while spot instances run, so a 10-second watch loop does not double the call count;
 * best effort: a failed look keeps the last answer.
 */
final class InterruptionNotices {
    static final Duration EVERY = Duration.ofSeconds(30);
    static final Duration NOTICE = Duration.ofMinutes(2);
    private static final Set<String> MARKED = Set.of("marked-for-termination", "marked-for-stop", "marked-for-hibernation");

    private final Ec2 ec2;
    private long nextLook = System.nanoTime();
    private Map<String, Instant> last = Map.of();

    InterruptionNotices(Ec2 ec2) {
        this.ec2 = ec2;
    }

    /** Instance id → when it will be interrupted, for the spot instances among {@code described}. */
    synchronized Map<String, Instant> of(List<software.amazon.awssdk.services.ec2.model.Instance> described) {
        boolean spotRunning = described.stream().anyMatch(i -> i.instanceLifecycle() == InstanceLifecycleType.SPOT
                && (i.state().name() == InstanceStateName.RUNNING || i.state().name() == InstanceStateName.PENDING));
        if (!spotRunning || System.nanoTime() - nextLook < 0) {
            return last;
        }
        nextLook = System.nanoTime() + EVERY.toNanos();
        try {
            Map<String, Instant> notices = new HashMap<>();
            List<SpotInstanceRequest> active = ec2.call("DescribeSpotInstanceRequests", c -> c
                    .describeSpotInstanceRequestsPaginator(q -> q.filters(f -> f.name("state").values("active")).maxResults(1000))
                    .spotInstanceRequests().stream().toList());
            for (SpotInstanceRequest r : active) {
                if (r.instanceId() != null && r.status() != null && MARKED.contains(r.status().code())) {
                    Instant since = r.status().updateTime() == null ? Instant.now() : r.status().updateTime();
                    notices.put(r.instanceId(), since.plus(NOTICE));
                }
            }
            last = notices;
        } catch (AwsServiceException e) {
            // keep the last answer: a notice is a hint, the instance's own state is the truth
        }
        return last;
    }
}
