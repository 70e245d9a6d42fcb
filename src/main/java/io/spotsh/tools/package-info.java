/**
 * What local nodes need on this machine. A local node is this machine, so before the local cloud launches a
 * type's nodes, {@link io.spotsh.tools.LocalTools} provides what they run, the way a node's boot would on a stock
 * image: missing Debian packages through one {@code apt-get install} (as root), and Java programs
 * ({@link io.spotsh.tools.JavaBundle}) resolved from Maven Central by {@link io.spotsh.tools.MavenArtifacts} into
 * {@code <stateDir>/tools/<name>/}, checksummed, with their commands in {@code <stateDir>/tools/bin}, which local
 * nodes have first on their PATH.
 *
 * <pre>{@code
 * LocalTools tools = new LocalTools(stateDir, true, log);
 * tools.provide("cassandra", List.of(Tool.SADC), List.of(new CassandraBundle()));
 * // tools.binDir() now holds cassandra, nodetool, ...
 * }</pre>
 */
package io.spotsh.tools;
