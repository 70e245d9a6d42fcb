package io.spotsh.cloud.aws;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.Tags;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads instances from EC2 in spotsh's terms: by id (unknown ids left out), or every live instance carrying
 * spotsh's tag. More than {@link #BY_ID} instances this provider launched are looked up by their tests' tag
 * ({@link KnownTests}), one call per 1000 instances; the rest by id in batches of {@link #BATCH}. A spot reclaim
 * shows as the state reason {@link Instance#SPOT_TERMINATION}; an interruption notice as
 * {@link Instance#interruptAt()}.
 */
final class InstanceReader {
    static final int BATCH = 1000;
    /** EC2's limit of values in one filter. */
    static final int MAX_FILTER_VALUES = 200;
    /** Up to this many ids one call by id answers on EC2 and its look-alikes (moto pages ids by 100). */
    static final int BY_ID = 100;
    static final int SSH_PORT = 22;
    private static final List<String> LIVE_STATES = List.of("pending", "running", "shutting-down", "stopping", "stopped");

    private final Ec2 ec2;
    private final InterruptionNotices notices;
    private final KnownTests known;

    InstanceReader(Ec2 ec2, InterruptionNotices notices, KnownTests known) {
        this.ec2 = ec2;
        this.notices = notices;
        this.known = known;
    }

    List<Instance> describe(Collection<String> instanceIds) {
        Set<String> asked = new LinkedHashSet<>(instanceIds);
        Map<String, List<String>> byTest = asked.size() > BY_ID ? known.byTest(asked) : new HashMap<>();
        List<String> byId = asked.size() > BY_ID ? byTest.getOrDefault(null, List.of()) : new ArrayList<>(asked);
        byTest.remove(null);
        List<software.amazon.awssdk.services.ec2.model.Instance> found = new ArrayList<>();
        for (List<String> tests : BadIds.chunks(new ArrayList<>(byTest.keySet()), MAX_FILTER_VALUES)) {
            for (software.amazon.awssdk.services.ec2.model.Instance i : filtered(
                    Filter.builder().name("tag:" + Tags.TEST).values(tests).build())) {
                if (asked.contains(i.instanceId())) {
                    found.add(i);
                }
            }
        }
        Map<String, String> notFound = new HashMap<>();
        for (List<String> batch : BadIds.chunks(byId, BATCH)) {
            found.addAll(BadIds.around(batch, notFound, ids -> ec2.call("DescribeInstances", c -> instances(
                    c.describeInstancesPaginator(r -> r.instanceIds(ids)).reservations()))));
        }
        return convert(found);
    }

    List<Instance> tagged() {
        return convert(filtered(Filter.builder().name("tag-key").values(Tags.TEST).build(),
                Filter.builder().name("instance-state-name").values(LIVE_STATES).build()));
    }

    private List<software.amazon.awssdk.services.ec2.model.Instance> filtered(Filter... filters) {
        return ec2.call("DescribeInstances", c -> instances(
                c.describeInstancesPaginator(r -> r.maxResults(BATCH).filters(filters)).reservations()));
    }

    private List<Instance> convert(List<software.amazon.awssdk.services.ec2.model.Instance> found) {
        Map<String, Instant> interrupts = notices.of(found);
        List<Instance> out = new ArrayList<>();
        for (software.amazon.awssdk.services.ec2.model.Instance i : found) {
            out.add(toInstance(i, interrupts.get(i.instanceId())));
        }
        return out;
    }

    static Instance toInstance(software.amazon.awssdk.services.ec2.model.Instance i, Instant interruptAt) {
        Map<String, String> tags = new HashMap<>();
        for (Tag t : i.tags()) {
            tags.put(t.key(), t.value());
        }
        String reason = i.stateReason() == null || i.stateReason().code() == null || i.stateReason().code().isBlank()
                ? null : i.stateReason().code();
        return new Instance(i.instanceId(), i.placement() == null ? null : i.placement().availabilityZone(),
                i.instanceTypeAsString(), InstanceState.parse(i.state().nameAsString()), i.privateIpAddress(),
                i.publicIpAddress(), SSH_PORT, reason, interruptAt, tags, i.launchTime());
    }

    private static List<software.amazon.awssdk.services.ec2.model.Instance> instances(Iterable<Reservation> reservations) {
        List<software.amazon.awssdk.services.ec2.model.Instance> out = new ArrayList<>();
        for (Reservation r : reservations) {
            out.addAll(r.instances());
        }
        return out;
    }
}
