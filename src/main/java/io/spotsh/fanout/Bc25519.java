package io.spotsh.fanout;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * BouncyCastle's X25519 and Ed25519 arithmetic ({@code org.bouncycastle.math.ec.rfc7748.X25519},
 * {@code rfc8032.Ed25519}), called without the JCA. BouncyCastle comes with SSHJ as a runtime dependency only, so
 * the calls are bound here through method handles (static final: the JIT compiles them as direct calls). When
 * BouncyCastle is absent, {@link #AVAILABLE} is false and SSHJ's own JCA implementations are used instead.
 */
final class Bc25519 {
    static final boolean AVAILABLE;
    private static final MethodHandle X_BASE;
    private static final MethodHandle X_AGREE;
    private static final MethodHandle ED_PUBLIC;
    private static final MethodHandle ED_SIGN;
    private static final MethodHandle ED_VERIFY;

    static {
        MethodHandle xBase = null, xAgree = null, edPublic = null, edSign = null, edVerify = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> x = Class.forName("org.bouncycastle.math.ec.rfc7748.X25519");
            Class<?> ed = Class.forName("org.bouncycastle.math.ec.rfc8032.Ed25519");
            Class<byte[]> b = byte[].class;
            Class<Integer> i = int.class;
            xBase = lookup.findStatic(x, "scalarMultBase", MethodType.methodType(void.class, b, i, b, i));
            xAgree = lookup.findStatic(x, "calculateAgreement", MethodType.methodType(boolean.class, b, i, b, i, b, i));
            edPublic = lookup.findStatic(ed, "generatePublicKey", MethodType.methodType(void.class, b, i, b, i));
            edSign = lookup.findStatic(ed, "sign", MethodType.methodType(void.class, b, i, b, i, b, i, i, b, i));
            edVerify = lookup.findStatic(ed, "verify", MethodType.methodType(boolean.class, b, i, b, i, b, i, i));
        } catch (ReflectiveOperationException | LinkageError e) {
            xBase = null;
        }
        AVAILABLE = xBase != null;
        X_BASE = xBase;
        X_AGREE = xAgree;
        ED_PUBLIC = edPublic;
        ED_SIGN = edSign;
        ED_VERIFY = edVerify;
    }

    private Bc25519() {
    }

    /** X25519: {@code pub = priv · 9}. The private key is clamped inside. */
    static void x25519Public(byte[] privateKey, byte[] publicKey) {
        try {
            X_BASE.invokeExact(privateKey, 0, publicKey, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** X25519 shared secret; false when it is all zeros (a low-order peer key). */
    static boolean x25519Agree(byte[] privateKey, byte[] peerPublic, byte[] shared) {
        try {
            return (boolean) X_AGREE.invokeExact(privateKey, 0, peerPublic, 0, shared, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The Ed25519 public key of a 32-byte seed. */
    static byte[] ed25519Public(byte[] seed) {
        byte[] pub = new byte[32];
        try {
            ED_PUBLIC.invokeExact(seed, 0, pub, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return pub;
    }

    /** Ed25519 signature (64 bytes) of {@code message[0, length)}. */
    static byte[] ed25519Sign(byte[] seed, byte[] pub, byte[] message, int length) {
        byte[] sig = new byte[64];
        try {
            ED_SIGN.invokeExact(seed, 0, pub, 0, message, 0, length, sig, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return sig;
    }

    static boolean ed25519Verify(byte[] sig, byte[] pub, byte[] message, int length) {
        try {
            return (boolean) ED_VERIFY.invokeExact(sig, 0, pub, 0, message, 0, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
