package io.spotsh.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** SSH host keys as OpenSSH shows them: {@code SHA256:...}, the form {@code ssh-keygen -lf} prints. */
final class HostKeys {
    private HostKeys() {
    }

    /** The fingerprint of a public key line ({@code ssh-ed25519 AAAA... comment}), or null if there is none or it is malformed. */
    static String fingerprint(String publicKeyLine) {
        if (publicKeyLine == null) {
            return null;
        }
        String[] parts = publicKeyLine.trim().split("\\s+");
        if (parts.length < 2) {
            return null;
        }
        try {
            byte[] blob = Base64.getDecoder().decode(parts[1]);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (IllegalArgumentException | NoSuchAlgorithmException e) {
            return null;
        }
    }
}
