package io.spotsh.cloud.local;

import io.spotsh.cloud.CloudException;
import io.spotsh.cloud.Zone;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The local cloud's availability zones and their pretend spot prices: fixed, so plans and tests that pick
 * the cheapest zone always pick the same one. A type's spot price is its base times the zone's factor; its on-demand
 * price is the region's list price of the real type (us-east-1, Linux), so a local run shows a saving of the size a
 * real one does (spot at 15-35 % of on demand).
 */
final class LocalZones {
    static final List<String> NAMES = List.of("local-a", "local-b", "local-c");
    static final String DEFAULT_TYPE = "m1.xlarge";

    private static final Map<String, Double> FACTORS = Map.of("local-a", 1.00, "local-b", 1.10, "local-c", 0.90);
    private static final Map<String, Double> BASE_PRICES = Map.of(
            "m1.small", 0.0071, "m1.large", 0.0280, "m1.xlarge", 0.0561,
            "m5.large", 0.0354, "m5.xlarge", 0.0708, "c5.xlarge", 0.0643, "i3.xlarge", 0.0936);
    private static final double OTHER_TYPES = 0.0500;
    private static final Map<String, Double> ON_DEMAND = Map.of(
            "m1.small", 0.044, "m1.large", 0.175, "m1.xlarge", 0.350,
            "m5.large", 0.096, "m5.xlarge", 0.192, "c5.xlarge", 0.170, "i3.xlarge", 0.312);
    private static final double OTHER_TYPES_ON_DEMAND = 0.200;

    private LocalZones() {
    }

    /** Every zone with its price for the type, cheapest first. */
    static List<Zone> zones(String instanceType) {
        String type = instanceType == null ? DEFAULT_TYPE : instanceType;
        double base = BASE_PRICES.getOrDefault(type, OTHER_TYPES);
        List<Zone> zones = new ArrayList<>();
        for (String name : NAMES) {
            zones.add(new Zone(name, type, Math.round(base * FACTORS.get(name) * 10_000) / 10_000.0));
        }
        zones.sort(Comparator.comparingDouble(Zone::spotPrice));
        return zones;
    }

    /** USD an hour on demand: the same in every zone, as on EC2 within a region. */
    static double onDemand(String instanceType) {
        return ON_DEMAND.getOrDefault(instanceType == null ? DEFAULT_TYPE : instanceType, OTHER_TYPES_ON_DEMAND);
    }

    static String require(String zone) {
        if (!NAMES.contains(zone)) {
            throw new CloudException("unknown zone '" + zone + "' in the local cloud (zones: " + String.join(", ", NAMES) + ")");
        }
        return zone;
    }
}
