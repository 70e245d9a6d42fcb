package io.spotsh.cloud.aws;

import io.spotsh.cloud.CloudTests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One moto EC2 server for the whole test JVM, on 127.0.0.1 and a free port, started on first use and stopped
 * when the JVM exits. Tests skip when {@code moto_server} is not installed, and fail in CI ({@code CI=true}).
 */
final class MotoServer {
    private static MotoServer instance;

    private final URI endpoint;
    private final Process process;
    private final Path log;

    private MotoServer(URI endpoint, Process process, Path log) {
        this.endpoint = endpoint;
        this.process = process;
        this.log = log;
    }

    static synchronized MotoServer get() {
        CloudTests.require("moto_server", "the aws provider is tested against moto's EC2 server (pip install 'moto[server]')");
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    URI endpoint() {
        return endpoint;
    }

    /** Forgets every instance, fleet, template and request. */
    void reset() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/reset").toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.getOutputStream().close();
            if (c.getResponseCode() != 200) {
                throw new IllegalStateException("moto reset answered " + c.getResponseCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset moto at " + endpoint, e);
        }
    }

    private static MotoServer start() {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // the free port may be taken between probe and bind
            int port = freePort();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            try {
                Path log = Files.createTempFile("spotsh-moto-", ".log");
                Process p = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port))
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    p.destroy();
                    log.toFile().delete();
                }));
                MotoServer server = new MotoServer(endpoint, p, log);
                if (server.awaitReady(Duration.ofSeconds(60))) {
                    return server;
                }
                p.destroyForcibly();
                last = new IllegalStateException("moto_server did not answer on " + endpoint + ": " + Files.readString(log));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start moto_server", e);
            }
        }
        throw last;
    }

    private boolean awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() > 0) {
                    return true;
                }
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        return false;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
