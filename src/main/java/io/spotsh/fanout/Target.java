package io.spotsh.fanout;

import java.util.Objects;

/**
 * One SSH endpoint of a fan-out: the node's name as the operator reads it ({@code data-3}), where to reach it, who
 * to log in as, and the host key it registered at phone-home.
 *
 * @param name    the node's name, used as the output prefix and the folder name of {@code get}
 * @param host    an address or host name
 * @param port    the SSH port
 * @param user    the login user
 * @param hostKey the expected host public key as an OpenSSH line ({@code ssh-ed25519 AAAA...}) or its fingerprint
 *                ({@code SHA256:...}), or null to check the host against {@code ~/.ssh/known_hosts} instead (hosts
 *                spotsh did not launch)
 */
public record Target(String name, String host, int port, String user, String hostKey) {
    public Target {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        if (name.isBlank() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("a node name must be non-empty and usable as a folder name: '" + name + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port of " + name + " out of range: " + port);
        }
    }

    /** A host spotsh did not launch: port 22, checked against known_hosts. */
    public static Target known(String name, String host, String user) {
        return new Target(name, host, 22, user, null);
    }

    /** {@code data-3 (10.0.0.7)}, or with the port when it is not 22. */
    public String describe() {
        return name + " (" + host + (port == 22 ? "" : ":" + port) + ")";
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * Written out, not the record's generated one: that is bootstrapped through method handles, slow until the JIT
     * has compiled it, and a fan-out hashes every target several times on its first run.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && port == t.port && name.equals(t.name) && host.equals(t.host)
                && user.equals(t.user) && Objects.equals(hostKey, t.hostKey);
    }

    @Override
    public int hashCode() {
        int h = name.hashCode();
        h = 31 * h + host.hashCode();
        h = 31 * h + port;
        h = 31 * h + user.hashCode();
        return 31 * h + Objects.hashCode(hostKey);
    }
}
