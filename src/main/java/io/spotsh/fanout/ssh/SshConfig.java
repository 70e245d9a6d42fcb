package io.spotsh.fanout.ssh;

import com.hierynomus.sshj.key.KeyAlgorithm;
import com.hierynomus.sshj.transport.cipher.BlockCiphers;
import com.hierynomus.sshj.transport.cipher.ChachaPolyCiphers;
import com.hierynomus.sshj.transport.cipher.GcmCiphers;
import io.spotsh.fanout.ssh.crypto.Curve25519Kex;
import io.spotsh.fanout.ssh.crypto.Ed25519Keys;
import io.spotsh.fanout.ssh.crypto.JdkAesGcm;
import io.spotsh.fanout.ssh.crypto.SshCrypto;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.transport.cipher.Cipher;
import net.schmizz.sshj.transport.kex.KeyExchange;

import java.util.ArrayList;
import java.util.List;

/**
 * SSHJ's default configuration with the handshake's hot paths replaced and nothing probed at start-up:
 * <ul>
 *   <li>{@code curve25519-sha256} by {@link Curve25519Kex} and {@code ssh-ed25519} by {@link Ed25519Keys}
 *       (BouncyCastle's arithmetic without the JCA, the JDK's SHA-256);</li>
 *   <li>AES-GCM on the JDK's provider ({@link JdkAesGcm}), then AES-CTR, ChaCha20-Poly1305 and AES-CBC, without
 *       {@link DefaultConfig}'s start-up test of thirty ciphers (which registers the BouncyCastle provider and
 *       instantiates Twofish, Serpent, IDEA ... to see whether they work).</li>
 * </ul>
 * Each replacement is made only when {@link SshCrypto} keeps its piece; otherwise SSHJ's own algorithm stays (for
 * AES-GCM: SSHJ's, on the preferred provider). Every other algorithm is SSHJ's and used only when a server offers
 * nothing better; SSHJ then registers the BouncyCastle provider itself on first use, as before.
 */
final class SshConfig extends DefaultConfig {
    SshConfig(SshCrypto crypto) {
        // DefaultConfig's constructor has set SSHJ's algorithms by now; the pieces kept replace theirs
        if (crypto.uses(SshCrypto.Piece.KEX)) {
            boolean rawHostKeys = crypto.uses(SshCrypto.Piece.ED25519);
            List<Factory.Named<KeyExchange>> kex = new ArrayList<>(getKeyExchangeFactories());
            replace(kex, Curve25519Kex.factory("curve25519-sha256", rawHostKeys));
            replace(kex, Curve25519Kex.factory("curve25519-sha256@libssh.org", rawHostKeys));
            setKeyExchangeFactories(kex);
        }
        if (crypto.uses(SshCrypto.Piece.ED25519)) {
            List<Factory.Named<KeyAlgorithm>> algorithms = new ArrayList<>(getKeyAlgorithms());
            replace(algorithms, Ed25519Keys.keyAlgorithm());
            setKeyAlgorithms(algorithms);
        }
        boolean jdkGcm = crypto.uses(SshCrypto.Piece.GCM);
        Factory.Named<Cipher> aes128gcm = jdkGcm ? JdkAesGcm.aes128() : GcmCiphers.AES128GCM();
        Factory.Named<Cipher> aes256gcm = jdkGcm ? JdkAesGcm.aes256() : GcmCiphers.AES256GCM();
        setCipherFactories(List.of(
                aes128gcm,
                aes256gcm,
                BlockCiphers.AES128CTR(),
                BlockCiphers.AES192CTR(),
                BlockCiphers.AES256CTR(),
                ChachaPolyCiphers.CHACHA_POLY_OPENSSH(),
                BlockCiphers.AES128CBC(),
                BlockCiphers.AES192CBC(),
                BlockCiphers.AES256CBC()));
    }

    /** Nothing here: the constructor sets the list, without {@link DefaultConfig}'s start-up probe of each cipher. */
    @Override
    protected void initCipherFactories() {
    }

    /** Puts {@code factory} in the place of the one with its name (or first when there is none). */
    private static <T> void replace(List<Factory.Named<T>> factories, Factory.Named<T> factory) {
        for (int i = 0; i < factories.size(); i++) {
            if (factories.get(i).getName().equals(factory.getName())) {
                factories.set(i, factory);
                return;
            }
        }
        factories.add(0, factory);
    }
}
