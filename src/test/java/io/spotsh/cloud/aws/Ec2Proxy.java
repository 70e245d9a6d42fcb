package io.spotsh.cloud.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A small HTTP proxy in front of moto that answers chosen EC2 requests itself with an EC2 error, as EC2 would
 * send it (an HTTP status and the XML error document), without moto ever seeing them: moto never refuses
 * capacity. Everything else is passed through. It also counts attempts per action, so a test can see retries.
 */
final class Ec2Proxy implements AutoCloseable {
    /** Answers requests of {@code action} whose decoded form body passes {@code when}, {@code times} times (-1: always). */
    record Rule(String action, Predicate<String> when, int status, String code, String message, AtomicInteger times) {
    }

    private final URI target;
    private final HttpServer server;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();

    Ec2Proxy(URI target) {
        this.target = target;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** EC2's answer to a request it cannot fulfil: {@code InsufficientInstanceCapacity} is an HTTP 500. */
    Ec2Proxy refuse(String action, Predicate<String> when, int status, String code, String message, int times) {
        rules.add(new Rule(action, when, status, code, message, new AtomicInteger(times)));
        return this;
    }

    void clearRules() {
        rules.clear();
    }

    int attempts(String action) {
        return attempts.getOrDefault(action, new AtomicInteger()).get();
    }

    int refused(String action) {
        return refused.getOrDefault(action, new AtomicInteger()).get();
    }

    private void handle(HttpExchange x) throws IOException {
        byte[] body = x.getRequestBody().readAllBytes();
        String form = URLDecoder.decode(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        String action = param(form, "Action");
        attempts.computeIfAbsent(action, k -> new AtomicInteger()).incrementAndGet();
        for (Rule r : rules) {
            if (r.action().equals(action) && r.when().test(form) && r.times().getAndUpdate(n -> n > 0 ? n - 1 : n) != 0) {
                refused.computeIfAbsent(action, k -> new AtomicInteger()).incrementAndGet();
                reply(x, r.status(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"
                        + r.code() + "</Code><Message>" + r.message() + "</Message></Error></Errors>"
                        + "<RequestID>spotsh-proxy</RequestID></Response>", "text/xml");
                return;
            }
        }
        forward(x, body);
    }

    private void forward(HttpExchange x, byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) target.resolve(x.getRequestURI()).toURL().openConnection();
        c.setRequestMethod(x.getRequestMethod());
        for (Map.Entry<String, List<String>> h : x.getRequestHeaders().entrySet()) {
            String name = h.getKey();
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")
                    && !name.equalsIgnoreCase("Connection") && !name.equalsIgnoreCase("Expect")) {
                c.setRequestProperty(name, String.join(",", h.getValue()));
            }
        }
        if (body.length > 0) {
            c.setDoOutput(true);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String type = c.getContentType();
        reply(x, status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8),
                type == null ? "text/xml" : type);
    }

    private static void reply(HttpExchange x, int status, String text, String contentType) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", contentType);
        x.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String param(String form, String name) {
        for (String pair : form.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return "";
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
