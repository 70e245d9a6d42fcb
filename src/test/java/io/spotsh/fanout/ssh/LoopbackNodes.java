package io.spotsh.fanout.ssh;

import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.FanoutSettings;
import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.crypto.SshCrypto;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real SSH servers on loopback for the fan-out's tests: Apache MINA SSHD, one per node on its own 127.0.0.x address
 * and ephemeral port, each with its own ed25519 host key and its own SFTP root, accepting only the test's client
 * key. Also black holes (accept TCP, never speak) and closed ports.
 */
public final class LoopbackNodes implements AutoCloseable {
    public static final String USER = "tester";
    private static final KeyPair CLIENT = generate();

    private final Path dir;
    private final List<Node> nodes = new ArrayList<>();
    private final List<ServerSocket> holes = new ArrayList<>();

    /** One node's server, its files, how many SSH connections and exec requests it has accepted. */
    public record Node(Target target, SshServer server, Path root, KeyPair hostKey, AtomicInteger connections,
                AtomicInteger execs) {
    }

    private LoopbackNodes(Path dir) {
        this.dir = dir;
    }

    public static LoopbackNodes start(Path dir, int count) throws IOException {
        LoopbackNodes cluster = new LoopbackNodes(dir);
        for (int i = 1; i <= count; i++) {
            cluster.nodes.add(cluster.startNode("data-" + i, "127.0.0." + (20 + i)));
        }
        return cluster;
    }

    private Node startNode(String name, String address) throws IOException {
        KeyPair hostKey = generate();
        Path root = Files.createDirectories(dir.resolve("roots").resolve(name));
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger execs = new AtomicInteger();
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost(address);
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && KeyUtils.compareKeys(key, CLIENT.getPublic()));
        server.setCommandFactory((channel, command) -> {
            execs.incrementAndGet();
            return new ShellCommand(command, name, "/bin/sh");
        });
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                connections.incrementAndGet();
            }
        });
        server.start();
        String hostKeyLine = PublicKeyEntry.toString(hostKey.getPublic());
        return new Node(new Target(name, address, server.getPort(), USER, hostKeyLine), server, root, hostKey, connections,
                execs);
    }

    /** A listener that completes TCP handshakes (the kernel does) but never accepts or speaks. */
    public Target blackHole(String name, String address) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(address, 0), 50);
        holes.add(socket);
        return new Target(name, address, socket.getLocalPort(), USER, nodes.get(0).target().hostKey());
    }

    /**
     * A server that greets ({@code SSH-2.0-...}) and then says nothing more: a node stuck in the key exchange, which
     * holds a handshake permit (a black hole never gets that far).
     */
    public Target mute(String name, String address) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(address, 0), 50);
        holes.add(socket);
        Thread acceptor = new Thread(() -> {
            List<java.net.Socket> accepted = new ArrayList<>();
            try {
                while (true) {
                    java.net.Socket s = socket.accept();
                    accepted.add(s); // kept open: the client must give up by itself
                    s.getOutputStream().write("SSH-2.0-mute\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
            } catch (IOException closed) {
                for (java.net.Socket s : accepted) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing the test's own sockets
                    }
                }
            }
        }, "test-mute-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
        return new Target(name, address, socket.getLocalPort(), USER, nodes.get(0).target().hostKey());
    }

    /** An address and port where nothing listens: connection refused. */
    public Target closedPort(String name, String address) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, 0));
            port = socket.getLocalPort();
        }
        return new Target(name, address, port, USER, nodes.get(0).target().hostKey());
    }

    public List<Target> targets() {
        return nodes.stream().map(Node::target).toList();
    }

    public Node node(int number) {
        return nodes.get(number - 1);
    }

    public int totalConnections() {
        return nodes.stream().mapToInt(n -> n.connections().get()).sum();
    }

    /** The client key as an OpenSSH private key file, as the cluster key is given to the engine. */
    public Path clientKeyFile() throws IOException {
        Path file = dir.resolve("client_ed25519");
        if (!Files.exists(file)) {
            try (OutputStream out = Files.newOutputStream(file)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(CLIENT, "test", null, out);
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
        }
        return file;
    }

    /** Settings for tests: this cluster's key, no user keys, short timeouts. */
    public FanoutSettings.Builder settings() throws IOException {
        return FanoutSettings.builder()
                .clusterKey(clientKeyFile())
                .userKeys(false)
                .sshDir(dir.resolve("no-ssh-dir"))
                .connectTimeout(Duration.ofSeconds(5))
                .killGrace(Duration.ofMillis(500))
                .retries(2, Duration.ofMillis(50), Duration.ofMillis(200));
    }

    /** An engine on the SSH transport with these settings (every crypto piece of spotsh's own on). */
    public static Fanout fanout(FanoutSettings.Builder settings) {
        return fanout(settings, SshCrypto.ALL);
    }

    /** An engine on the SSH transport with these settings and only the crypto pieces {@code crypto} keeps. */
    public static Fanout fanout(FanoutSettings.Builder settings, SshCrypto crypto) {
        FanoutSettings built = settings.build();
        return new Fanout(built, new SshTransport(built, crypto));
    }

    public static KeyPair generate() {
        try {
            return KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        for (Node node : nodes) {
            node.server().stop(true);
        }
        for (ServerSocket hole : holes) {
            hole.close();
        }
    }
}
