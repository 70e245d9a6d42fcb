package io.spotsh.cloud;

import java.util.List;

/**
 * An optional ability of a provider: check a launch without launching anything ({@code --dry-run}). The cloud
 * is asked whether the requests would be accepted (EC2's {@code DryRun=true}), and the answer carries the
 * requests as they would be sent and what the instances would cost an hour.
 *
 * <pre>{@code
 * if (cloud instanceof DryRun dry) {
 *     DryRun.Plan plan = dry.dryRun(request);
 *     plan.requests().forEach(out::println);
 *     out.printf("%s; about $%.2f/h%n", plan.verdict(), plan.hourlyUsd());
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
     */
    record Plan(List<String> requests, boolean wouldLaunch, String verdict, double hourlyUsd) {
        public Plan {
            requests = List.copyOf(requests);
        }
    }
}
