package io.spotsh.cloud.local;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The local cloud's IMDSv2 on loopback: a token first (PUT with a TTL), then values with it; another instance's
 * token, no token, an ended instance or a path it lacks get no value; the port is taken again after a restart.
 */
class MetadataServerTest {
    private Path dir;
    private Path meta;
    private final Map<String, Path> live = new java.util.concurrent.ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void layOut() throws IOException {
        dir = Files.createTempDirectory("spotsh-metadata");
        meta = Files.createDirectories(dir.resolve("i-0123456789abcdef0/meta-data/spot"));
        meta = meta.getParent();
        Files.writeString(meta.resolve("instance-id"), "i-0123456789abcdef0\n");
        live.put("i-0123456789abcdef0", meta);
        live.put("i-00000000000000001", Files.createDirectories(dir.resolve("i-00000000000000001/meta-data")));
    }

    @AfterEach
    void clean() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token(MetadataServer server, String id) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(server.baseUrl(id) + "/latest/api/token"))
                .header(MetadataServer.TTL_HEADER, "60").PUT(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private HttpResponse<String> get(MetadataServer server, String id, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl(id) + "/latest/meta-data/" + path)).GET();
        if (token != null) {
            b.header(MetadataServer.TOKEN_HEADER, token);
        }
        return send(b);
    }

    @Test
    void servesValuesOnlyWithTheInstancesOwnToken() throws Exception {
        String id = "i-0123456789abcdef0";
        try (MetadataServer server = new MetadataServer(dir, live::get)) {
            String token = token(server, id);
            assertEquals(401, get(server, id, "instance-id", null).statusCode());
            assertEquals(401, get(server, id, "instance-id", token(server, "i-00000000000000001")).statusCode(),
                    "another instance's token");
            assertEquals(400, send(HttpRequest.newBuilder(URI.create(server.baseUrl(id) + "/latest/api/token"))
                    .PUT(HttpRequest.BodyPublishers.noBody())).statusCode(), "a token needs a TTL");
            assertEquals(405, send(HttpRequest.newBuilder(URI.create(server.baseUrl(id) + "/latest/api/token")).GET()).statusCode());

            assertEquals("i-0123456789abcdef0", get(server, id, "instance-id", token).body());
            assertEquals(404, get(server, id, "spot/instance-action", token).statusCode(), "no notice yet");
            Files.writeString(meta.resolve("spot/instance-action"), "{\"action\": \"terminate\", \"time\": \"2026-12-06T12:04:10Z\"}\n");
            HttpResponse<String> notice = get(server, id, "spot/instance-action", token);
            assertEquals(200, notice.statusCode());
            assertEquals("{\"action\": \"terminate\", \"time\": \"2026-12-06T12:04:10Z\"}", notice.body());
            assertEquals(404, get(server, id, "../../i-00000000000000001/meta-data/x", token).statusCode());

            live.remove(id);
            assertEquals(404, get(server, id, "instance-id", token).statusCode(), "an ended instance has no metadata");
        }
    }

    @Test
    void aRestartedServerTakesItsPortAgain() throws Exception {
        String first;
        try (MetadataServer server = new MetadataServer(dir, live::get)) {
            first = server.baseUrl("i-0123456789abcdef0");
        }
        try (MetadataServer again = new MetadataServer(dir, live::get)) {
            assertEquals(first, again.baseUrl("i-0123456789abcdef0"), "running nodes keep their URL");
            assertNotEquals("", token(again, "i-0123456789abcdef0"));
        }
    }
}
