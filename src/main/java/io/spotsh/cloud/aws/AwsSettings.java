package io.spotsh.cloud.aws;

import io.spotsh.common.BadInput;
import io.spotsh.common.Durations;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The aws provider's settings, from the command line ({@code --aws-endpoint}, {@code --region}, {@code --profile})
 * or a plan. Anything left out comes from the SDK's standard chains (environment, profiles, instance role).
 *
 * @param endpoint       an EC2-compatible endpoint such as moto's {@code http://127.0.0.1:5000}; null for AWS itself
 * @param region         null: the profile's or the SDK's region chain
 * @param profile        a named profile of {@code ~/.aws/config}; null: the default credential chain
 * @param connectTimeout TCP connect timeout of each attempt
 * @param readTimeout    socket read timeout of each attempt
 * @param maxAttempts    attempts per call, for throttling and transient errors (never for capacity refusals)
 */
public record AwsSettings(URI endpoint, String region, String profile, Duration connectTimeout,
                          Duration readTimeout, int maxAttempts) {

    static final Set<String> KEYS = Set.of("endpoint", "region", "profile", "connectTimeout", "readTimeout",
            "maxAttempts");

    public static AwsSettings from(Map<String, Object> settings) {
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new BadInput("aws provider: unknown settings " + unknown + " (known: " + new TreeSet<>(KEYS) + ")");
        }
        return new AwsSettings(endpoint(text(settings, "endpoint")), text(settings, "region"),
                text(settings, "profile"),
                duration(settings, "connectTimeout", Duration.ofSeconds(5)),
                duration(settings, "readTimeout", Duration.ofSeconds(30)),
                attempts(settings.get("maxAttempts")));
    }

    /** The endpoint as users typed it, for messages. */
    String endpointText() {
        return endpoint == null ? "the AWS EC2 endpoint of " + (region == null ? "the default region" : region)
                : endpoint.toString();
    }

    private static URI endpoint(String text) {
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new BadInput("--aws-endpoint must be an http(s) URL such as http://127.0.0.1:5000, was '" + text + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new BadInput("--aws-endpoint is not a URL: '" + text + "'", e);
        }
    }

    private static String text(Map<String, Object> settings, String key) {
        Object v = settings.get(key);
        return v == null || String.valueOf(v).isBlank() ? null : String.valueOf(v).trim();
    }

    private static Duration duration(Map<String, Object> settings, String key, Duration fallback) {
        return settings.containsKey(key) ? Durations.parse(settings.get(key), "aws " + key) : fallback;
    }

    private static int attempts(Object value) {
        if (value == null) {
            return 5;
        }
        try {
            int n = Integer.parseInt(String.valueOf(value).trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadInput("aws maxAttempts must be a whole number from 1, was '" + value + "'");
    }
}
