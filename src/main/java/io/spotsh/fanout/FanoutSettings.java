package io.spotsh.fanout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The engine's fixed configuration, made once per shell:
 * <pre>{@code
 * FanoutSettings settings = FanoutSettings.builder()
 *         .clusterKey(clusterKey.privateKeyPath())
 *         .connectTimeout(Duration.ofSeconds(10))
 *         .build();
 * }</pre>
 * Defaults suit a few hundred nodes over a LAN and stock OpenSSH servers ({@code MaxSessions 10}).
 */
public final class FanoutSettings {
    /** Where sysstat keeps {@code sadc}: Debian/Ubuntu, then RHEL/Amazon Linux (64- and 32-bit). */
    public static final List<String> SADC_PATHS = List.of("/usr/lib/sysstat/sadc", "/usr/lib64/sa/sadc", "/usr/lib/sa/sadc");

    private final Path clusterKey;
    private final boolean userKeys;
    private final Path sshDir;
    private final Duration connectTimeout;
    private final int maxHandshakes;
    private final int maxChannelsPerNode;
    private final Duration keepAlive;
    private final int keepAliveMisses;
    private final int retries;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final int outputTailBytes;
    private final Duration killGrace;
    private final List<String> sadcPaths;
    private final List<String> kexAlgorithms;
    private final boolean residentShell;
    private final boolean loadAwareTimeouts;

    private FanoutSettings(Builder b) {
        this.clusterKey = b.clusterKey;
        this.userKeys = b.userKeys;
        this.sshDir = b.sshDir;
        this.connectTimeout = b.connectTimeout;
        this.maxHandshakes = b.maxHandshakes;
        this.maxChannelsPerNode = b.maxChannelsPerNode;
        this.keepAlive = b.keepAlive;
        this.keepAliveMisses = b.keepAliveMisses;
        this.retries = b.retries;
        this.backoffBase = b.backoffBase;
        this.backoffMax = b.backoffMax;
        this.outputTailBytes = b.outputTailBytes;
        this.killGrace = b.killGrace;
        this.sadcPaths = b.sadcPaths;
        this.kexAlgorithms = b.kexAlgorithms;
        this.residentShell = b.residentShell;
        this.loadAwareTimeouts = b.loadAwareTimeouts;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The cluster's OpenSSH private key file, or null. */
    public Path clusterKey() {
        return clusterKey;
    }

    /** Whether {@code ~/.ssh/id_*} keys are offered to hosts spotsh did not launch. */
    public boolean userKeys() {
        return userKeys;
    }

    /** The folder holding {@code known_hosts} and the user's keys ({@code ~/.ssh}). */
    public Path sshDir() {
        return sshDir;
    }

    /** TCP connect, greeting, key exchange and authentication together, per attempt. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Handshakes in flight at once across all nodes (each costs CPU on both ends). */
    public int maxHandshakes() {
        return maxHandshakes;
    }

    /** Channels open at once on one connection (OpenSSH's {@code MaxSessions}, 10 by default). */
    public int maxChannelsPerNode() {
        return maxChannelsPerNode;
    }

    public Duration keepAlive() {
        return keepAlive;
    }

    /** Unanswered keepalives after which a connection is dropped (and reopened on next use). */
    public int keepAliveMisses() {
        return keepAliveMisses;
    }

    /** Extra attempts for failures before a command started (connect, key exchange, auth, channel open). */
    public int retries() {
        return retries;
    }

    public Duration backoffBase() {
        return backoffBase;
    }

    public Duration backoffMax() {
        return backoffMax;
    }

    /**
     * Bytes of stdout and of stderr kept per node (the end of the output), 64 KiB by default: 300 nodes then keep
     * at most ~40 MB. Live lines to a listener are not limited.
     */
    public int outputTailBytes() {
        return outputTailBytes;
    }

    /** How long a timed-out or cancelled command gets to end after each signal before the next step. */
    public Duration killGrace() {
        return killGrace;
    }

    public List<String> sadcPaths() {
        return sadcPaths;
    }

    /**
     * Whether commands on an open connection go to one shell kept running per node (the resident shell of {@code io.spotsh.fanout.ssh.resident}) instead
     * of a new session each; on by default. A node whose login shell is not a POSIX one uses sessions anyway.
     */
    public boolean residentShell() {
        return residentShell;
    }

    /**
     * Whether the connect timeout stretches when this machine's load average is far above its cores (over twice:
     * by load / (2 × cores), at most 4 times), so slow nodes are not taken for dead ones; on by default.
     */
    public boolean loadAwareTimeouts() {
        return loadAwareTimeouts;
    }

    /** Channels one node's steps may open at once: the resident shell keeps one of sshd's sessions for itself. */
    int channelsPerCommand() {
        return residentShell ? Math.max(1, maxChannelsPerNode - 1) : maxChannelsPerNode;
    }

    /** Key exchange algorithms in order of preference, or null for SSHJ's list with curve25519 first. */
    public List<String> kexAlgorithms() {
        return kexAlgorithms;
    }

    /** Fills settings in; every setter has a sensible default. */
    public static final class Builder {
        private Path clusterKey;
        private boolean userKeys = true;
        private Path sshDir = Path.of(System.getProperty("user.home"), ".ssh");
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxHandshakes = 64;
        private int maxChannelsPerNode = 10;
        private Duration keepAlive = Duration.ofSeconds(15);
        private int keepAliveMisses = 4;
        private int retries = 2;
        private Duration backoffBase = Duration.ofMillis(200);
        private Duration backoffMax = Duration.ofSeconds(5);
        private int outputTailBytes = 64 * 1024;
        private Duration killGrace = Duration.ofSeconds(1);
        private List<String> sadcPaths = SADC_PATHS;
        private List<String> kexAlgorithms;
        private boolean residentShell = true;
        private boolean loadAwareTimeouts = true;

        private Builder() {
        }

        public Builder clusterKey(Path value) {
            clusterKey = value;
            return this;
        }

        public Builder userKeys(boolean value) {
            userKeys = value;
            return this;
        }

        public Builder sshDir(Path value) {
            sshDir = Objects.requireNonNull(value);
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        public Builder maxHandshakes(int value) {
            maxHandshakes = atLeastOne(value, "maxHandshakes");
            return this;
        }

        public Builder maxChannelsPerNode(int value) {
            maxChannelsPerNode = atLeastOne(value, "maxChannelsPerNode");
            return this;
        }

        public Builder keepAlive(Duration value, int misses) {
            keepAlive = positive(value, "keepAlive");
            keepAliveMisses = atLeastOne(misses, "keepAliveMisses");
            return this;
        }

        public Builder retries(int value, Duration base, Duration max) {
            if (value < 0) {
                throw new IllegalArgumentException("retries must be >= 0: " + value);
            }
            retries = value;
            backoffBase = positive(base, "backoff base");
            backoffMax = positive(max, "backoff max");
            return this;
        }

        public Builder outputTailBytes(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("outputTailBytes must be >= 0: " + value);
            }
            outputTailBytes = value;
            return this;
        }

        public Builder killGrace(Duration value) {
            killGrace = positive(value, "killGrace");
            return this;
        }

        public Builder sadcPaths(List<String> value) {
            sadcPaths = List.copyOf(value);
            return this;
        }

        public Builder kexAlgorithms(List<String> value) {
            kexAlgorithms = value == null ? null : List.copyOf(value);
            return this;
        }

        public Builder residentShell(boolean value) {
            residentShell = value;
            return this;
        }

        public Builder loadAwareTimeouts(boolean value) {
            loadAwareTimeouts = value;
            return this;
        }

        public FanoutSettings build() {
            return new FanoutSettings(this);
        }

        private static Duration positive(Duration value, String what) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + value);
            }
            return value;
        }

        private static int atLeastOne(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be >= 1: " + value);
            }
            return value;
        }
    }
}
