/**
 * The fan-out engine: runs a command, a transfer or a sysstat mark on many nodes at once and returns one
 * {@link io.spotsh.fanout.NodeResult} per node in a {@link io.spotsh.fanout.RunResult}. One failing node never stops
 * the others; failures name the node and the {@link io.spotsh.fanout.FailureStage} that failed.
 *
 * <p>Entry points: {@link io.spotsh.fanout.Fanout} (run, put, get, mark, cancel), made once from
 * {@link io.spotsh.fanout.FanoutSettings} and a {@link io.spotsh.fanout.Transport};
 * {@link io.spotsh.fanout.RunOptions} per call; {@link io.spotsh.fanout.PrefixedPrinter} (or any
 * {@link io.spotsh.fanout.OutputListener}) for live output.
 * <pre>{@code
 * FanoutSettings settings = FanoutSettings.builder().clusterKey(keyFile).build();
 * try (Fanout fanout = new Fanout(settings, new SshTransport(settings))) {
 *     RunResult r = fanout.run(nodes, "uptime", RunOptions.defaults().withTimeout(Duration.ofSeconds(30)));
 *     System.out.println(r.table());
 *     r.check(); // CheckFailedException listing every failed node
 * }
 * }</pre>
 *
 * <p>{@link io.spotsh.fanout.Remote} (five verbs on one node) is the one seam under the engine: limits
 * ({@link io.spotsh.fanout.LimitedRemote}) and retries ({@link io.spotsh.fanout.RetryingRemote}) wrap it, and a
 * {@link io.spotsh.fanout.Transport} makes it. Nothing here knows SSH; the SSH transport is
 * {@code io.spotsh.fanout.ssh}.
 */
package io.spotsh.fanout;
