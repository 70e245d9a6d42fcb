package io.spotsh.registry;

import io.spotsh.common.FileTree;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The zero-setup registry: a PostgreSQL server whose data lives in {@code <stateDir>/registry}
 * and which every spotsh process using that state directory shares: the shell, plans, cron's
 * {@code spotsh reap}, nodes phoning home. Like a lab's head node it keeps running after
 * the JVM that started it exits, until {@link #stop()}.
 *
 * <pre>{@code
 * EmbeddedServer server = new EmbeddedServer(RegistrySettings.embedded(stateDir));
 * Endpoint endpoint = server.start();   // starts it, or finds it running
 * System.out.println(server.status());  // registry running (pid 4242, port 54321, ...)
 * server.stop();
 * }</pre>
 *
 * In {@code <stateDir>/registry}: {@code data/} (PGDATA), {@code server.log},
 * {@code superuser.password} (0600), {@code tls/} (its CA and server certificate, see {@link RegistryTls})
 * and {@code start.lock}, which serialises start and stop across processes. The port is chosen
 * once and kept, because running nodes hold URLs with it. The server speaks TLS; nodes' roles
 * may log in only over TLS, the superuser (loopback, unix socket) with or without.
 */
public final class EmbeddedServer {
    static final String DATABASE = "spotsh";
    static final String SUPERUSER = "spotsh";
    private static final String LOOPBACK = "127.0.0.1";
    /** A unix socket path longer than this does not fit in sockaddr_un; the server then uses TCP only. */
    private static final int MAX_SOCKET_PATH = 100;
    /** FileChannel locks are per process; threads of one JVM queue here first. */
    private static final Map<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final RegistrySettings settings;
    private final Path registryDir;
    private final Path dataDir;
    private volatile RegistryTls tls;

    public EmbeddedServer(RegistrySettings settings) {
        if (!settings.isEmbedded()) {
            throw new IllegalArgumentException("an external registry has no embedded server: " + settings);
        }
        this.settings = settings;
        this.registryDir = settings.stateDir().resolve("registry");
        this.dataDir = registryDir.resolve("data");
    }

    /** Starts the server unless it is already running, and returns how to reach it as its superuser. */
    public Endpoint start() {
        try (StartLock ignored = lock()) {
            String password = superuserPassword();
            PidFile running = awaitSettled(PidFile.read(dataDir));
            if (running != null) {
                keepTlsCurrent(running);
                return endpoint(running.port(), password);
            }
            PgCommand pg = new PgCommand(new PgBinaries(settings.binariesDir()).ensure());
            if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
                initdb(pg);
            }
            int port = ServerConfig.port(dataDir);
            tls = RegistryTls.ensure(tlsDir(), tlsNames());
            writeConfig(port);
            try {
                pg.run(settings.startTimeout(), "pg_ctl", "start", "-w", "-s",
                        "-t", Long.toString(settings.startTimeout().toSeconds()),
                        "-D", dataDir.toString(), "-l", logFile().toString());
            } catch (RegistryServerException e) {
                throw new RegistryServerException("cannot start the embedded registry in " + registryDir + ": "
                        + e.getMessage() + "\n" + ServerConfig.tail(logFile(), 15), e);
            }
            Endpoint endpoint = endpoint(port, password);
            createDatabase(endpoint);
            return endpoint;
        } catch (IOException e) {
            throw new RegistryServerException("cannot prepare the embedded registry in " + registryDir + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The server's TLS files, as of the last {@link #start()}: the CA nodes verify it with, and the names its
     * certificate covers. Null before start.
     */
    public RegistryTls tls() {
        return tls;
    }

    /**
     * The names the server certificate covers: loopback, the listen address and the advertised host, which is
     * what nodes dial; so nodes can always check the name too (sslmode=verify-full), never just the CA.
     */
    List<String> tlsNames() {
        List<String> names = new ArrayList<>(List.of(LOOPBACK, "localhost"));
        String listen = settings.listenAddress();
        if (listen != null && !isWildcard(listen)) {
            names.add(listen);
        }
        names.add(advertisedHost());
        return names;
    }

    Path tlsDir() {
        return registryDir.resolve("tls");
    }

    /**
     * A running server keeps the names its certificate has: another spotsh process (cron's reap, a second shell) may
     * run with other listen settings, and its start must not take away the names the nodes of the first one dial.
     * The names change when the server starts, as its listen addresses do.
     */
    private List<String> runningNames() {
        try {
            return new ArrayList<>(RegistryTls.subjectAltNames(
                    RegistryTls.readCertificate(tlsDir().resolve(RegistryTls.SERVER_CERT))));
        } catch (IOException | java.security.GeneralSecurityException e) {
            return tlsNames();  // gone or damaged: make it anew, and reload below
        }
    }

    /**
     * For a running server: a certificate remade (near its end, damaged) takes effect on reload; a server started by
     * a spotsh without TLS gets TLS and the TLS-only rules for nodes the same way.
     */
    private void keepTlsCurrent(PidFile running) throws IOException {
        boolean upgrade = !ServerConfig.sslOn(dataDir);
        tls = RegistryTls.ensure(tlsDir(), upgrade ? tlsNames() : runningNames());
        if (upgrade) {
            writeConfig(running.port());
        }
        if (upgrade || tls.serverRenewed()) {
            new PgCommand(new PgBinaries(settings.binariesDir()).ensure()).run(settings.startTimeout(),
                    "pg_ctl", "reload", "-s", "-D", dataDir.toString());
        }
    }

    private void writeConfig(int port) throws IOException {
        ServerConfig.write(dataDir, port, listenAddresses(), socketDir(port), settings.maxConnections(),
                settings.listenAddress() != null && !isLoopback(settings.listenAddress()), tls);
    }

    /** Stops the server (fast shutdown: sessions are cut, data is safe). Returns false if it was not running. */
    public boolean stop() {
        try (StartLock ignored = lock()) {
            PidFile running = PidFile.read(dataDir);
            if (running == null) {
                return false;
            }
            new PgCommand(new PgBinaries(settings.binariesDir()).ensure()).run(settings.startTimeout(),
                    "pg_ctl", "stop", "-w", "-s", "-m", "fast", "-t", Long.toString(settings.startTimeout().toSeconds()),
                    "-D", dataDir.toString());
            return true;
        } catch (IOException e) {
            throw new RegistryServerException("cannot stop the embedded registry in " + registryDir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Whether the server runs, and where; starts nothing. */
    public ServerStatus status() {
        PidFile running = PidFile.read(dataDir);
        if (running != null) {
            return new ServerStatus(running.status(), running.pid(), running.port(), running.listen(),
                    running.startedAt(), dataDir);
        }
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
            return new ServerStatus("not initialised", 0, 0, null, null, dataDir);
        }
        return new ServerStatus("stopped", 0, ServerConfig.port(dataDir), null, null, dataDir);
    }

    /** The host put into registration URLs: what nodes dial to reach this server. */
    public String advertisedHost() {
        String listen = settings.listenAddress();
        if (settings.advertiseHost() != null) {
            return settings.advertiseHost();
        }
        if (listen == null || listen.equals("localhost")) {
            return LOOPBACK;
        }
        return isWildcard(listen) ? firstSiteLocalAddress() : listen;
    }

    public Path registryDir() {
        return registryDir;
    }

    Path logFile() {
        return registryDir.resolve("server.log");
    }

    /** Waits out a server that is starting or stopping; returns it if it is up, null if it is down. */
    private PidFile awaitSettled(PidFile pidFile) {
        Instant deadline = Instant.now().plus(settings.startTimeout());
        while (pidFile != null && !pidFile.ready() && Instant.now().isBefore(deadline)) {
            sleep(Duration.ofMillis(100));
            pidFile = PidFile.read(dataDir);
        }
        if (pidFile != null && !pidFile.ready()) {
            throw new RegistryServerException("the embedded registry in " + registryDir + " stayed "
                    + pidFile.status() + " for " + settings.startTimeout().toSeconds() + " s; see " + logFile());
        }
        return pidFile;
    }

    private void initdb(PgCommand pg) throws IOException {
        Path tmp = registryDir.resolve("data.init");
        FileTree.delete(tmp);  // a crash during an earlier initdb
        pg.run(settings.startTimeout(), "initdb", "-D", tmp.toString(), "-U", SUPERUSER,
                "--auth=scram-sha-256", "--pwfile=" + passwordFile(), "-E", "UTF8", "--no-locale", "--no-instructions");
        ServerConfig.initialise(tmp, freeLoopbackPort());
        Files.move(tmp, dataDir, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Creates the spotsh database once, and takes PUBLIC's access to the others away so node roles see only it. */
    private void createDatabase(Endpoint endpoint) {
        Endpoint admin = Endpoint.local(endpoint.host(), endpoint.port(), "postgres", SUPERUSER, endpoint.password());
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.connectionProperties());
             Statement st = c.createStatement()) {
            var rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!rs.next()) {
                st.execute("CREATE DATABASE " + DATABASE);
                st.execute("REVOKE ALL ON DATABASE postgres, template1 FROM PUBLIC");
            }
        } catch (SQLException e) {
            throw new RegistryServerException("cannot create database " + DATABASE + " on the embedded registry "
                    + endpoint + ": " + e.getMessage(), e);
        }
    }

    private Endpoint endpoint(int port, String password) {
        return Endpoint.local(LOOPBACK, port, DATABASE, SUPERUSER, password);
    }

    private Path passwordFile() {
        return registryDir.resolve("superuser.password");
    }

    /** The superuser's password, generated on first use into a file only its owner can read. */
    private String superuserPassword() throws IOException {
        Path file = passwordFile();
        if (!Files.exists(file)) {
            Files.write(file, (Secrets.alphanumeric(32) + "\n").getBytes(StandardCharsets.US_ASCII));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    private String listenAddresses() {
        String listen = settings.listenAddress();
        if (listen == null || listen.equals(LOOPBACK) || listen.equals("localhost")) {
            return LOOPBACK;
        }
        return isWildcard(listen) ? "*" : LOOPBACK + "," + listen;
    }

    private String socketDir(int port) {
        String dir = registryDir.toString();
        return (dir + "/.s.PGSQL." + port).length() <= MAX_SOCKET_PATH ? dir : "";
    }

    private StartLock lock() throws IOException {
        Files.createDirectories(registryDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return StartLock.acquire(registryDir.resolve("start.lock"));
    }

    private static boolean isWildcard(String address) {
        return address.equals("*") || address.equals("0.0.0.0") || address.equals("::");
    }

    private static boolean isLoopback(String address) {
        return address.equals("localhost") || address.startsWith("127.") || address.equals("::1");
    }

    private static String firstSiteLocalAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException ignored) {
            // no interfaces to list: fall back to loopback
        }
        return LOOPBACK;
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryServerException("interrupted while waiting for the embedded registry", e);
        }
    }

    /** The start/stop lock: one JVM thread at a time, then one process at a time. */
    private static final class StartLock implements AutoCloseable {
        private final ReentrantLock threadLock;
        private final FileChannel channel;
        private final FileLock fileLock;

        private StartLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
            this.threadLock = threadLock;
            this.channel = channel;
            this.fileLock = fileLock;
        }

        static StartLock acquire(Path file) throws IOException {
            ReentrantLock threadLock = IN_PROCESS_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
            threadLock.lock();
            try {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                try {
                    return new StartLock(threadLock, channel, channel.lock());
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                threadLock.unlock();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                fileLock.release();
                channel.close();
            } finally {
                threadLock.unlock();
            }
        }
    }

    /** The postmaster.pid of a live server: pid, start time, port, listen addresses and status. */
    private record PidFile(long pid, Instant startedAt, int port, String listen, String status) {
        boolean ready() {
            return status.equals("ready");
        }

        /** The server described by the pid file, or null if there is none or its process is gone. */
        static PidFile read(Path dataDir) {
            List<String> lines;
            try {
                lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new RegistryServerException("cannot read " + dataDir.resolve("postmaster.pid") + ": " + e.getMessage(), e);
            }
            long pid = lines.isEmpty() ? 0 : parseLong(lines.get(0));
            boolean alive = ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .map(h -> h.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                    .orElse(false);
            if (!alive) {
                return null;  // stale: left by a crash or a killed machine; pg_ctl start copes with it
            }
            if (lines.size() < 8) {
                return new PidFile(pid, null, 0, "", "starting");  // the postmaster writes the file in steps
            }
            return new PidFile(pid, Instant.ofEpochSecond(parseLong(lines.get(2))), (int) parseLong(lines.get(3)),
                    lines.get(5).trim(), lines.get(7).trim());
        }

        private static long parseLong(String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }
}
