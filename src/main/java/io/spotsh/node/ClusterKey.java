package io.spotsh.node;

import io.spotsh.common.StateDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

/**
 * The SSH key pair spotsh logs into its nodes with: one per state directory, ed25519, made on first use as
 * {@code <stateDir>/keys/cluster_ed25519} (OpenSSH format, 0600) and {@code cluster_ed25519.pub}. Userdata puts
 * {@link #publicKeyLine()} into each node's {@code authorized_keys}; fan-out authenticates with
 * {@link #privateKeyPath()} (SSHJ: {@code client.loadKeys(key.privateKeyPath().toString())}).
 *
 * <pre>{@code
 * ClusterKey key = ClusterKey.open(stateDir);
 * userData.render(new UserData.Values(test, role, url, key.publicKeyLine(), params, Map.of()));
 * }</pre>
 *
 * Two processes opening a new state directory at once agree on one key: each writes its own under a temporary
 * name and links it into place only if no key is there yet, then both read what is there.
 */
public final class ClusterKey {
    public static final String FILE_NAME = "cluster_ed25519";
    private static final String COMMENT = "spotsh-cluster";

    private final Path privateKey;
    private final KeyPair keyPair;
    private final String publicKeyLine;

    private ClusterKey(Path privateKey, KeyPair keyPair) {
        this.privateKey = privateKey;
        this.keyPair = keyPair;
        this.publicKeyLine = SshKeys.publicKeyLine(keyPair.getPublic(), COMMENT);
    }

    /** The key of this state directory, generated if there is none yet. */
    public static ClusterKey open(StateDir stateDir) {
        return open(stateDir.root().resolve("keys").resolve(FILE_NAME));
    }

    /** The key at this private key path, generated if the file does not exist. */
    public static ClusterKey open(Path privateKey) {
        if (!Files.exists(privateKey)) {
            try {
                SshKeys.write(SshKeys.generateEd25519(), COMMENT, privateKey, false);
            } catch (FileAlreadyExistsException raced) {
                // another process made it first: use theirs
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the cluster key " + privateKey + ": " + e.getMessage(), e);
            }
        }
        ClusterKey key = new ClusterKey(privateKey, SshKeys.read(privateKey));
        key.repairPublicFile();
        return key;
    }

    /** {@code ssh-ed25519 AAAA... spotsh-cluster}, for authorized_keys. */
    public String publicKeyLine() {
        return publicKeyLine;
    }

    public Path privateKeyPath() {
        return privateKey;
    }

    public Path publicKeyPath() {
        return SshKeys.publicFileOf(privateKey);
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    /** {@code SHA256:...} of the public key. */
    public String fingerprint() {
        return SshKeys.fingerprint(keyPair.getPublic());
    }

    @Override
    public String toString() {
        return "cluster key " + fingerprint() + " in " + privateKey;
    }

    /** The .pub is derived data: rewrite it when a racing writer or a user left it missing or different. */
    private void repairPublicFile() {
        Path pub = publicKeyPath();
        try {
            if (!Files.exists(pub) || !Files.readString(pub).strip().equals(publicKeyLine)) {
                SshKeys.writePublic(keyPair.getPublic(), COMMENT, pub);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pub + ": " + e.getMessage(), e);
        }
    }
}
