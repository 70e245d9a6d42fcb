package io.spotsh.cloud;

import java.util.Collection;
import java.util.List;

/**
 * A cloud spotsh launches spot instances on: the handful of verbs every cloud really has, in spotsh's own
 * types, so the workflow never asks which cloud it is on.
 *
 * <pre>{@code
 * try (Provider cloud = Providers.open("local", stateDir)) {
 *     List<Instance> data = cloud.launch(new LaunchRequest("t1", "data", 6, "local-a", "m1.xlarge",
 *             null, userData, Tags.of("t1", "data", owner, expires), Map.of()));
 *     cloud.terminate(data.stream().map(Instance::id).toList());
 * }
 * }</pre>
 */
public interface Provider extends AutoCloseable {
    /** The name users type: {@code local}, {@code aws}. */
    String name();

    /**
     * Requests {@code count} instances of one role in one zone, all or nothing (like a launch group):
     * either every instance is returned or a {@link CapacityException} names the zone and why.
     */
    List<Instance> launch(LaunchRequest request);

    /** The current state of the given instances, in batches as the cloud allows; unknown ids are left out. */
    List<Instance> describe(Collection<String> instanceIds);

    /** Asks for termination; a bad id does not stop the others. Callers verify with {@link #describe}. */
    TerminateResult terminate(Collection<String> instanceIds);

    /** Every instance carrying spotsh's tags that is not yet terminated, whoever launched it. */
    List<Instance> tagged();

    /** Availability zones and their current spot price for an instance type, cheapest first. */
    List<Zone> zones(String instanceType);

    /**
     * The names this provider accepts in {@link LaunchRequest#options()}, in the order to list them; an empty list
     * when it takes none. {@code cluster.launch} also accepts each as a named argument of its own (the local
     * cloud's {@code dudRate: 0.05}) and refuses any other name, listing these.
     */
    default List<String> launchOptions() {
        return List.of();
    }

    /**
     * The region this provider works in: what a test records, so {@code reap} can look there again later. A
     * cloud without regions has just one, named after the provider.
     */
    default String region() {
        return name();
    }

    /**
     * This cloud, with the same settings, in another region: itself when {@code region} is its own (or null).
     * A provider it opens is the caller's to close. A cloud with one region refuses any other.
     */
    default Provider inRegion(String region) {
        if (region == null || region.equals(region())) {
            return this;
        }
        throw new CloudException(name() + " has one region, " + region() + "; it cannot work in " + region);
    }

    /**
     * Whether its instances run on this machine (the local cloud): then the programs a test type's nodes run
     * must be installed here, and spotsh checks them before launching.
     */
    default boolean runsHere() {
        return false;
    }

    @Override
    default void close() {
    }
}
