/**
 * The resident-shell protocol on SSH session channels: {@link io.spotsh.fanout.ssh.resident.ResidentShell} keeps
 * one login shell per connection and runs each command in a subshell of it, its exit status and end told by
 * markers ({@link io.spotsh.fanout.ssh.resident.MarkerScanner}) with a random nonce; a command without the shell
 * runs in a session of its own ({@link io.spotsh.fanout.ssh.resident.PushSession}). Both are
 * {@code PushChannel}s: output is handed to the node's {@link io.spotsh.fanout.NodeOutput} as each packet arrives,
 * on the connection's reader thread, without a copy into SSHJ's stream buffers. Used by
 * {@code io.spotsh.fanout.ssh.SshRemote}:
 * <pre>{@code
 * ResidentShell shell = new ResidentShell(client.getConnection());
 * if (shell.start(timeoutMillis) && shell.tryAcquire()) {
 *     ResidentShell.Job job = shell.send("uptime", output);
 *     job.awaitDone(timeoutNanos); // job.status(): the command's exit status
 *     shell.release();
 * }
 * }</pre>
 */
package io.spotsh.fanout.ssh.resident;
