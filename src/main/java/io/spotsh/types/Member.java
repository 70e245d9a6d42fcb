package io.spotsh.types;

/**
 * A registered node as a test type sees it.
 *
 * @param ip the node's private address: what other nodes of the cluster reach it at
 */
public record Member(String role, int number, String instanceId, String ip) {
    /** {@code data-3}, as logs and result folders name it. */
    public String name() {
        return role + "-" + number;
    }

    /** {@code data-3 (i-0abc 10.0.0.7)}: as {@link Members#describe} names a node in a type's messages. */
    @Override
    public String toString() {
        return Members.describe(this);
    }
}
