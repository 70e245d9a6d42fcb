package io.spotsh.cloud;

import java.util.Map;

/**
 * N instances of one role, in one zone, with userdata and tags.
 *
 * @param maxPrice  highest spot price per instance-hour, or null for the cloud's default (on-demand price)
 * @param userData  the rendered boot script ({@link io.spotsh.node.UserData}); every provider runs the same text
 * @param options   provider-specific settings (AMI, subnet, the local cloud's fault injection, ...)
 */
public record LaunchRequest(String test, String role, int count, String zone, String instanceType,
                            Double maxPrice, String userData, Map<String, String> tags,
                            Map<String, Object> options) {
    public LaunchRequest {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        options = options == null ? Map.of() : Map.copyOf(options);
    }
}
