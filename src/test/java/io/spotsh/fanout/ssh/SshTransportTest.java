package io.spotsh.fanout.ssh;

import com.hierynomus.sshj.transport.cipher.GcmCiphers;
import io.spotsh.fanout.CheckFailedException;
import io.spotsh.fanout.FailureStage;
import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.FanoutSettings;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;
import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.crypto.Curve25519Kex;
import io.spotsh.fanout.ssh.crypto.Ed25519Keys;
import io.spotsh.fanout.ssh.crypto.JdkAesGcm;
import io.spotsh.fanout.ssh.crypto.SshCrypto;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.transport.kex.Curve25519SHA256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SSH transport on real servers: the host key check, and spotsh's own crypto pieces turned off, all or one at a
 * time ({@link SshCrypto}): SSHJ's own algorithms still authenticate, run commands and refuse a host key other than
 * the registered one.
 */
class SshTransportTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"none", "-kex", "-ed25519", "-gcm", "all"})
    void withPiecesOffAConnectionStillAuthenticatesRunsAndChecksTheHostKey(String spec) throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings(), SshCrypto.parse(spec))) {
            for (int i = 1; i <= 2; i++) { // the second command goes to the resident shell
                RunResult result = fanout.run(cluster.targets(), "echo $NODE");
                assertTrue(result.allOk(), spec + ": " + result.summary());
                assertEquals("data-2\n", result.get("data-2").getStdout(), spec);
            }
            assertEquals(2, cluster.totalConnections(), spec + ": one connection per node");

            Target node1 = cluster.node(1).target();
            Target impostor = new Target("impostor", node1.host(), node1.port(), node1.user(),
                    cluster.node(2).target().hostKey());
            NodeResult refused = fanout.run(List.of(impostor), "echo never").get("impostor");
            assertEquals(FailureStage.HOSTKEY, refused.getPhase(), spec + ": " + refused);
            assertTrue(refused.getError().startsWith("host key mismatch"), refused.getError());
        }
    }

    @Test
    void aHostKeyOtherThanTheRegisteredOneIsRefused() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            Target real = cluster.node(2).target();
            Target forged = new Target(real.name(), real.host(), real.port(), real.user(), cluster.node(1).target().hostKey());

            Target one = cluster.node(1).target();
            String fingerprint = HostKeyCheck.fingerprint(HostKeyCheck.blob(cluster.node(1).hostKey().getPublic()));
            Target byFingerprint = new Target(one.name(), one.host(), one.port(), one.user(), fingerprint);

            RunResult result = fanout.run(List.of(byFingerprint, forged), "echo hi");

            assertTrue(result.get("data-1").isOk(), result.get("data-1").toString());
            NodeResult refused = result.get("data-2");
            assertEquals(FailureStage.HOSTKEY, refused.getPhase());
            String expected = HostKeyCheck.fingerprint(HostKeyCheck.blob(cluster.node(1).hostKey().getPublic()));
            String presented = HostKeyCheck.fingerprint(HostKeyCheck.blob(cluster.node(2).hostKey().getPublic()));
            assertTrue(refused.getError().contains(expected) && refused.getError().contains(presented), refused.getError());
            CheckFailedException e = assertThrows(CheckFailedException.class, result::check);
            assertTrue(e.getMessage().contains("data-2 (" + real.host() + ":" + real.port() + "): hostkey"), e.getMessage());
            assertEquals(0, cluster.node(2).server().getActiveSessions().stream()
                    .filter(s -> s.isAuthenticated()).count(), "no login on a refused node");
        }
    }

    @Test
    void theConfigHoldsOwnPiecesOnlyWhenKept() {
        SshConfig all = new SshConfig(SshCrypto.ALL);
        assertInstanceOf(Curve25519Kex.class, kex(all, "curve25519-sha256").create());
        assertInstanceOf(Curve25519Kex.class, kex(all, "curve25519-sha256@libssh.org").create());
        assertInstanceOf(JdkAesGcm.class, cipher(all, "aes128-gcm@openssh.com"));
        assertInstanceOf(JdkAesGcm.class, cipher(all, "aes256-gcm@openssh.com"));
        assertSame(Ed25519Keys.class, ed25519SignatureClass(all).getEnclosingClass());

        SshConfig none = new SshConfig(SshCrypto.NONE);
        assertInstanceOf(Curve25519SHA256.class, kex(none, "curve25519-sha256").create());
        assertInstanceOf(GcmCiphers.Factory.class, cipher(none, "aes128-gcm@openssh.com"));
        assertFalse(ed25519SignatureClass(none).getEnclosingClass() == Ed25519Keys.class);

        SshConfig noGcm = new SshConfig(SshCrypto.parse("-gcm"));
        assertInstanceOf(Curve25519Kex.class, kex(noGcm, "curve25519-sha256").create());
        assertInstanceOf(GcmCiphers.Factory.class, cipher(noGcm, "aes256-gcm@openssh.com"));
    }

    private static Factory.Named<?> kex(SshConfig config, String name) {
        return config.getKeyExchangeFactories().stream().filter(f -> f.getName().equals(name)).findFirst().orElseThrow();
    }

    private static Factory.Named<?> cipher(SshConfig config, String name) {
        return config.getCipherFactories().stream().filter(f -> f.getName().equals(name)).findFirst().orElseThrow();
    }

    private static Class<?> ed25519SignatureClass(SshConfig config) {
        return config.getKeyAlgorithms().stream().filter(f -> f.getName().equals("ssh-ed25519")).findFirst()
                .orElseThrow().create().newSignature().getClass();
    }
}
