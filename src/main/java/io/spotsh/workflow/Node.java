package io.spotsh.workflow;

import io.spotsh.common.Help;

/**
 * One registered node of the current test: what phone-home reported, plus where its SSH server listens.
 *
 * @param hostKey the SSH host public key it registered (OpenSSH line); fan-out refuses a host that shows another
 */
@Help("a registered node: role, number, instanceId, ip, hostname, sshPort")
public record Node(String test, String role, int number, String instanceId, String ip, String hostname,
                   int sshPort, String hostKey) {

    /** {@code data-3}: how logs, tables and result folders name the node. */
    public String getName() {
        return role + "-" + number;
    }

    /** {@code data-3 (i-0abc 10.0.0.7:22, ip-10-0-0-7)}: what a node is and where to reach it, on one line. */
    @Override
    public String toString() {
        return getName() + " (" + instanceId + " " + ip + ":" + sshPort + (hostname == null ? "" : ", " + hostname) + ")";
    }
}
