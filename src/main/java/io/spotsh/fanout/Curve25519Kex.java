package io.spotsh.fanout;

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

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * {@code curve25519-sha256} (RFC 8731) with BouncyCastle's X25519 arithmetic called directly ({@link Bc25519}) and
 * the JDK's SHA-256
 * (SSHJ's version asks the JCA for a key pair generator, a key factory, a key agreement and a digest per handshake,
 * each look-up under {@code SecurityUtils}' one global lock, and parses the peer's key through X.509 encodings).
 * The protocol is SSHJ's {@code Curve25519SHA256}/{@code AbstractDHG}: Q_C out, then K_S, Q_S and the signature of
 * the exchange hash in; an {@code ssh-ed25519} host key is read straight from its 32 bytes.
 */
final class Curve25519Kex extends KeyExchangeBase {
    private final byte[] privateKey = new byte[32];
    private final byte[] publicKey = new byte[32];
    private BigInteger k;

    private Curve25519Kex() {
        super(new Sha256());
    }

    /** Factories for both names of the algorithm. */
    static Factory.Named<KeyExchange> factory(String name) {
        return new Factory.Named<>() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public KeyExchange create() {
                return new Curve25519Kex();
            }
        };
    }

    @Override
    public void init(Transport trans, String serverId, String clientId, byte[] serverKexInit, byte[] clientKexInit)
            throws GeneralSecurityException, TransportException {
        super.init(trans, serverId, clientId, serverKexInit, clientKexInit);
        digest.init();
        trans.getConfig().getRandomFactory().create().fill(privateKey);
        Bc25519.x25519Public(privateKey, publicKey);
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
        boolean nonZero = Bc25519.x25519Agree(privateKey, serverPublic, shared);
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
    private static PublicKey readHostKey(byte[] blob) throws Buffer.BufferException {
        Buffer.PlainBuffer buf = new Buffer.PlainBuffer(blob);
        if (Ed25519Keys.NAME.equals(buf.readString())) {
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
