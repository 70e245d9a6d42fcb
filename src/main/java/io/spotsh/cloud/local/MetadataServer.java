package io.spotsh.cloud.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local cloud's instance metadata service, IMDSv2 as EC2 serves it at 169.254.169.254, on 127.0.0.1: each
 * instance has its own base URL {@code http://127.0.0.1:PORT/<instance-id>} (its {@code SPOTSH_METADATA_URL}),
 * takes a session token with {@code PUT /latest/api/token} (header {@code X-aws-ec2-metadata-token-ttl-seconds},
 * 1-21600) and reads {@code GET /latest/meta-data/<path>} with it in {@code X-aws-ec2-metadata-token}: 401
 * without a valid token of that instance, 404 for a path it does not have (as {@code spot/instance-action}
 * before a notice). The values are the files of the instance's {@code meta-data/} folder. The port is kept in
 * {@code metadata.port} and taken again after a daemon restart, so running nodes keep their URL.
 */
final class MetadataServer implements Closeable {
    static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    private static final Pattern PATH = Pattern.compile("/(i-[0-9a-f]{8,17})/latest/(api/token|meta-data/([A-Za-z0-9/_.-]*))");
    private static final int MAX_TOKENS = 100_000;

    private record Token(String instanceId, long expiresAt) {
    }

    private final HttpServer http;
    /** Instance id → its meta-data folder, for live instances only. */
    private final Function<String, Path> metaData;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    MetadataServer(Path dir, Function<String, Path> metaData) throws IOException {
        this.metaData = metaData;
        Path portFile = dir.resolve("metadata.port");
        int port = 0;
        if (Files.isRegularFile(portFile)) {
            try {
                port = Integer.parseInt(Files.readString(portFile).trim());
            } catch (NumberFormatException e) {
                port = 0;
            }
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        } catch (BindException taken) {  // someone else has it now: new nodes get the new port
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        }
        http = server;
        http.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "local-cloud-metadata");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/", this::handle);
        http.start();
        Files.writeString(portFile, http.getAddress().getPort() + "\n");
    }

    /** The base URL an instance's scripts use as {@code SPOTSH_METADATA_URL}. */
    String baseUrl(String instanceId) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/" + instanceId;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher m = PATH.matcher(exchange.getRequestURI().getRawPath());
            Path folder = m.matches() ? metaData.apply(m.group(1)) : null;
            if (folder == null) {
                send(exchange, 404, "Not Found");
            } else if (m.group(2).equals("api/token")) {
                token(exchange, m.group(1));
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                send(exchange, 405, "Method Not Allowed");
            } else if (!valid(exchange.getRequestHeaders().getFirst(TOKEN_HEADER), m.group(1))) {
                send(exchange, 401, "Unauthorized");
            } else {
                value(exchange, folder, m.group(3));
            }
        }
    }

    private void token(HttpExchange exchange, String instanceId) throws IOException {
        if (!exchange.getRequestMethod().equals("PUT")) {
            send(exchange, 405, "Method Not Allowed");
            return;
        }
        int ttl;
        try {
            ttl = Integer.parseInt(String.valueOf(exchange.getRequestHeaders().getFirst(TTL_HEADER)).trim());
        } catch (NumberFormatException e) {
            ttl = 0;
        }
        if (ttl < 1 || ttl > 21600) {
            send(exchange, 400, "Bad Request");
            return;
        }
        if (tokens.size() >= MAX_TOKENS) {
            long now = System.nanoTime();
            tokens.values().removeIf(t -> t.expiresAt() - now < 0);
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.put(token, new Token(instanceId, System.nanoTime() + ttl * 1_000_000_000L));
        exchange.getResponseHeaders().set(TTL_HEADER, String.valueOf(ttl));
        send(exchange, 200, token);
    }

    private boolean valid(String token, String instanceId) {
        Token t = token == null ? null : tokens.get(token);
        return t != null && t.instanceId().equals(instanceId) && t.expiresAt() - System.nanoTime() > 0;
    }

    /** A file's value (without its last newline), or a folder's entries one a line, folders with a trailing '/'. */
    private static void value(HttpExchange exchange, Path folder, String path) throws IOException {
        Path file = folder.resolve(path).normalize();
        if (!file.startsWith(folder) || path.contains("..")) {
            send(exchange, 404, "Not Found");
            return;
        }
        try {
            if (Files.isDirectory(file)) {
                StringBuilder names = new StringBuilder();
                try (var entries = Files.list(file)) {
                    entries.sorted().forEach(p -> names.append(names.isEmpty() ? "" : "\n").append(p.getFileName())
                            .append(Files.isDirectory(p) ? "/" : ""));
                }
                send(exchange, 200, names.toString());
            } else if (Files.isRegularFile(file)) {
                String text = Files.readString(file);
                send(exchange, 200, text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
            } else {
                send(exchange, 404, "Not Found");
            }
        } catch (IOException gone) {  // the instance ended meanwhile
            send(exchange, 404, "Not Found");
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
    }
}
