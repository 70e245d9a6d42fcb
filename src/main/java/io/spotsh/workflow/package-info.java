/**
 * The {@code cluster} and {@code nodes} objects a user types: launch a test, wait for its nodes, replace duds,
 * configure and check it, run its phases, collect its results, terminate it, and reap what any test left running.
 *
 * <p>{@link io.spotsh.workflow.Cluster} is the front and wires one helper per job, each given only what it uses:
 * {@code Launcher} (one request per role, zone fallback, replacements), {@code Waiter} ({@code await}),
 * {@code Reaper} (terminate and verify, leaks, reap), {@code Phases} (markers, timing, records), {@code Costs},
 * {@code BootWait} (every node's boot finished) and {@code TestClusterView} (the running test as its
 * {@link io.spotsh.types.TestType} sees it). What they write down about a test goes through
 * {@link io.spotsh.registry.TestRecords}, what they ask the cloud through {@link io.spotsh.cloud.Provider}, and
 * commands on nodes through the session's SSH fan-out. {@link io.spotsh.workflow.Nodes} is the registered nodes
 * as a set to filter and act on.
 *
 * <pre>{@code
 * cluster.launch(name: 'ring-6', dataNodes: 6, clientNodes: 2)
 * cluster.await(timeout: '10m', replaceAfter: '3m')      // "I see 5/6 data servers reporting..."
 * nodes.data.run('uptime')
 * phase('load') { nodes.clients.run('ycsb load ...') }    // marked, timed, recorded
 * cluster.terminate()                                     // waits until every instance is terminated
 * }</pre>
 */
package io.spotsh.workflow;
