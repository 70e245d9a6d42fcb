package io.spotsh.fanout.ssh.crypto;

import com.hierynomus.sshj.transport.cipher.GcmCipher;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.SSHRuntimeException;
import net.schmizz.sshj.transport.cipher.Cipher;

import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * AES-GCM for SSHJ on the JDK's own provider. SSHJ asks for its ciphers from the preferred provider, which is
 * BouncyCastle once it is on the class path, and BouncyCastle's AES is plain Java: profiling a fan-out of 300 MiB
 * showed almost all client CPU in {@code AESEngine}. The JDK's implementation uses the processor's AES and
 * carry-less multiply instructions and is an order of magnitude cheaper. SSHJ's own way to the JDK's ciphers is a
 * configuration that keeps the BouncyCastle provider out of the whole JVM ({@code DefaultSecurityProviderConfig},
 * hierynomus/sshj#861); this takes only the GCM ciphers from the JDK and leaves the provider to everything else.
 */
public final class JdkAesGcm implements Factory.Named<Cipher> {
    private final String name;
    private final int keyBytes;

    private JdkAesGcm(String name, int keyBytes) {
        this.name = name;
        this.keyBytes = keyBytes;
    }

    public static JdkAesGcm aes128() {
        return new JdkAesGcm("aes128-gcm@openssh.com", 16);
    }

    public static JdkAesGcm aes256() {
        return new JdkAesGcm("aes256-gcm@openssh.com", 32);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Cipher create() {
        return new JdkGcmCipher(keyBytes);
    }

    /**
     * SSHJ's GCM cipher with the JDK's {@code AES/GCM/NoPadding} in place of the provider's. {@code init} is SSHJ's
     * {@code BaseCipher.init} without its {@code SecurityUtils.getCipher}, which would register the BouncyCastle
     * provider and build a BouncyCastle cipher only to have it replaced.
     */
    private static final class JdkGcmCipher extends GcmCipher {
        JdkGcmCipher(int keyBytes) {
            super(12, 16, keyBytes, "AES", "AES/GCM/NoPadding");
        }

        @Override
        public void init(Mode mode, byte[] key, byte[] iv) {
            byte[] k = key.length > getBlockSize() ? Arrays.copyOf(key, getBlockSize()) : key;
            byte[] v = iv.length > getIVSize() ? Arrays.copyOf(iv, getIVSize()) : iv;
            try {
                cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
                initCipher(cipher, mode, k, v);
            } catch (GeneralSecurityException e) {
                cipher = null;
                throw new SSHRuntimeException("the JDK's AES/GCM cannot be set up: " + e.getMessage(), e);
            }
        }
    }
}
