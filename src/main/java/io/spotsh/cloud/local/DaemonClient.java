package io.spotsh.cloud.local;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.common.Log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON calls to the local cloud daemon over HTTP on 127.0.0.1, starting the daemon when none answers (also when
 * it exited by itself between two calls). Errors come back as the cloud exceptions the daemon named. Nothing is
 * sent before {@link PortOwner} has seen that the port is the recorded daemon's: a {@code daemon.json} left by a
 * killed daemon names a port anyone may hold now, and is taken for no daemon at all.
 */
final class DaemonClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(5);

    /** Stale records already reported, so polling for a new daemon says it once. */
    private static final Set<DaemonInfo> REPORTED = ConcurrentHashMap.newKeySet();

    private final DaemonLauncher launcher;
    private final PortOwner owner = new PortOwner();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).build();
    private volatile DaemonInfo daemon;

    DaemonClient(DaemonLauncher launcher) {
        this.launcher = launcher;
    }

    /** Calls the daemon, starting it if needed; with {@code start} false, returns null when none runs. */
    Map<String, Object> call(String path, Map<String, Object> body, boolean start) {
        DaemonInfo info = daemon;
        if (info == null) {
            info = start ? launcher.ensure(this::answers) : DaemonInfo.read(launcher.dir());
            if (info == null || (!start && !answers(info))) {
                return null;
            }
            daemon = info;
        }
        try {
            return post(info, path, body, CALL_TIMEOUT);
        } catch (ConnectException | Stopping gone) {
            daemon = null;  // it exited (idle, or killed) before serving this: once more with a fresh one
            return start ? call(path, body, true) : null;
        }
    }

    /**
     * Whether the daemon on record answers and will do. One of another spotsh build (spotsh was rebuilt or
     * upgraded while it ran) is told to stop when it has no instances, so the new build's daemon takes over;
     * with live instances it goes on serving them until it idles out.
     */
    boolean answers(DaemonInfo info) {
        try {
            Map<String, Object> status = post(info, "/status", Map.of(), PING_TIMEOUT);
            if (!DaemonInfo.currentBuild().equals(info.build()) && status.get("live") instanceof Number live
                    && live.intValue() == 0) {
                post(info, "/stop", Map.of("terminate", false), PING_TIMEOUT);
                awaitExit(info.pid());
                return false;
            }
            return true;
        } catch (ConnectException | Stopping | CloudException e) {
            return false;
        }
    }

    /** The stopped daemon releases its lock and address on its way out; the next one needs both. */
    private static void awaitExit(long pid) {
        ProcessHandle.of(pid).ifPresent(p -> {
            try {
                p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // the new daemon retries while the old one still holds the lock
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** One line on stderr and in the daemon log; never the token. */
    private void report(DaemonInfo info, String refusal) {
        if (!info.equals(DaemonInfo.read(launcher.dir())) || !REPORTED.add(info)) {
            return;  // gone with its file: it exited as a daemon does, nothing to tell
        }
        Path file = launcher.dir().resolve(DaemonInfo.FILE);
        String line = "local cloud: " + file + " is stale, it names the " + info + " but " + refusal
                + ": sending it nothing, a new daemon takes over";
        new Log(System.err).log(line);
        try (PrintStream daemonLog = new PrintStream(new FileOutputStream(launcher.dir().resolve("daemon.log").toFile(),
                true), true, StandardCharsets.UTF_8)) {
            new Log(daemonLog).log(line);
        } catch (IOException e) {
            // stderr has it
        }
    }

    /** The daemon refused the call because it is exiting: nothing was done. */
    private static final class Stopping extends Exception {
        Stopping() {
            super(null, null, false, false);
        }
    }

    private Map<String, Object> post(DaemonInfo info, String path, Map<String, Object> body, Duration timeout)
            throws ConnectException, Stopping {
        String refusal = owner.refusal(info.pid(), info.port());
        if (refusal != null) {
            report(info, refusal);
            throw new ConnectException("not the " + info + ": " + refusal);  // as if none listened: a new one starts
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + info.port() + path))
                .timeout(timeout)
                .header(LocalCloudDaemon.TOKEN_HEADER, info.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Wire.json(body), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw e;
        } catch (HttpTimeoutException e) {
            throw new CloudException("the " + info + " did not answer " + path + " within " + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new CloudException("calling " + path + " on the " + info + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudException("interrupted while calling " + path + " on the " + info, e);
        }
        Map<String, Object> reply = Wire.parse(response.body());
        if (response.statusCode() == 200) {
            return reply;
        }
        if (LocalCloudDaemon.STOPPING.equals(reply.get("error"))) {
            throw new Stopping();
        }
        String message = String.valueOf(reply.get("message"));
        if ("capacity".equals(reply.get("error"))) {
            throw new CapacityException((String) reply.get("zone"), (String) reply.get("instanceType"),
                    (String) reply.get("code"), message);
        }
        throw new CloudException("local cloud: " + message);
    }
}
