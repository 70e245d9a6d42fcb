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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A small HTTP proxy in front of moto (the fault injector) that answers chosen EC2 requests itself, as EC2 would
 * send it, without moto ever seeing them: an error as an HTTP status and the XML error document
 * ({@link #refuse}), or a 200 answer such as an instant fleet's {@code Errors} ({@link #answer},
 * {@link #fleetErrors}). moto never refuses capacity, never throttles and is never eventually consistent.
 * Everything else is passed through. It also counts attempts per action, so a test can see retries.
 */
final class Ec2Proxy implements AutoCloseable {
    /** Answers requests of {@code action} whose decoded form body passes {@code when}, {@code times} times (-1: always). */
    record Rule(String action, Predicate<String> when, int status, Function<String, String> body, AtomicInteger times) {
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
        return refuse(action, when, status, code, form -> message, times);
    }

    /** An error whose message depends on the request, e.g. naming the instance id it was asked about. */
    Ec2Proxy refuse(String action, Predicate<String> when, int status, String code, Function<String, String> message,
                    int times) {
        rules.add(new Rule(action, when, status, form -> "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors>"
                + "<Error><Code>" + code + "</Code><Message>" + message.apply(form) + "</Message></Error></Errors>"
                + "<RequestID>spotsh-proxy</RequestID></Response>", new AtomicInteger(times)));
        return this;
    }

    /** A 200 answer with {@code xml} as its body. */
    Ec2Proxy answer(String action, Predicate<String> when, String xml, int times) {
        rules.add(new Rule(action, when, 200, form -> xml, new AtomicInteger(times)));
        return this;
    }

    /**
     * An instant fleet that launched nothing, as EC2 answers it: HTTP 200, a fleet id, the reason in
     * {@code errorSet} and an empty {@code fleetInstanceSet} (EC2 API reference, CreateFleet, Errors).
     */
    static String fleetErrors(String code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateFleetResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>spotsh-proxy</requestId><fleetId>fleet-" + UUID.randomUUID() + "</fleetId>"
                + "<errorSet><item><errorCode>" + code + "</errorCode><errorMessage>" + message + "</errorMessage>"
                + "<lifecycle>spot</lifecycle></item></errorSet><fleetInstanceSet/></CreateFleetResponse>";
    }

    /** The value of form parameter {@code name} of a decoded request body. */
    static String param(String form, String name) {
        for (String pair : form.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return "";
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
                reply(x, r.status(), r.body().apply(form), "text/xml");
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

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
