package io.spotsh.cloud.aws;

import io.spotsh.cloud.LaunchRequest;
import io.spotsh.common.BadInput;
import io.spotsh.common.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The aws provider's launch options ({@code cluster.launch(options: [...])}); other providers' options are
 * ignored, so one plan can name both.
 *
 * <ul>
 * <li>{@code ami}: the image; default: the region's node image recorded in the registry by {@code spotsh image bake}
 *     (the workflow fills it in), else the id in {@code <stateDir>/ami/<region>}</li>
 * <li>{@code instanceTypes}: the types EC2 may choose from (one type for the whole role); default: the
 *     request's type</li>
 * <li>{@code keyName}, {@code securityGroupIds}, {@code subnetIds}, {@code iamInstanceProfile} (name or ARN)</li>
 * <li>{@code launchMode}: {@code 'fleet'} (default: one instant EC2 Fleet per role) or {@code 'spot-request'}
 *     (RequestSpotInstances with a launch group, so a role's instances start together or not at all)</li>
 * <li>{@code spotRequestTimeout}: how long spot-request mode waits for fulfilment (default 5 minutes)</li>
 * </ul>
 */
record LaunchOptions(List<String> instanceTypes, String ami, String keyName, List<String> securityGroupIds,
                     List<String> subnetIds, String iamInstanceProfile, boolean spotRequests,
                     Duration spotRequestTimeout) {
    /** The option names, as {@link AwsProvider#launchOptions()} lists them. */
    static final List<String> NAMES = List.of("ami", "instanceTypes", "keyName", "securityGroupIds", "subnetIds",
            "iamInstanceProfile", "launchMode", "spotRequestTimeout");

    static LaunchOptions of(LaunchRequest request) {
        Map<String, Object> o = request.options();
        List<String> types = list(o.get("instanceTypes"));
        if (types.isEmpty() && request.instanceType() != null && !request.instanceType().isBlank()) {
            types = List.of(request.instanceType().strip());
        }
        if (types.isEmpty()) {
            throw new BadInput("aws launch of " + request.test() + "/" + request.role() + ": no instance type (instanceType: or options.instanceTypes)");
        }
        String mode = text(o.get("launchMode"));
        if (mode != null && !mode.equals("fleet") && !mode.equals("spot-request")) {
            throw new BadInput("aws launchMode must be 'fleet' or 'spot-request', was '" + mode + "'");
        }
        Duration timeout = o.containsKey("spotRequestTimeout")
                ? Durations.parse(o.get("spotRequestTimeout"), "aws spotRequestTimeout") : Duration.ofMinutes(5);
        return new LaunchOptions(types, text(o.get("ami")), text(o.get("keyName")), list(o.get("securityGroupIds")),
                list(o.get("subnetIds")), text(o.get("iamInstanceProfile")), "spot-request".equals(mode), timeout);
    }

    /** The type a refusal names: the request's own when EC2 could choose among several. */
    String primaryType() {
        return instanceTypes.get(0);
    }

    private static String text(Object v) {
        return v == null || String.valueOf(v).isBlank() ? null : String.valueOf(v).strip();
    }

    /** A list, or one text with commas: {@code ['sg-1', 'sg-2']} or {@code 'sg-1,sg-2'}. */
    private static List<String> list(Object v) {
        Collection<?> items = v instanceof Collection<?> c ? c : v == null ? List.of() : List.of(String.valueOf(v).split(","));
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (Object item : items) {
            String t = text(item);
            if (t != null) {
                out.add(t);
            }
        }
        return new ArrayList<>(out);
    }
}
