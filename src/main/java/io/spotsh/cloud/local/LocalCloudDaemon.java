package io.spotsh.cloud.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.common.Durations;
import io.spotsh.common.Log;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The local cloud's own process: owns the instances (SSH server, boot processes) so they outlive the spotsh
 * that launched them, and serves {@link LocalCloud}'s verbs as JSON over HTTP on 127.0.0.1 to any spotsh using
 * the same state directory. Started on demand by {@link DaemonLauncher}; one per state directory (a lock held
 * for its whole life); exits by itself when it has had no live instance and no request for the idle timeout.
 *
 * <pre>
 *   java -cp CLASSPATH io.spotsh.cloud.local.LocalCloudDaemon STATE_DIR [--ssh-port 2222] [--idle-timeout 600]
 * </pre>
 *
 * In {@code <stateDir>/local-cloud/}: {@code daemon.json} (pid, HTTP port and the token every request must
 * carry; 0600), {@code daemon.log}, {@code records/}, {@code instances/}. Every request is a POST of a JSON
 * object to {@code /launch}, {@code /describe}, {@code /terminate}, {@code /tagged}, {@code /zones},
 * {@code /reclaim}, {@code /status} or {@code /stop}; errors come back as {@code {error, message}}.
 */
public final class LocalCloudDaemon {
    static final String TOKEN_HEADER = "X-Spotsh-Token";
    static final int EXIT_ALREADY_RUNNING = 3;
    static final String STOPPING = "stopping";

    private final Path dir;
    private final LocalCloud cloud;
    private final Log log;
    private final String token;
    private final Duration idleTimeout;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Requests hold it shared; deciding to exit when idle holds it alone, so no request is cut off half-way. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private volatile boolean closing;
    private final Instant started = Instant.now();
    private volatile long lastRequest = System.nanoTime();
    private HttpServer http;

    private LocalCloudDaemon(Path dir, LocalCloud cloud, Log log, Duration idleTimeout) {
        this.dir = dir;
        this.cloud = cloud;
        this.log = log;
        this.idleTimeout = idleTimeout;
        this.token = DaemonInfo.newToken();
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: LocalCloudDaemon STATE_DIR [--ssh-port N] [--idle-timeout SECONDS]");
            System.exit(2);
        }
        Log log = new Log(System.out);
        try {
            System.exit(run(Path.of(args[0]).toAbsolutePath().resolve("local-cloud"), args, log));
        } catch (Throwable e) {  // the SSH server's threads would keep a half-started daemon alive
            log.log("local cloud daemon failed: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    private static int run(Path dir, String[] args, Log log) throws IOException, InterruptedException {
        int sshPort = DaemonInfo.DEFAULT_SSH_PORT;
        Duration idle = DaemonInfo.DEFAULT_IDLE_TIMEOUT;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--ssh-port" -> sshPort = Integer.parseInt(args[i + 1]);
                case "--idle-timeout" -> idle = Durations.parse(args[i + 1], "--idle-timeout");
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(dir);
        try (FileChannel lockFile = FileChannel.open(dir.resolve("daemon.pid.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                log.log("another local cloud daemon already runs for " + dir);
                return EXIT_ALREADY_RUNNING;
            }
            new LocalCloudDaemon(dir, new LocalCloud(dir, sshPort, log), log, idle).serve();
            return 0;
        }
    }

    private void serve() throws IOException, InterruptedException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        http.setExecutor(Executors.newFixedThreadPool(4));
        http.createContext("/", this::handle);
        http.start();
        DaemonInfo info = new DaemonInfo(ProcessHandle.current().pid(), http.getAddress().getPort(), token,
                DaemonInfo.currentBuild());
        info.write(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> DaemonInfo.removeIfOurs(dir, info.pid())));
        log.log("local cloud daemon pid " + info.pid() + " serving on 127.0.0.1:" + info.port() + ", SSH on port "
                + cloud.sshPort() + ", exits after " + idleTimeout.toSeconds() + " s without instances or requests");
        long every = Math.min(5_000, Math.max(100, idleTimeout.toMillis() / 10));
        boolean done = false;
        while (!done) {
            done = stopped.await(every, TimeUnit.MILLISECONDS) || idleEnough() || stateGone();
        }
        closing = true;
        DaemonInfo.removeIfOurs(dir, info.pid());
        http.stop(0);
        cloud.close();
        log.log("local cloud daemon stopped");
    }

    /** True (and closing from then on) when nothing ran and nobody asked for the idle timeout. */
    private boolean idleEnough() {
        if (!gate.writeLock().tryLock()) {
            return false;  // a request is being served
        }
        try {
            long quiet = System.nanoTime() - lastRequest;
            if (quiet > idleTimeout.toNanos() && cloud.live() == 0) {
                closing = true;
                log.log("idle for " + Duration.ofNanos(quiet).toSeconds() + " s with no live instance: exiting");
                return true;
            }
            return false;
        } finally {
            gate.writeLock().unlock();
        }
    }

    /** Someone deleted the state directory under us: the instances lost their disks; end them and go. */
    private boolean stateGone() {
        if (Files.exists(dir.resolve("daemon.pid.lock"))) {
            return false;
        }
        log.log(dir + " was deleted: terminating every instance and exiting");
        cloud.abandon();
        return true;
    }

    private void handle(HttpExchange exchange) throws IOException {
        lastRequest = System.nanoTime();
        int status = 200;
        String path = exchange.getRequestURI().getPath();
        Map<String, Object> reply;
        gate.readLock().lock();
        try {
            String given = exchange.getRequestHeaders().getFirst(TOKEN_HEADER);
            if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                    token.getBytes(StandardCharsets.UTF_8))) {
                status = 403;
                reply = error("forbidden", "missing or wrong " + TOKEN_HEADER);
            } else if (closing) {
                status = 503;  // not served: the client may safely ask the next daemon
                reply = error(STOPPING, "the local cloud daemon is exiting");
            } else {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                reply = dispatch(path, body.isBlank() ? Map.of() : Wire.parse(body));
            }
        } catch (CapacityException e) {
            status = 409;
            reply = error("capacity", e.getMessage());
            reply.put("zone", e.zone());
            reply.put("instanceType", e.instanceType());
            reply.put("code", e.code());
        } catch (IllegalArgumentException | CloudException e) {
            status = 400;
            reply = error("bad-request", e.getMessage());
        } catch (RuntimeException e) {
            status = 500;
            reply = error("internal", e.toString());
            log.log("request " + path + " failed: " + e);
        } finally {
            gate.readLock().unlock();
        }
        byte[] bytes = Wire.json(reply).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        if (status == 200 && path.equals("/stop")) {
            // only now, and only here: the /stop caller has its answer (another client's request that ends
            // meanwhile must not end the daemon under this one's reply)
            stopped.countDown();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> dispatch(String path, Map<String, Object> body) {
        Map<String, Object> reply = new LinkedHashMap<>();
        switch (path) {
            case "/launch" -> reply.put("instances", Wire.instances(cloud.launch(launchRequest(body))));
            case "/describe" -> reply.put("instances", Wire.instances(cloud.describe(ids(body))));
            case "/terminate" -> {
                TerminateResult result = cloud.terminate(ids(body), LocalCloud.USER_SHUTDOWN);
                reply.put("accepted", result.accepted());
                reply.put("failed", result.failed());
            }
            case "/tagged" -> reply.put("instances", Wire.instances(cloud.tagged()));
            case "/zones" -> reply.put("zones", LocalZones.zones((String) body.get("instanceType")).stream().map(Wire::zone).toList());
            case "/reclaim" -> reply.put("instances", Wire.instances(cloud.reclaim(ids(body),
                    Durations.parse(body.getOrDefault("notice", "0s"), "notice"))));
            case "/ssh" -> reply.put("ids", cloud.sshServer(ids(body), Boolean.TRUE.equals(body.get("up"))));
            case "/status" -> reply.putAll(status());
            case "/stop" -> {
                if (Boolean.TRUE.equals(body.get("terminate"))) {
                    List<String> live = cloud.liveIds();
                    cloud.terminate(live, LocalCloud.USER_SHUTDOWN);
                    reply.put("terminated", live);
                }
                log.log("stop requested");  // the daemon stops once this reply is written (see handle)
            }
            default -> throw new IllegalArgumentException("no such local cloud call: " + path);
        }
        return reply;
    }

    private Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("pid", ProcessHandle.current().pid());
        s.put("startedAt", started.toString());
        s.put("live", cloud.live());
        s.put("sshPort", cloud.sshPort());
        s.put("sshAddresses", cloud.sshAddresses());
        s.putAll(MemoryStatus.read());
        return s;
    }

    @SuppressWarnings("unchecked")
    private static LaunchRequest launchRequest(Map<String, Object> b) {
        Object count = b.get("count");
        if (!(count instanceof Number)) {
            throw new IllegalArgumentException("launch needs a count");
        }
        return new LaunchRequest((String) b.get("test"), (String) b.get("role"), ((Number) count).intValue(),
                (String) b.get("zone"), (String) b.get("instanceType"),
                b.get("maxPrice") == null ? null : ((Number) b.get("maxPrice")).doubleValue(),
                (String) b.get("userData"), (Map<String, String>) b.get("tags"), (Map<String, Object>) b.get("options"));
    }

    @SuppressWarnings("unchecked")
    private static Collection<String> ids(Map<String, Object> body) {
        Object ids = body.get("ids");
        if (!(ids instanceof List<?>)) {
            throw new IllegalArgumentException("expected a list of instance ids in 'ids'");
        }
        return ((List<Object>) ids).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> error(String kind, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", kind);
        m.put("message", message);
        return m;
    }
}
