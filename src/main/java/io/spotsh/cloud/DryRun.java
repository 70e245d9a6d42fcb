package io.spotsh.cloud;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optional ability of a provider: check a launch without launching anything ({@code --dry-run}). The cloud
 * is asked whether the requests would be accepted (EC2's {@code DryRun=true}), and the answer carries the
 * requests as they would be sent, what was asked for in a form a table shows, and what the instances would cost
 * an hour.
 *
 * <pre>{@code
 * if (cloud instanceof DryRun dry) {
 *     DryRun.Plan plan = dry.dryRun(request);
 *     out.printf("%d %s %s in %s, $%.3f/h: %s%n", plan.asked().count(), plan.asked().role(),
 *             plan.asked().instanceType(), plan.asked().zone(), plan.hourlyUsd(), plan.verdict());
 *     Files.write(requestsFile, plan.requests());
 * }
 * }</pre>
 */
public interface DryRun {
    /** Checks {@code request} with the cloud; launches nothing. Bad input is thrown as it would be by launch. */
    Plan dryRun(LaunchRequest request);

    /**
     * @param requests    the API requests a launch would send, one line each, secrets (userdata) left out
     * @param wouldLaunch whether the cloud said the requests would have succeeded
     * @param verdict     the cloud's words: "would succeed", or its error code and message
     * @param hourlyUsd   count × the zone's current spot price for the type (USD per hour)
     * @param asked       what the requests ask for, one row of the dry run's table
     */
    record Plan(List<String> requests, boolean wouldLaunch, String verdict, double hourlyUsd, Asked asked) {
        public Plan {
            requests = List.copyOf(requests);
        }
    }

    /**
     * What one request asks for, as a person checks it before paying for it.
     *
     * @param instanceType the type, or the allowed types in preference order joined by {@code |}
     * @param maxPrice     the highest spot price per instance-hour; null: the cloud's default (the on-demand price)
     * @param spotUsd      the zone's current spot price of the (first) type, per instance-hour; null when unknown
     * @param onDemandUsd  its on-demand price per instance-hour; null when the dry run cannot tell (a caller may
     *                     then ask {@link OnDemandPrices})
     * @param image        the machine image the instances boot; null when the provider has none
     */
    record Asked(String role, int count, String instanceType, String zone, Double maxPrice, Double spotUsd,
                 Double onDemandUsd, Map<String, String> tags, String image) {
        public Asked {
            tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));  // in the order the cloud shows them
        }
    }
}
