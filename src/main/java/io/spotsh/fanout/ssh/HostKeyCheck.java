package io.spotsh.fanout.ssh;

import io.spotsh.fanout.FanoutException;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Accepts exactly one host key: the one the node registered at phone-home, or, for hosts spotsh did not launch,
 * whatever {@code known_hosts} accepts. Made per connection attempt, so it can say afterwards which key the server
 * presented and build an error naming both fingerprints.
 */
final class HostKeyCheck implements HostKeyVerifier {
    private final String expectedType;
    private final byte[] expectedBlob;
    private final HostKeyVerifier knownHosts;
    private final String knownHostsFile;
    private final String expectedFingerprint;
    private volatile PublicKey presented;
    private volatile boolean refused;

    private HostKeyCheck(String expectedType, byte[] expectedBlob, HostKeyVerifier knownHosts, String knownHostsFile,
                         String expectedFingerprint) {
        this.expectedType = expectedType;
        this.expectedBlob = expectedBlob;
        this.knownHosts = knownHosts;
        this.knownHostsFile = knownHostsFile;
        this.expectedFingerprint = expectedFingerprint;
    }

    /**
     * Checks against an OpenSSH public key line ({@code ssh-ed25519 AAAA... [comment]}) or, when that is all the
     * node registered, its fingerprint ({@code SHA256:...}).
     */
    static HostKeyCheck expecting(String openSshLine) {
        if (openSshLine.startsWith("SHA256:")) {
            return new HostKeyCheck(null, null, null, null, openSshLine.trim());
        }
        String[] parts = openSshLine.trim().split("\\s+");
        if (parts.length < 2) {
            throw new FanoutException("not an OpenSSH public key line: '" + openSshLine + "'");
        }
        try {
            return new HostKeyCheck(parts[0], Base64.getDecoder().decode(parts[1]), null, null, null);
        } catch (IllegalArgumentException e) {
            throw new FanoutException("the host key of an OpenSSH line is not base64: '" + openSshLine + "'", e);
        }
    }

    /** Checks against known_hosts; {@code knownHosts} null means the file does not exist (nothing is accepted). */
    static HostKeyCheck knownHosts(HostKeyVerifier knownHosts, String file) {
        return new HostKeyCheck(null, null, knownHosts, file, null);
    }

    @Override
    public boolean verify(String hostname, int port, PublicKey key) {
        presented = key;
        boolean accepted;
        if (expectedBlob != null) {
            accepted = Arrays.equals(expectedBlob, blob(key));
        } else if (expectedFingerprint != null) {
            accepted = expectedFingerprint.equals(fingerprint(blob(key)));
        } else {
            accepted = knownHosts != null && knownHosts.verify(hostname, port, key);
        }
        refused = !accepted;
        return accepted;
    }

    /** Whether the server presented a key and it was refused. */
    boolean refused() {
        return refused;
    }

    /** Offers the registered key's type first, so the server presents that key rather than another it holds. */
    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        if (expectedType != null) {
            return List.of(expectedType);
        }
        if (expectedFingerprint != null) {
            return List.of(KeyType.ED25519.toString()); // what spotsh's nodes register; others are still accepted by match
        }
        return knownHosts == null ? List.of() : knownHosts.findExistingAlgorithms(hostname, port);
    }

    /** Why the key was refused, naming both fingerprints (or the known_hosts file). */
    String refusal() {
        String seen = presented == null ? "none" : fingerprint(blob(presented)) + " (" + KeyType.fromKey(presented) + ")";
        if (expectedBlob != null || expectedFingerprint != null) {
            String registered = expectedBlob != null ? fingerprint(expectedBlob) + " (" + expectedType + ")" : expectedFingerprint;
            return "host key mismatch: the node registered " + registered + " but the server presented " + seen
                    + "; refusing it (a replaced instance, a reused address, or someone in the middle)";
        }
        return knownHosts == null
                ? "host key " + seen + " cannot be checked: " + knownHostsFile + " does not exist"
                : "host key " + seen + " is not accepted by " + knownHostsFile + " (unknown host or changed key)";
    }

    static byte[] blob(PublicKey key) {
        return new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    }

    /** {@code SHA256:...} as {@code ssh-keygen -l} prints it. */
    static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + new String(Base64.getEncoder().withoutPadding().encode(digest), StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
