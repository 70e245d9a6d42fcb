/**
 * The SSH transport of the fan-out engine, on SSHJ: {@link io.spotsh.fanout.ssh.SshTransport} makes one
 * {@link io.spotsh.fanout.ssh.SshRemote} per node, a persistent connection opened on first use (the in-process
 * equivalent of OpenSSH's ControlPersist). Also here: what every connection shares ({@code SshSetup}: the SSHJ
 * configuration, keys and known_hosts, read once), the host key check against the key a node registered
 * ({@code HostKeyCheck}), keep-alives for every connection from one thread, the greeting heard before a handshake
 * permit is taken, and SFTP transfers verified by size.
 * <pre>{@code
 * Fanout fanout = new Fanout(settings, new SshTransport(settings, SshCrypto.fromEnvironment()));
 * }</pre>
 * SSHJ ({@code net.schmizz}, {@code com.hierynomus}) is used only in this package and the two below it:
 * {@code crypto} (spotsh's own handshake crypto and the switch that turns it off) and {@code resident} (the
 * resident shell and the channels that push output as it arrives).
 */
package io.spotsh.fanout.ssh;
