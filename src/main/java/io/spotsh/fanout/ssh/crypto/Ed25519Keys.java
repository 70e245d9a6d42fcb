package io.spotsh.fanout.ssh.crypto;

import com.hierynomus.sshj.key.KeyAlgorithms;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.SSHRuntimeException;
import net.schmizz.sshj.signature.Signature;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * {@code ssh-ed25519} for SSHJ on BouncyCastle's Ed25519 arithmetic called as a library, without the JCA: SSHJ's
 * own signature goes through {@code SecurityUtils}, whose look-ups are {@code static synchronized} (one lock for
 * every handshake in flight) and which registers the BouncyCastle provider, hundreds of classes loaded at the first
 * handshake. SSHJ 0.40.0 took its Ed25519 to the standard JCA classes (hierynomus/sshj#993, replacing the
 * {@code net.i2p} EdDSA library of hierynomus/sshj#992); this stands in for the library use of BouncyCastle that
 * hierynomus/sshj#82 asks for instead. BouncyCastle's arithmetic is kept because it is the fast one: on JDK 17 the
 * JDK's own EdDSA signs and verifies several times slower.
 *
 * <p>Holds the key classes (raw 32-byte keys; their {@code getEncoded()} is the standard X.509 / PKCS#8 form, so
 * SSHJ's {@link KeyType#ED25519} reads and writes them), the signature, and a reader for unencrypted OpenSSH
 * ed25519 key files (the cluster key); any other key file is left to SSHJ.
 */
public final class Ed25519Keys {
    static final String NAME = "ssh-ed25519";
    private static final byte[] X509_PREFIX = hex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = hex("302e020100300506032b657004220420");
    private static final String PEM_BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private static final String PEM_END = "-----END OPENSSH PRIVATE KEY-----";
    private static final byte[] MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);

    private Ed25519Keys() {
    }

    /** The host and user key algorithm {@code ssh-ed25519} with this signature, for SSHJ's config. */
    public static Factory.Named<com.hierynomus.sshj.key.KeyAlgorithm> keyAlgorithm() {
        return new KeyAlgorithms.Factory(NAME, new SignatureFactory(), KeyType.ED25519);
    }

    /** An Ed25519 public key from its 32 raw bytes. */
    static PublicKey publicKey(byte[] raw) {
        return new Public(raw);
    }

    /** The 32 raw bytes of any Ed25519 public key: this class's, the JDK's or BouncyCastle's. */
    static byte[] raw(PublicKey key) {
        if (key instanceof Public p) {
            return p.raw;
        }
        byte[] encoded = key.getEncoded();
        if (encoded == null || encoded.length != X509_PREFIX.length + 32 || !startsWith(encoded, X509_PREFIX)) {
            throw new SSHRuntimeException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length);
    }

    /** The key pair of any Ed25519 private key: this class's, the JDK's, or one whose PKCS#8 form holds the seed. */
    private static Private privateOf(PrivateKey key) {
        if (key instanceof Private p) {
            return p;
        }
        byte[] seed;
        if (key instanceof EdECPrivateKey ed) {
            seed = ed.getBytes().orElseThrow(() -> new SSHRuntimeException("the Ed25519 private key has no bytes"));
        } else {
            // PKCS#8 v1 (48 bytes) or v2 with the public key after it: the seed is at the same place in both
            byte[] encoded = key.getEncoded();
            if (encoded == null || encoded.length < 48 || !Arrays.equals(encoded, 5, 16, PKCS8_PREFIX, 5, 16)) {
                throw new SSHRuntimeException("not an Ed25519 private key: " + key.getAlgorithm());
            }
            seed = Arrays.copyOfRange(encoded, 16, 48);
        }
        byte[] pub = new byte[32];
        Ed25519.generatePublicKey(seed, 0, pub, 0);
        return new Private(seed, pub);
    }

    /**
     * Reads an unencrypted OpenSSH ed25519 private key file ({@code ssh-keygen -t ed25519 -N ''}); null when the file
     * is in another format, of another type or encrypted (SSHJ's parsers take those).
     */
    public static KeyProvider readOpenSsh(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!text.startsWith(PEM_BEGIN) || !text.endsWith(PEM_END)) {
            return null;
        }
        byte[] data;
        try {
            data = Base64.getMimeDecoder().decode(text.substring(PEM_BEGIN.length(), text.length() - PEM_END.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (data.length < MAGIC.length || !startsWith(data, MAGIC)) {
            return null;
        }
        try {
            Buffer.PlainBuffer buf = new Buffer.PlainBuffer(Arrays.copyOfRange(data, MAGIC.length, data.length));
            String cipher = buf.readString();
            String kdf = buf.readString();
            buf.readBytes(); // kdf options
            if (!cipher.equals("none") || !kdf.equals("none") || buf.readUInt32AsInt() != 1) {
                return null;
            }
            buf.readBytes(); // the public key blob, repeated in the private part
            Buffer.PlainBuffer secret = new Buffer.PlainBuffer(buf.readBytes());
            if (secret.readUInt32AsInt() != secret.readUInt32AsInt() || !secret.readString().equals(NAME)) {
                return null;
            }
            byte[] pub = secret.readBytes();
            byte[] pair = secret.readBytes(); // seed || public key
            if (pub.length != 32 || pair.length != 64 || !Arrays.equals(pair, 32, 64, pub, 0, 32)) {
                throw new IOException("malformed ed25519 key in " + file);
            }
            Private key = new Private(Arrays.copyOf(pair, 32), pub);
            Public publicKey = new Public(pub);
            return new KeyProvider() {
                @Override
                public PrivateKey getPrivate() {
                    return key;
                }

                @Override
                public PublicKey getPublic() {
                    return publicKey;
                }

                @Override
                public KeyType getType() {
                    return KeyType.ED25519;
                }
            };
        } catch (Buffer.BufferException e) {
            throw new IOException("malformed OpenSSH key file " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** An Ed25519 public key as its 32 raw bytes. */
    private static final class Public implements PublicKey {
        private static final long serialVersionUID = 1L;
        private final byte[] raw;

        Public(byte[] raw) {
            if (raw.length != 32) {
                throw new SSHRuntimeException("an Ed25519 public key has 32 bytes, not " + raw.length);
            }
            this.raw = raw.clone();
        }

        @Override
        public String getAlgorithm() {
            return "Ed25519";
        }

        @Override
        public String getFormat() {
            return "X.509";
        }

        @Override
        public byte[] getEncoded() {
            return concat(X509_PREFIX, raw);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Public p && Arrays.equals(raw, p.raw);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(raw);
        }
    }

    /** An Ed25519 private key: the 32-byte seed, with its public key so that signing need not derive it. */
    private static final class Private implements PrivateKey {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;
        private final byte[] pub;

        Private(byte[] seed, byte[] pub) {
            this.seed = seed;
            this.pub = pub;
        }

        @Override
        public String getAlgorithm() {
            return "Ed25519";
        }

        @Override
        public String getFormat() {
            return "PKCS#8";
        }

        @Override
        public byte[] getEncoded() {
            return concat(PKCS8_PREFIX, seed);
        }
    }

    private static final class SignatureFactory implements Factory.Named<Signature> {
        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public Signature create() {
            return new Ed25519Signature();
        }
    }

    /** One signature or verification; the signed data is short (an exchange hash, an auth request). */
    private static final class Ed25519Signature implements Signature {
        private byte[] data = new byte[256];
        private int length;
        private byte[] verifyKey;
        private Private signKey;

        @Override
        public String getSignatureName() {
            return NAME;
        }

        @Override
        public void initVerify(PublicKey key) {
            verifyKey = raw(key);
            signKey = null;
            length = 0;
        }

        @Override
        public void initSign(PrivateKey key) {
            signKey = privateOf(key);
            verifyKey = null;
            length = 0;
        }

        @Override
        public void update(byte[] bytes) {
            update(bytes, 0, bytes.length);
        }

        @Override
        public void update(byte[] bytes, int offset, int count) {
            if (length + count > data.length) {
                data = Arrays.copyOf(data, Math.max(2 * data.length, length + count));
            }
            System.arraycopy(bytes, offset, data, length, count);
            length += count;
        }

        @Override
        public byte[] sign() {
            if (signKey == null) {
                throw new SSHRuntimeException("the Ed25519 signature was not initialised for signing");
            }
            byte[] sig = new byte[64];
            Ed25519.sign(signKey.seed, 0, signKey.pub, 0, data, 0, length, sig, 0);
            return sig;
        }

        @Override
        public byte[] encode(byte[] signature) {
            return signature;
        }

        /** {@code signature} is the SSH signature blob: the algorithm name, then the 64-byte signature. */
        @Override
        public boolean verify(byte[] signature) {
            if (verifyKey == null) {
                throw new SSHRuntimeException("the Ed25519 signature was not initialised for verifying");
            }
            byte[] sig;
            try {
                Buffer.PlainBuffer buf = new Buffer.PlainBuffer(signature);
                String name = buf.readString();
                if (!NAME.equals(name)) {
                    throw new SSHRuntimeException("Expected '" + NAME + "' key algorithm, but got: " + name);
                }
                sig = buf.readBytes();
            } catch (Buffer.BufferException e) {
                throw new SSHRuntimeException(e);
            }
            return sig.length == 64 && Ed25519.verify(sig, 0, verifyKey, 0, data, 0, length);
        }
    }
}
