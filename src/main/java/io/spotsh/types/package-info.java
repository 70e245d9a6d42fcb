/**
 * Test types: what kind of test a cluster runs. A {@link io.spotsh.types.TestType} says how many nodes of each
 * role it needs and with which parameters, how each role sets itself up at boot
 * ({@code scripts/roles/<type>-<role>.sh}), its cluster-wide setup, its sanity check ({@link
 * io.spotsh.types.Sanity}), its workload phases ({@link io.spotsh.types.Workload}) and how to read the load
 * generator's output into {@link io.spotsh.types.Metric}s. It sees the cluster only through {@link
 * io.spotsh.types.TestCluster}. Shipped: {@code generic}, {@code redis}, {@code cassandra}, {@code mongodb}
 * (the last two load with YCSB, parsed in {@code ycsb}).
 */
package io.spotsh.types;
