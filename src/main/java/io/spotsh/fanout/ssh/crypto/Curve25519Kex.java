package io.spotsh.fanout.ssh.crypto;

import com.hierynomus.sshj.userauth.certificate.Certificate;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.common.SSHRuntimeException;
import net.schmizz.sshj.signature.Signature;
import net.schmizz.sshj.transport.Transport;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.transport.digest.Digest;
import net.schmizz.sshj.transport.kex.KeyExchange;
import net.schmizz.sshj.transport.kex.KeyExchangeBase;
import org.bouncycastle.math.ec.rfc7748.X25519;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * {@code curve25519-sha256} (RFC 8731) with BouncyCastle's X25519 arithmetic called as a library and the JDK's
 * SHA-256 (SSHJ's version asks the JCA for a key pair generator, a key factory, a key agreement and a digest per
 * handshake, each look-up under {@code SecurityUtils}' one global lock, and parses the peer's key through X.509
 * encodings). Stands in for what hierynomus/sshj#82 ("use BouncyCastle as a library vs a JCE provider", open)
 * asks of SSHJ itself, for the key exchange. The protocol is SSHJ's {@code Curve25519SHA256}/{@code AbstractDHG}:
 * Q_C out, then K_S, Q_S and the signature of the exchange hash in; an {@code ssh-ed25519} host key is read
 * straight from its 32 bytes when {@link Ed25519Keys} verifies it, else as SSHJ reads it.
 */
public final class Curve25519Kex extends KeyExchangeBase {
    private final byte[] privateKey = new byte[32];
    private final byte[] publicKey = new byte[32];
    private final boolean rawHostKeys;
    private BigInteger k;

    private Curve25519Kex(boolean rawHostKeys) {
        super(new Sha256());
        this.rawHostKeys = rawHostKeys;
    }

    /**
     * A factory for one of the algorithm's two names. {@code rawHostKeys}: read an ed25519 host key as
     * {@link Ed25519Keys}' raw key (when that piece verifies it), not through SSHJ's X.509 encoding.
     */
    public static Factory.Named<KeyExchange> factory(String name, boolean rawHostKeys) {
        return new Factory.Named<>() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public KeyExchange create() {
                return new Curve25519Kex(rawHostKeys);
            }
        };
    }

    @Override
    public void init(Transport trans, String serverId, String clientId, byte[] serverKexInit, byte[] clientKexInit)
            throws GeneralSecurityException, TransportException {
        super.init(trans, serverId, clientId, serverKexInit, clientKexInit);
        digest.init();
        trans.getConfig().getRandomFactory().create().fill(privateKey);
        X25519.scalarMultBase(privateKey, 0, publicKey, 0); // the private key is clamped inside
        trans.write(new SSHPacket(Message.KEXDH_INIT).putBytes(publicKey));
    }

    @Override
    public boolean next(Message msg, SSHPacket packet) throws GeneralSecurityException, TransportException {
        if (msg != Message.KEXDH_31) {
            throw new TransportException(DisconnectReason.KEY_EXCHANGE_FAILED, "Unexpected packet: " + msg);
        }
        byte[] hostKeyBlob;
        byte[] serverPublic;
        byte[] signatureBlob;
        try {
            hostKeyBlob = packet.readBytes();
            serverPublic = packet.readBytes();
            signatureBlob = packet.readBytes();
            hostKey = readHostKey(hostKeyBlob);
        } catch (Buffer.BufferException e) {
            throw new TransportException(e);
        }
        if (serverPublic.length != 32) {
            throw new TransportException(DisconnectReason.KEY_EXCHANGE_FAILED,
                    "the server's curve25519 key has " + serverPublic.length + " bytes, not 32");
        }
        byte[] shared = new byte[32];
        boolean nonZero = X25519.calculateAgreement(privateKey, 0, serverPublic, 0, shared, 0); // false: a low-order key
        Arrays.fill(privateKey, (byte) 0);
        if (!nonZero) {
            throw new TransportException(DisconnectReason.KEY_EXCHANGE_FAILED, "the curve25519 shared secret is zero");
        }
        k = new BigInteger(1, shared);
        Arrays.fill(shared, (byte) 0);

        Buffer.PlainBuffer exchange = initializedBuffer()
                .putString(hostKeyBlob)
                .putBytes(publicKey)
                .putBytes(serverPublic)
                .putMPInt(k);
        digest.update(exchange.array(), exchange.rpos(), exchange.available());
        H = digest.digest();

        Signature signature = trans.getHostKeyAlgorithm().newSignature();
        signature.initVerify(hostKey instanceof Certificate<?> cert ? cert.getKey() : hostKey);
        signature.update(H, 0, H.length);
        if (!signature.verify(signatureBlob)) {
            throw new TransportException(DisconnectReason.KEY_EXCHANGE_FAILED, "KeyExchange signature verification failed");
        }
        verifyCertificate(hostKeyBlob);
        return true;
    }

    @Override
    public BigInteger getK() {
        return k;
    }

    /** An ed25519 host key from its 32 bytes; any other type (certificates too) the way SSHJ reads it. */
    private PublicKey readHostKey(byte[] blob) throws Buffer.BufferException {
        Buffer.PlainBuffer buf = new Buffer.PlainBuffer(blob);
        if (rawHostKeys && Ed25519Keys.NAME.equals(buf.readString())) {
            byte[] raw = buf.readBytes();
            if (raw.length == 32 && buf.available() == 0) {
                return Ed25519Keys.publicKey(raw);
            }
        }
        return new Buffer.PlainBuffer(blob).readPublicKey();
    }

    /** As SSHJ's {@code AbstractDHG}: a host certificate is checked when the config asks for it. */
    private void verifyCertificate(byte[] hostKeyBlob) throws TransportException {
        if (!(hostKey instanceof Certificate<?> cert) || !trans.getConfig().isVerifyHostKeyCertificates()) {
            return;
        }
        String error;
        try {
            error = KeyType.CertUtils.verifyHostCertificate(hostKeyBlob, cert, trans.getRemoteHost());
        } catch (Buffer.BufferException | SSHRuntimeException e) {
            throw new TransportException(DisconnectReason.KEY_EXCHANGE_FAILED, "KeyExchange certificate check failed", e);
        }
        if (error != null) {
            throw new TransportException(DisconnectReason.KEY_EXCHANGE_FAILED, "KeyExchange certificate check failed: " + error);
        }
    }

    /** SHA-256 from the JDK's own provider (with the processor's SHA instructions where HotSpot has them). */
    static final class Sha256 implements Digest {
        private final MessageDigest md;

        Sha256() {
            try {
                md = MessageDigest.getInstance("SHA-256", "SUN");
            } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
                throw new SSHRuntimeException("SHA-256 is missing from this JVM", e);
            }
        }

        @Override
        public byte[] digest() {
            return md.digest();
        }

        @Override
        public int getBlockSize() {
            return 32;
        }

        @Override
        public void init() {
            md.reset();
        }

        @Override
        public void update(byte[] data) {
            md.update(data);
        }

        @Override
        public void update(byte[] data, int offset, int length) {
            md.update(data, offset, length);
        }
    }
}
