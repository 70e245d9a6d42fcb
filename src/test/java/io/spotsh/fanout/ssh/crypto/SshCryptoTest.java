package io.spotsh.fanout.ssh.crypto;

import com.hierynomus.sshj.userauth.keyprovider.OpenSSHKeyV1KeyFile;
import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.FanoutException;
import io.spotsh.fanout.RunResult;
import io.spotsh.fanout.ssh.LoopbackNodes;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.signature.Signature;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handshake's own crypto ({@link Ed25519Keys}, {@link Curve25519Kex}) agrees with the JDK's and with SSHJ's:
 * signatures verify both ways, key files read the same, and real servers accept the key exchange. And the switch
 * that turns the pieces off ({@link SshCrypto}) reads what it should and refuses the rest by name.
 */
class SshCryptoTest {
    @TempDir
    Path dir;

    @Test
    void ed25519SignaturesVerifyAgainstTheJdk() throws Exception {
        KeyPair jdk = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] data = "session id and an auth request".getBytes(StandardCharsets.UTF_8);

        Signature ours = Ed25519Keys.keyAlgorithm().create().newSignature();
        ours.initSign(jdk.getPrivate());
        ours.update(data);
        byte[] sig = ours.sign();
        java.security.Signature check = java.security.Signature.getInstance("Ed25519");
        check.initVerify(jdk.getPublic());
        check.update(data);
        assertTrue(check.verify(sig), "the JDK verifies our signature");

        java.security.Signature jdkSign = java.security.Signature.getInstance("Ed25519");
        jdkSign.initSign(jdk.getPrivate());
        jdkSign.update(data);
        byte[] blob = new Buffer.PlainBuffer().putString("ssh-ed25519").putBytes(jdkSign.sign()).getCompactData();
        Signature verify = Ed25519Keys.keyAlgorithm().create().newSignature();
        verify.initVerify(jdk.getPublic());
        verify.update(data, 0, data.length);
        assertTrue(verify.verify(blob), "we verify the JDK's signature");

        Signature tampered = Ed25519Keys.keyAlgorithm().create().newSignature();
        tampered.initVerify(jdk.getPublic());
        tampered.update("something else".getBytes(StandardCharsets.UTF_8));
        assertFalse(tampered.verify(blob), "a signature over other data is refused");
    }

    @Test
    void anOpenSshKeyFileReadsAsSshjReadsIt() throws Exception {
        Path file;
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 0)) {
            file = cluster.clientKeyFile();
        }
        KeyProvider ours = Ed25519Keys.readOpenSsh(file);
        OpenSSHKeyV1KeyFile sshj = new OpenSSHKeyV1KeyFile();
        sshj.init(file.toFile());

        assertEquals(KeyType.ED25519, ours.getType());
        assertEquals(KeyType.ED25519, KeyType.fromKey(ours.getPublic()));
        assertArrayEquals(blob(sshj.getPublic()), blob(ours.getPublic()));
        assertArrayEquals(Ed25519Keys.raw(sshj.getPublic()), Ed25519Keys.raw(ours.getPublic()));

        byte[] data = {1, 2, 3};
        Signature sign = Ed25519Keys.keyAlgorithm().create().newSignature();
        sign.initSign(ours.getPrivate());
        sign.update(data);
        byte[] sig = sign.sign();
        Signature viaSshjKey = Ed25519Keys.keyAlgorithm().create().newSignature();
        viaSshjKey.initSign(sshj.getPrivate());
        viaSshjKey.update(data);
        assertArrayEquals(sig, viaSshjKey.sign(), "Ed25519 is deterministic: the same key signs the same bytes");
    }

    private static byte[] blob(java.security.PublicKey key) {
        return new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    }

    @Test
    void otherKeyFilesAreLeftToSshj() throws Exception {
        Path pem = dir.resolve("rsa.pem");
        Files.writeString(pem, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertNull(Ed25519Keys.readOpenSsh(pem));
    }

    @Test
    void theOwnKeyExchangeWorksWithARealServer() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().kexAlgorithms(List.of("curve25519-sha256")))) {
            RunResult result = fanout.run(cluster.targets(), "echo kex");
            assertTrue(result.allOk(), result.summary());
        }
        try (LoopbackNodes cluster = LoopbackNodes.start(dir.resolve("libssh"), 1);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().kexAlgorithms(List.of("curve25519-sha256@libssh.org")))) {
            assertTrue(fanout.run(cluster.targets(), "echo kex").allOk());
        }
    }

    @Test
    void theSwitchReadsAllNoneKeptAndTurnedOffPieces() {
        assertEquals(SshCrypto.ALL, SshCrypto.parse("all"));
        assertEquals(SshCrypto.NONE, SshCrypto.parse(" NONE "));
        SshCrypto kept = SshCrypto.parse("kex,gcm");
        assertTrue(kept.uses(SshCrypto.Piece.KEX) && kept.uses(SshCrypto.Piece.GCM));
        assertFalse(kept.uses(SshCrypto.Piece.ED25519));
        assertEquals("kex,gcm", kept.toString());
        SshCrypto off = SshCrypto.parse("-ed25519");
        assertEquals("kex,gcm", off.toString());
        assertEquals("ed25519,gcm", SshCrypto.parse("-kex").toString());
        assertEquals("all", SshCrypto.ALL.toString());
        assertEquals("none", SshCrypto.NONE.toString());
    }

    @Test
    void aBadSettingIsRefusedNamingTheValue() {
        for (String bad : List.of("kex,fast", "", "kex,-gcm", "-everything", "al")) {
            FanoutException e = assertThrows(FanoutException.class, () -> SshCrypto.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("bad SSH crypto setting '" + bad + "': "), e.getMessage());
            assertTrue(e.getMessage().contains("kex, ed25519, gcm"), e.getMessage());
        }
        FanoutException unknown = assertThrows(FanoutException.class, () -> SshCrypto.parse("kex,fast"));
        assertTrue(unknown.getMessage().contains("'fast' is not a piece"), unknown.getMessage());
        FanoutException none = assertThrows(FanoutException.class, () -> SshCrypto.parse(null));
        assertTrue(none.getMessage().contains("it is empty"), none.getMessage());
    }

    @Test
    void theProductReadsThePropertyAndNamesItInAnError() {
        String before = System.getProperty(SshCrypto.PROPERTY);
        try {
            System.setProperty(SshCrypto.PROPERTY, "-gcm");
            assertEquals("kex,ed25519", SshCrypto.fromEnvironment().toString());
            System.setProperty(SshCrypto.PROPERTY, "gcm,turbo");
            FanoutException e = assertThrows(FanoutException.class, SshCrypto::fromEnvironment);
            assertTrue(e.getMessage().startsWith("-Dspotsh.ssh.crypto: bad SSH crypto setting 'gcm,turbo'"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(SshCrypto.PROPERTY);
            } else {
                System.setProperty(SshCrypto.PROPERTY, before);
            }
        }
    }
}
