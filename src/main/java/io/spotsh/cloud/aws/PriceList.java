package io.spotsh.cloud.aws;

import groovy.json.JsonSlurper;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.pricing.PricingClientBuilder;
import software.amazon.awssdk.services.pricing.model.Filter;
import software.amazon.awssdk.services.pricing.model.FilterType;
import software.amazon.awssdk.services.pricing.model.GetProductsResponse;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * On-demand prices from the AWS Price List Query API ({@code GetProducts} of service {@code AmazonEC2}; Billing
 * user guide, "Using the AWS Price List Query API"): Linux, shared tenancy, no pre-installed software, capacity
 * status {@code Used} — the one product a plain on-demand instance of a type is billed as in a region. The API is
 * served from us-east-1 whatever region the instances run in, and needs {@code pricing:GetProducts}; an answer
 * is kept per type for the provider's life (list prices change a few times a year). Unreachable, refused or
 * ambiguous → empty, with the reason kept for {@link #problem()}: the cost report then leaves the on-demand figures
 * out and says why.
 */
final class PriceList implements AutoCloseable {
    /** Where the Price List Query API answers (also eu-central-1 and ap-south-1; any of them lists every region). */
    static final Region SERVED_FROM = Region.US_EAST_1;

    private final PricingClient client;
    private final String region;
    private final Map<String, OptionalDouble> known = new ConcurrentHashMap<>();
    private volatile String problem;

    /**
     * @param endpoint an override (LocalStack serves this API beside EC2; moto does not, and the prices stay
     *                 unknown); null for AWS's own endpoint
     */
    PriceList(IdentityProvider<? extends AwsCredentialsIdentity> credentials, String region, URI endpoint,
              Duration connectTimeout, Duration readTimeout, List<ExecutionInterceptor> interceptors) {
        PricingClientBuilder builder = PricingClient.builder()
                .region(SERVED_FROM)
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(connectTimeout)
                        .socketTimeout(readTimeout))
                .overrideConfiguration(o -> o
                        .apiCallTimeout(Duration.ofSeconds(30))
                        .executionInterceptors(List.copyOf(interceptors)));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        this.client = builder.build();
        this.region = region;
    }

    /** USD an hour for one on-demand Linux instance of the type in this region; empty when the list cannot tell. */
    OptionalDouble onDemandHourly(String instanceType) {
        if (instanceType == null) {
            return OptionalDouble.empty();
        }
        return known.computeIfAbsent(instanceType, this::ask);
    }

    private OptionalDouble ask(String instanceType) {
        List<String> products = new ArrayList<>();
        try {
            String token = null;
            do {
                String next = token;
                GetProductsResponse page = client.getProducts(q -> q.serviceCode("AmazonEC2").formatVersion("aws_v1")
                        .filters(term("regionCode", region), term("instanceType", instanceType),
                                term("operatingSystem", "Linux"), term("tenancy", "Shared"),
                                term("preInstalledSw", "NA"), term("capacitystatus", "Used"),
                                term("licenseModel", "No License required"))
                        .maxResults(100).nextToken(next));
                products.addAll(page.priceList());
                token = page.nextToken();
            } while (token != null && !token.isEmpty());
        } catch (SdkException e) {
            problem = "the AWS Price List API did not give the on-demand price of " + instanceType + " in " + region
                    + " (" + (e instanceof AwsServiceException s ? Ec2Errors.code(s) + ": " + Ec2Errors.message(s)
                    : e.getClass().getSimpleName() + ": " + e.getMessage()) + ")";
            return OptionalDouble.empty();
        }
        OptionalDouble price = hourly(products);
        if (price.isEmpty()) {
            problem = "the AWS Price List has no single on-demand Linux price for " + instanceType + " in " + region
                    + " (" + products.size() + " products matched)";
        }
        return price;
    }

    /**
     * The hourly USD price of the products' on-demand terms ({@code terms.OnDemand.*.priceDimensions.*} with unit
     * {@code Hrs}); empty unless exactly one distinct price is found, so an ambiguous filter never picks one.
     */
    static OptionalDouble hourly(List<String> products) {
        java.util.Set<Double> prices = new java.util.TreeSet<>();
        for (String text : products) {
            Object product = new JsonSlurper().parseText(text);
            for (Object term : values(path(product, "terms", "OnDemand"))) {
                for (Object dimension : values(path(term, "priceDimensions"))) {
                    Object unit = path(dimension, "unit");
                    Object usd = path(dimension, "pricePerUnit", "USD");
                    if ("Hrs".equals(unit) && usd != null) {
                        double value = Double.parseDouble(usd.toString());
                        if (value > 0) {
                            prices.add(value);
                        }
                    }
                }
            }
        }
        return prices.size() == 1 ? OptionalDouble.of(prices.iterator().next()) : OptionalDouble.empty();
    }

    private static Filter term(String field, String value) {
        return Filter.builder().type(FilterType.TERM_MATCH).field(field).value(value).build();
    }

    private static Object path(Object node, String... keys) {
        Object at = node;
        for (String key : keys) {
            if (!(at instanceof Map<?, ?> map)) {
                return null;
            }
            at = map.get(key);
        }
        return at;
    }

    private static Iterable<?> values(Object node) {
        return node instanceof Map<?, ?> map ? map.values() : List.of();
    }

    /** Why the last unknown price is unknown; null while every answer was a price. */
    String problem() {
        return problem;
    }

    @Override
    public void close() {
        client.close();
    }
}
