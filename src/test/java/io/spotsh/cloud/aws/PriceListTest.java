package io.spotsh.cloud.aws;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On-demand prices through the real SDK's Price List client. moto has no Price List API, so a loopback HTTP server
 * answers {@code GetProducts} in the shape the AWS Price List Query API reference documents (AWS JSON 1.1, each
 * {@code PriceList} entry a JSON document with {@code product} and {@code terms.OnDemand}); and against moto the
 * provider says the price is unknown instead of failing.
 */
class PriceListTest extends OnMoto {
    private HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> targets = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** One product as GetProducts returns it (trimmed to what matters): m5.xlarge, Linux, shared, in us-east-1. */
    private static String product(String usd) {
        return "{\"product\":{\"productFamily\":\"Compute Instance\",\"attributes\":{\"instanceType\":\"m5.xlarge\","
                + "\"regionCode\":\"us-east-1\",\"operatingSystem\":\"Linux\",\"tenancy\":\"Shared\"},\"sku\":\"ABC\"},"
                + "\"serviceCode\":\"AmazonEC2\",\"terms\":{\"OnDemand\":{\"ABC.JRTCKXETXF\":{\"priceDimensions\":"
                + "{\"ABC.JRTCKXETXF.6YS6EN2CT7\":{\"unit\":\"Hrs\",\"pricePerUnit\":{\"USD\":\"" + usd + "\"},"
                + "\"description\":\"$" + usd + " per On Demand Linux m5.xlarge Instance Hour\"}},\"sku\":\"ABC\"}}},"
                + "\"version\":\"20261201\"}";
    }

    private static String quoted(String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private URI serve(int status, String answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            targets.add(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static PriceList priceList(URI endpoint) {
        return new PriceList(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")),
                "us-east-1", endpoint, Duration.ofSeconds(2), Duration.ofSeconds(5), List.of());
    }

    @Test
    void theOnDemandTermsHourlyPriceOfTheOneLinuxSharedProduct() throws IOException {
        URI endpoint = serve(200, "{\"FormatVersion\":\"aws_v1\",\"PriceList\":[" + quoted(product("0.1920000000")) + "]}");
        try (PriceList list = priceList(endpoint)) {
            assertEquals(OptionalDouble.of(0.192), list.onDemandHourly("m5.xlarge"));
            assertEquals(OptionalDouble.of(0.192), list.onDemandHourly("m5.xlarge"));
            assertNull(list.problem());
        }
        assertEquals(1, bodies.size(), "asked once per type");
        assertEquals("AWSPriceListService.GetProducts", targets.get(0));
        String asked = bodies.get(0);
        for (String filter : List.of("\"Field\":\"regionCode\",\"Value\":\"us-east-1\"",
                "\"Field\":\"instanceType\",\"Value\":\"m5.xlarge\"", "\"Field\":\"operatingSystem\",\"Value\":\"Linux\"",
                "\"Field\":\"tenancy\",\"Value\":\"Shared\"", "\"Field\":\"capacitystatus\",\"Value\":\"Used\"",
                "\"Field\":\"preInstalledSw\",\"Value\":\"NA\"")) {
            assertTrue(asked.contains(filter), "filter " + filter + " in " + asked);
        }
        assertTrue(asked.contains("\"ServiceCode\":\"AmazonEC2\""), asked);
    }

    @Test
    void twoDifferentPricesAreAmbiguousAndGiveNone() throws IOException {
        URI endpoint = serve(200, "{\"FormatVersion\":\"aws_v1\",\"PriceList\":[" + quoted(product("0.192"))
                + "," + quoted(product("0.384")) + "]}");
        try (PriceList list = priceList(endpoint)) {
            assertTrue(list.onDemandHourly("m5.xlarge").isEmpty());
            assertTrue(list.problem().contains("no single on-demand Linux price for m5.xlarge in us-east-1 (2 products matched)"),
                    list.problem());
        }
    }

    @Test
    void aRefusalLeavesThePriceUnknownAndSaysWhy() throws IOException {
        URI endpoint = serve(400, "{\"__type\":\"AccessDeniedException\",\"Message\":\"User is not authorized to perform"
                + " pricing:GetProducts\"}");
        try (PriceList list = priceList(endpoint)) {
            assertTrue(list.onDemandHourly("m5.xlarge").isEmpty());
            assertTrue(list.problem().contains("AccessDeniedException"), list.problem());
            assertTrue(list.problem().contains("pricing:GetProducts"), list.problem());
        }
    }

    @Test
    void productsAreReadFromTheDocumentedShape() {
        assertEquals(OptionalDouble.of(0.35), PriceList.hourly(List.of(product("0.3500000000"))));
        assertEquals(OptionalDouble.empty(), PriceList.hourly(List.of()));
        // a zero-priced dimension (a reservation's upfront part) is not an hourly price
        assertEquals(OptionalDouble.empty(), PriceList.hourly(List.of(product("0.0000000000"))));
    }

    @Test
    void onMotoWhichHasNoPriceListThePriceIsUnknownNotAnError() {
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), stateDir)) {
            assertTrue(aws.onDemandHourly(AwsTestKit.TYPE).isEmpty());
            assertNotNull(aws.onDemandProblem());
            assertTrue(aws.onDemandProblem().contains(AwsTestKit.TYPE), aws.onDemandProblem());
        }
    }
}
