/**
 * Clouds spotsh launches spot instances on, behind the handful of verbs every cloud has
 * ({@link io.spotsh.cloud.Provider}: zones and prices, launch, describe, terminate, list by tag) in spotsh's own
 * types ({@link io.spotsh.cloud.Instance}, {@link io.spotsh.cloud.LaunchRequest}), so the workflow never asks which
 * cloud it is on. Optional abilities are interfaces of their own ({@link io.spotsh.cloud.DryRun},
 * {@link io.spotsh.cloud.Pricing}). Providers register by name ({@link io.spotsh.cloud.Providers}); one folder
 * each: {@code local} (this machine) and {@code aws} (EC2 through the AWS SDK v2).
 *
 * <pre>{@code
 * try (Provider cloud = Providers.open("local", stateDir, Map.of())) {
 *     Zone cheapest = cloud.zones("m5d.xlarge").get(0);
 *     List<Instance> data = cloud.launch(new LaunchRequest("t1", "data", 6, cheapest.name(), cheapest.instanceType(),
 *             null, userData, tags, Map.of()));
 * }
 * }</pre>
 */
package io.spotsh.cloud;
