/**
 * The node's side, in one place: what a node boots with, the key it trusts, and what it sends home.
 *
 * <ul>
 *   <li>{@link io.spotsh.node.UserData} renders {@code scripts/userdata.sh.tmpl} with a test's values and this
 *       build's node scripts ({@code phone-home.sh}, {@code discover-storage.sh}, the role's setup): the one boot
 *       script every provider sends (EC2 userdata; the local cloud runs it with {@code /bin/sh}).</li>
 *   <li>{@link io.spotsh.node.ClusterKey} is the key pair spotsh logs into nodes with; the boot script puts its
 *       public half into {@code authorized_keys}. {@link io.spotsh.node.SshKeys} reads and writes OpenSSH key
 *       files (also the local cloud's host keys).</li>
 *   <li>{@link io.spotsh.node.NodeUserData} is the {@link io.spotsh.node.UserDataRenderer} the workflow launches
 *       with: the template, the state directory's cluster key and the test's registration URL.</li>
 * </ul>
 *
 * What a node sends home is the phone-home call of the boot script: instance id, address, host name and SSH
 * host key into {@code spotsh.register()}, which answers with the node number (see {@code sql/}).
 *
 * <pre>{@code
 * UserDataRenderer boot = new NodeUserData(stateDir);
 * String script = boot.render(test, "data", Map.of("rf", 3));   // what every data node of the test runs at boot
 * }</pre>
 */
package io.spotsh.node;
