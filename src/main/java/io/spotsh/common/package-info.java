/**
 * Small pieces every layer uses and that depend on nothing else of spotsh: the operator's {@link
 * io.spotsh.common.Log}, the {@link io.spotsh.common.StateDir}, duration parsing ({@link
 * io.spotsh.common.Durations}), {@link io.spotsh.common.BadInput} (exit 2), shell quoting and help annotations.
 */
package io.spotsh.common;
