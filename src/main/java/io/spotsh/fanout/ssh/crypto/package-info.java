/**
 * spotsh's own pieces of the SSH handshake, each in the place of SSHJ 0.40.0's algorithm for speed:
 * {@link io.spotsh.fanout.ssh.crypto.Curve25519Kex} ({@code curve25519-sha256} on BouncyCastle's X25519),
 * {@link io.spotsh.fanout.ssh.crypto.Ed25519Keys} ({@code ssh-ed25519} signatures and key files on BouncyCastle's
 * Ed25519) and {@link io.spotsh.fanout.ssh.crypto.JdkAesGcm} (AES-GCM on the JDK's provider), all called without
 * the JCA's global lock. Each stays because its row in {@code scripts/bench/results/fanout.md} ("crypto pieces
 * on/off") shows what it buys; a piece that showed nothing (signing the first authentication request) was removed.
 * {@link io.spotsh.fanout.ssh.crypto.SshCrypto} says which are used; a piece turned off leaves SSHJ's own algorithm
 * in its place:
 * <pre>{@code
 * new SshTransport(settings, SshCrypto.parse("-gcm"))   // all but the JDK's AES-GCM
 * }</pre>
 */
package io.spotsh.fanout.ssh.crypto;
