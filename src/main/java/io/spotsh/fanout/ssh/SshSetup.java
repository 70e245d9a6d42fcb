package io.spotsh.fanout.ssh;

import io.spotsh.fanout.FanoutException;
import io.spotsh.fanout.FanoutSettings;
import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.crypto.Ed25519Keys;
import io.spotsh.fanout.ssh.crypto.JdkAesGcm;
import io.spotsh.fanout.ssh.crypto.SshCrypto;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import net.schmizz.sshj.userauth.keyprovider.FileKeyProvider;
import net.schmizz.sshj.userauth.keyprovider.KeyFormat;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.keyprovider.KeyProviderUtil;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPublickey;

import javax.net.SocketFactory;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What every connection shares, built once: one SSHJ {@link Config} ({@link SshConfig}: a {@link DefaultConfig}
 * is slow to build), the keys (parsed once, not per connection; an unencrypted ed25519 key by
 * {@link Ed25519Keys} unless that piece is off) and the known_hosts file. Makes the SSHJ client of each attempt.
 */
final class SshSetup {
    /** AES-GCM first: on the JDK provider ({@link JdkAesGcm}) it is the cheapest cipher for the JVM by far. */
    private static final List<String> CIPHERS = List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
            "aes128-ctr", "aes256-ctr", "chacha20-poly1305@openssh.com");
    private static final List<String> KEX = List.of("curve25519-sha256", "curve25519-sha256@libssh.org");
    private static final List<String> USER_KEY_FILES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private final FanoutSettings settings;
    private final SshCrypto crypto;
    private final Config config;
    private final List<KeyProvider> clusterKeys;
    private final List<KeyProvider> userKeys;
    private final HostKeyVerifier knownHosts;
    private final Path knownHostsFile;

    SshSetup(FanoutSettings settings, SshCrypto crypto) {
        this.settings = settings;
        this.crypto = crypto;
        this.config = config(settings.kexAlgorithms(), crypto);
        List<KeyProvider> cluster = new ArrayList<>();
        if (settings.clusterKey() != null) {
            cluster.add(loadKey(settings.clusterKey(), true));
        }
        List<KeyProvider> user = new ArrayList<>(cluster);
        if (settings.userKeys()) {
            for (String name : USER_KEY_FILES) {
                KeyProvider key = loadKey(settings.sshDir().resolve(name), false);
                if (key != null) {
                    user.add(key);
                }
            }
        }
        this.clusterKeys = List.copyOf(cluster);
        this.userKeys = List.copyOf(user);
        this.knownHostsFile = settings.sshDir().resolve("known_hosts");
        this.knownHosts = loadKnownHosts(knownHostsFile);
    }

    private static Config config(List<String> kex, SshCrypto crypto) {
        SshConfig config = new SshConfig(crypto);
        config.setKeyExchangeFactories(prefer(config.getKeyExchangeFactories(), kex == null ? KEX : kex, kex != null));
        config.setCipherFactories(prefer(config.getCipherFactories(), CIPHERS, false));
        return config;
    }

    /** Puts the named factories first, in the given order; {@code only} drops the rest. */
    private static <T> List<Factory.Named<T>> prefer(List<Factory.Named<T>> all, List<String> names, boolean only) {
        List<Factory.Named<T>> sorted = new ArrayList<>(all);
        sorted.removeIf(f -> only && !names.contains(f.getName()));
        if (sorted.isEmpty()) {
            throw new FanoutException("none of " + names + " is supported by SSHJ here");
        }
        sorted.sort(Comparator.comparingInt(f -> names.contains(f.getName()) ? names.indexOf(f.getName()) : names.size()));
        return sorted;
    }

    /** Parses a private key file now, so a bad key fails once with a clear message instead of on every node. */
    private KeyProvider loadKey(Path file, boolean required) {
        if (!Files.isRegularFile(file)) {
            if (required) {
                throw new FanoutException("the SSH key " + file + " does not exist");
            }
            return null;
        }
        try {
            KeyProvider ed25519 = crypto.uses(SshCrypto.Piece.ED25519) ? Ed25519Keys.readOpenSsh(file) : null;
            if (ed25519 != null) {
                return ed25519;
            }
            File f = file.toFile();
            KeyFormat format = KeyProviderUtil.detectKeyFileFormat(f);
            FileKeyProvider provider = Factory.Named.Util.create(config.getFileKeyProviderFactories(), format.toString());
            if (provider == null) {
                throw new IOException("unsupported key format " + format);
            }
            provider.init(f);
            provider.getPrivate();
            return provider;
        } catch (IOException | RuntimeException e) {
            if (required) {
                throw new FanoutException("cannot read the SSH key " + file + ": " + e.getMessage(), e);
            }
            return null; // an encrypted or odd user key is simply not offered
        }
    }

    private static List<AuthMethod> methods(List<KeyProvider> keys) {
        List<AuthMethod> methods = new ArrayList<>();
        for (KeyProvider key : keys) {
            methods.add(new AuthPublickey(key));
        }
        return methods;
    }

    private static HostKeyVerifier loadKnownHosts(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new OpenSSHKnownHosts(file.toFile());
        } catch (IOException e) {
            throw new FanoutException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A new client for one connection attempt, with that attempt's host key check. */
    SSHClient newClient(HostKeyCheck check, int timeoutMillis) {
        SSHClient client = new SSHClient(config);
        if (DirectSockets.APPLIES) {
            client.setSocketFactory(DirectSockets.FACTORY);
        }
        client.addHostKeyVerifier(check);
        client.setConnectTimeout(timeoutMillis);
        client.setTimeout(timeoutMillis);
        client.getTransport().setTimeoutMs(timeoutMillis);
        client.getConnection().setTimeoutMs(timeoutMillis);
        return client;
    }

    HostKeyCheck hostKeyCheck(Target target) {
        return target.hostKey() != null
                ? HostKeyCheck.expecting(target.hostKey())
                : HostKeyCheck.knownHosts(knownHosts, knownHostsFile.toString());
    }

    /**
     * The cluster key for nodes spotsh launched; the user's keys for other hosts. New method objects each time: an SSHJ auth method holds the state of the one connection it is
     * used on.
     */
    List<AuthMethod> authMethods(Target target) {
        boolean launched = target.hostKey() != null;
        List<AuthMethod> methods = methods(launched ? clusterKeys : userKeys);
        if (methods.isEmpty()) {
            throw new FanoutException("no SSH key to log in to " + target.describe()
                    + ": give the engine the cluster key (or put a key in " + settings.sshDir() + ")");
        }
        return methods;
    }

    FanoutSettings settings() {
        return settings;
    }

    /**
     * Plain sockets without the proxy machinery, unless a SOCKS proxy is configured for the JVM: a default
     * {@code new Socket()} asks the proxy selector on every connect (it builds a {@code socket://host:port} URI and
     * reads the proxy properties), work that is wasted when there is no proxy.
     */
    static final class DirectSockets extends SocketFactory {
        static final boolean APPLIES = System.getProperty("socksProxyHost") == null
                && !Boolean.getBoolean("java.net.useSystemProxies");
        static final DirectSockets FACTORY = new DirectSockets();

        @Override
        public Socket createSocket() {
            return new Socket(Proxy.NO_PROXY);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
        }

        private static Socket connected(InetSocketAddress to, InetSocketAddress... from) throws IOException {
            Socket socket = new Socket(Proxy.NO_PROXY);
            try {
                if (from.length > 0) {
                    socket.bind(from[0]);
                }
                socket.connect(to);
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }
    }
}
