package io.spotsh.node;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Iterator;

/**
 * Ed25519 key pairs in OpenSSH's own file formats, readable by OpenSSH, SSHJ and Apache MINA SSHD alike.
 * Generation is in-process (no {@code ssh-keygen}), so a local cloud can mint hundreds of host keys quickly.
 */
public final class SshKeys {
    private SshKeys() {
    }

    public static KeyPair generateEd25519() {
        try {
            return KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an ed25519 key pair: " + e.getMessage(), e);
        }
    }

    /** {@code ssh-ed25519 AAAA... comment}: an authorized_keys or {@code .pub} line. */
    public static String publicKeyLine(PublicKey key, String comment) {
        String line = PublicKeyEntry.toString(key);
        return comment == null || comment.isBlank() ? line : line + " " + comment;
    }

    /** {@code SHA256:...}, as {@code ssh-keygen -lf} prints it. */
    public static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(key);
    }

    /** The unencrypted OpenSSH private key file text ({@code -----BEGIN OPENSSH PRIVATE KEY-----}). */
    public static byte[] privateKeyText(KeyPair pair, String comment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode an OpenSSH private key: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Reads an unencrypted OpenSSH (or PEM) private key file. */
    public static KeyPair read(Path privateKeyFile) {
        try (InputStream in = Files.newInputStream(privateKeyFile)) {
            Iterator<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, null, in, null).iterator();
            if (!pairs.hasNext()) {
                throw new IllegalStateException(privateKeyFile + " holds no private key");
            }
            return pairs.next();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the private key " + privateKeyFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decode the private key " + privateKeyFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the private key (0600) and its {@code .pub} (0644) beside it. Each file appears whole or not at all:
     * written to a temporary name, then renamed; with {@code replace} false an existing private key wins and
     * {@link FileAlreadyExistsException} says so (the way two racing processes agree on one key).
     */
    public static void write(KeyPair pair, String comment, Path privateKeyFile, boolean replace) throws IOException {
        Path dir = privateKeyFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".key", ".tmp", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(temp, privateKeyText(pair, comment));
            if (replace) {
                Files.move(temp, privateKeyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.createLink(privateKeyFile, temp);  // fails if the name exists: no-replace, atomically
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        writePublic(pair.getPublic(), comment, publicFileOf(privateKeyFile));
    }

    /** Writes a {@code .pub} line atomically (0644). */
    public static void writePublic(PublicKey key, String comment, Path publicKeyFile) throws IOException {
        Path dir = publicKeyFile.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, ".pub", ".tmp");
        try {
            Files.writeString(temp, publicKeyLine(key, comment) + "\n", StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temp, publicKeyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public static Path publicFileOf(Path privateKeyFile) {
        return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
    }
}
