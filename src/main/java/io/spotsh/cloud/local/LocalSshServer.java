package io.spotsh.cloud.local;

import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.threads.SshThreadPoolExecutor;
import org.apache.sshd.common.util.threads.SshdThreadFactory;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The SSH servers of all local instances in one: a single Apache MINA SSHD server bound to each instance's
 * loopback address, answering with that instance's host key, accepting only public keys listed in that
 * instance's {@code root/.ssh/authorized_keys} for user {@code root}, and running commands, shells and SFTP in
 * that instance's sandbox. Binding an address is cheap, so 300 instances cost 300 listening sockets, not 300 servers.
 *
 * Limits: no idle or read timeout (a quiet benchmark phase can run for hours), 2 minutes to authenticate, no
 * port forwarding, and at most {@value #MAX_UNAUTHENTICATED} connections still authenticating at once
 * (OpenSSH's MaxStartups is 10 per host; fan-out to every instance at once must not hit a shared limit).
 */
final class LocalSshServer implements Closeable {
    static final int MAX_UNAUTHENTICATED = 1024;
    /**
     * MINA's I/O threads. An exec request starts the node's process on the I/O thread that read it, which waits there
     * until the child has exec'd; with MINA's default (cores + 1) a thousand resident shells starting at once held
     * every I/O thread in process starts while the other nodes' packets waited.
     */
    private static final int IO_THREADS = 16;

    /** What the server needs of one instance. */
    record Node(String id, String ip, KeyPair hostKey, Sandbox sandbox, PublickeyAuthenticator keys,
                NodeProcesses.Sessions sessions) {
    }

    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final Set<Session> authenticating = ConcurrentHashMap.newKeySet();
    private final int port;
    private final SshServer server;
    private final PipeLoop pipes;

    LocalSshServer(int port) throws IOException {
        this.port = port;
        this.pipes = new PipeLoop();
        this.server = ServerBuilder.builder().factory(AcceptorAccess::new).build();
        server.setIoServiceFactoryFactory(new Nio2ServiceFactoryFactory(() -> new IoThreads(pipes, IO_THREADS)));
        CoreModuleProperties.IDLE_TIMEOUT.set(server, Duration.ZERO);
        CoreModuleProperties.NIO2_READ_TIMEOUT.set(server, Duration.ZERO);
        CoreModuleProperties.AUTH_TIMEOUT.set(server, Duration.ofMinutes(2));
        CoreModuleProperties.SOCKET_BACKLOG.set(server, 256);
        server.setKeyPairProvider(new KeyPairProvider() {
            @Override
            public Iterable<KeyPair> loadKeys(SessionContext session) {
                Node node = nodeOf(session);
                return node == null ? List.of() : List.of(node.hostKey());
            }
        });
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> {
            Node node = nodeOf(session);
            return node != null && "root".equals(user) && node.keys().authenticate(user, key, session);
        });
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        server.setChannelFactories(List.of(new SessionChannels()));
        server.setCommandFactory((channel, command) -> new SandboxCommand(require(channel.getSession()), command, pipes));
        server.setShellFactory(channel -> new SandboxCommand(require(channel.getSession()), null, pipes));
        SandboxSftp sftp = new SandboxSftp(session -> require(session).sandbox().home());
        server.setFileSystemFactory(sftp.fileSystems());
        server.setSubsystemFactories(List.of(sftp));
        server.addSessionListener(new StartupLimit());
    }

    /** Starts the server with no address bound; {@link #bind} adds them one by one. */
    void start() throws IOException {
        // start() insists on binding something: an ephemeral port on 127.0.0.1, released at once
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.start();
        acceptor().unbind();
    }

    /**
     * Knows an instance (its host key and keys) without answering on its address yet; the sessions its SSH
     * commands run in are added to {@code sessions}.
     */
    void add(String id, String ip, KeyPair hostKey, Sandbox sandbox, NodeProcesses.Sessions sessions) {
        nodes.put(ip, new Node(id, ip, hostKey, sandbox, new AuthorizedKeysAuthenticator(sandbox.authorizedKeys()),
                sessions));
    }

    /** Starts answering on the instance's address. */
    void bind(String ip) throws IOException {
        acceptor().bind(new InetSocketAddress(ip, port));
    }

    /** Stops answering on the instance's address, ends its open sessions and forgets it. */
    void remove(String ip) {
        kill(ip);
        nodes.remove(ip);
    }

    /**
     * The instance's SSH server dies, as {@code kill -9 sshd} would: its address stops answering (connections are
     * refused) and its open connections drop; the instance is still known, so {@link #bind} brings it back.
     */
    void kill(String ip) {
        acceptor().unbind(new InetSocketAddress(ip, port));
        for (Session session : server.getActiveSessions()) {
            if (ip.equals(localIp(session))) {
                session.close(true);
            }
        }
    }

    int port() {
        return port;
    }

    int boundAddresses() {
        return acceptor().getBoundAddresses().size();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
        pipes.close();
    }

    private Node nodeOf(SessionContext session) {
        String ip = session == null ? null : localIp(session);
        return ip == null ? null : nodes.get(ip);
    }

    private Node require(SessionContext session) {
        Node node = nodeOf(session);
        if (node == null) {
            throw new IllegalStateException("no local instance answers at " + session.getLocalAddress());
        }
        return node;
    }

    private IoAcceptor acceptor() {
        return ((AcceptorAccess) server).acceptor();
    }

    private static String localIp(SessionContext session) {
        SocketAddress address = session.getLocalAddress();
        return address instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : null;
    }

    /** SshServer keeps its acceptor to itself; binding and unbinding addresses one by one needs it. */
    private static final class AcceptorAccess extends SshServer {
        IoAcceptor acceptor() {
            return acceptor;
        }
    }

    /**
     * MINA's I/O threads, and one exception: the JDK hands a write that completed at once to a pool thread unless the
     * writer is one (a thread wake per write). The stream loop writes every command's output, two writes a warm
     * command at the least; what the JDK hands over from the loop's thread runs on the loop once it is done with its
     * pipes, which also makes the loop a thread of MINA's channel group, so its later writes complete inline as a pool
     * thread's do (the JDK nests at most 16 such completions, then hands one over again).
     */
    private static final class IoThreads extends SshThreadPoolExecutor {
        private final PipeLoop pipes;

        IoThreads(PipeLoop pipes, int threads) {
            super(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    new SshdThreadFactory("local-ssh-io"), new ThreadPoolExecutor.CallerRunsPolicy());
            this.pipes = pipes;
        }

        @Override
        public void execute(Runnable task) {
            if (pipes.onLoopThread()) {
                pipes.later(task);
            } else {
                super.execute(task);
            }
        }
    }

    /** Session channels (the only kind: forwarding is refused) that wake a command's stderr when the window opens. */
    private static final class SessionChannels implements ChannelFactory {
        @Override
        public String getName() {
            return ChannelSessionFactory.INSTANCE.getName();
        }

        @Override
        public Channel createChannel(Session session) {
            return new ChannelSession() {
                // MINA 2.20 tells only stdout's asynchronous stream that the client's window opened: a command's
                // stderr that filled the window waited forever (SandboxCommandTest's 2 MB on stderr)
                @Override
                public void handleWindowAdjust(Buffer buffer) throws IOException {
                    super.handleWindowAdjust(buffer);
                    if (asyncErr != null) {
                        asyncErr.onWindowExpanded();
                    }
                }
            };
        }
    }

    /** Closes connections past {@link #MAX_UNAUTHENTICATED} that have not authenticated yet. */
    private final class StartupLimit implements SessionListener {
        @Override
        public void sessionCreated(Session session) {
            if (authenticating.size() >= MAX_UNAUTHENTICATED) {
                session.close(true);
            } else {
                authenticating.add(session);
            }
        }

        @Override
        public void sessionEvent(Session session, Event event) {
            if (event == Event.Authenticated) {
                authenticating.remove(session);
            }
        }

        @Override
        public void sessionClosed(Session session) {
            authenticating.remove(session);
        }
    }
}
