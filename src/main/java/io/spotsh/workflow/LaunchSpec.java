package io.spotsh.workflow;

import io.spotsh.common.BadInput;
import io.spotsh.common.Durations;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The named arguments of {@code cluster.launch(...)}, checked: an unknown or misspelt key is an error that
 * lists the known ones, so a typo never launches the wrong cluster. Besides its own keys, a launch takes the
 * chosen provider's launch options ({@link io.spotsh.cloud.Provider#launchOptions()}) as named arguments and
 * hands them to the provider with {@code options:}.
 */
record LaunchSpec(String name, String type, int dataNodes, Integer clientNodes, String provider,
                  String instanceType, Double maxPrice, String zone, Duration ttl, Map<String, Object> params,
                  boolean keep, boolean dryRun, Map<String, Object> providerOptions) {

    static final String DEFAULT_INSTANCE_TYPE = "m5d.xlarge";
    static final Duration DEFAULT_TTL = Duration.ofHours(6);

    private static final List<String> KEYS = List.of("name", "type", "dataNodes", "clientNodes", "provider",
            "instanceType", "maxPrice", "az", "ttl", "params", "keep", "dryRun", "options");

    /**
     * @param launchOptions the launch options a provider (by name) accepts; asked only when an argument is not
     *                      one of the launch's own
     */
    static LaunchSpec from(Map<String, ?> args, String defaultProvider, Function<String, List<String>> launchOptions,
                           boolean keepDefault, boolean dryRunDefault) {
        String provider = text(args, "provider", defaultProvider);
        Set<String> unknown = new TreeSet<>(args.keySet());
        unknown.removeAll(KEYS);
        List<String> providerKeys = unknown.isEmpty() ? List.of() : launchOptions.apply(provider);
        unknown.removeAll(providerKeys);
        if (!unknown.isEmpty()) {
            List<String> known = new ArrayList<>(KEYS);
            known.addAll(providerKeys);
            throw new BadInput("cluster.launch: unknown " + (unknown.size() == 1 ? "argument " : "arguments ")
                    + unknown + " (known: " + String.join(", ", known) + ")");
        }
        if (!args.containsKey("dataNodes")) {
            throw new BadInput("cluster.launch: dataNodes is required, e.g. cluster.launch(name: 'ring', dataNodes: 6)");
        }
        String type = text(args, "type", "generic");
        String name = text(args, "name", type + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Map<String, Object> options = new LinkedHashMap<>();
        if (args.get("options") instanceof Map<?, ?> given) {
            given.forEach((k, v) -> options.put(String.valueOf(k), v));
        } else if (args.containsKey("options")) {
            throw new BadInput("cluster.launch: options must be a map, e.g. options: [ami: 'ami-0123']");
        }
        for (String key : providerKeys) {
            if (args.containsKey(key)) {
                options.put(key, args.get(key));
            }
        }
        Map<String, Object> params = new LinkedHashMap<>();
        if (args.get("params") instanceof Map<?, ?> given) {
            given.forEach((k, v) -> params.put(String.valueOf(k), v));
        }
        return new LaunchSpec(name, type, integer(args, "dataNodes"),
                args.containsKey("clientNodes") ? integer(args, "clientNodes") : null,
                provider, text(args, "instanceType", DEFAULT_INSTANCE_TYPE),
                args.containsKey("maxPrice") ? number(args, "maxPrice") : null,
                args.containsKey("az") ? text(args, "az", null) : null,
                args.containsKey("ttl") ? Durations.parse(args.get("ttl"), "cluster.launch ttl") : DEFAULT_TTL,
                params, args.containsKey("keep") ? Boolean.TRUE.equals(args.get("keep")) : keepDefault,
                args.containsKey("dryRun") ? Boolean.TRUE.equals(args.get("dryRun")) : dryRunDefault, options);
    }

    /** The same launch with the test type's parameters (its defaults filled in). */
    LaunchSpec withParams(Map<String, Object> typeParams) {
        return new LaunchSpec(name, type, dataNodes, clientNodes, provider, instanceType, maxPrice, zone, ttl, typeParams,
                keep, dryRun, providerOptions);
    }

    /** The same launch with other provider options (the region's node image filled in as {@code ami}). */
    LaunchSpec withProviderOptions(Map<String, Object> options) {
        return new LaunchSpec(name, type, dataNodes, clientNodes, provider, instanceType, maxPrice, zone, ttl, params,
                keep, dryRun, options);
    }

    private static String text(Map<String, ?> args, String key, String fallback) {
        Object v = args.get(key);
        return v == null ? fallback : v.toString();
    }

    private static int integer(Map<String, ?> args, String key) {
        Object v = args.get(key);
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new BadInput("cluster.launch: " + key + " must be a whole number, was '" + v + "'");
        }
    }

    private static double number(Map<String, ?> args, String key) {
        Object v = args.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new BadInput("cluster.launch: " + key + " must be a number, was '" + v + "'");
        }
    }
}
