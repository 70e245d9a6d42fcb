/**
 * The local cloud: spot-like instances on this machine, the default provider. {@link
 * io.spotsh.cloud.local.LocalProvider} is the thin client; the instances belong to a daemon per state directory
 * ({@link io.spotsh.cloud.local.LocalCloudDaemon} serving {@link io.spotsh.cloud.local.LocalCloud}), so they
 * outlive the spotsh that launched them. Each instance is a {@link io.spotsh.cloud.local.Sandbox} folder with its
 * own loopback address, booted by running the userdata with {@code /bin/sh}; {@link
 * io.spotsh.cloud.local.LaunchFaults} turns launch options into duds, slow boots, reclaims and capacity refusals.
 * The SSH server side lives here too (Apache MINA SSHD: {@link io.spotsh.cloud.local.LocalSshServer},
 * {@code SandboxCommand}, {@code SandboxSftp}); spotsh's own client is SSHJ, in the fan-out.
 */
package io.spotsh.cloud.local;
