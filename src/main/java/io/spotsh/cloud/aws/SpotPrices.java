package io.spotsh.cloud.aws;

import io.spotsh.cloud.Zone;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryRequest;
import software.amazon.awssdk.services.ec2.model.SpotPrice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Spot prices from {@code DescribeSpotPriceHistory} (Linux): the latest per zone, cheapest first, for choosing
 * where to launch; and what an instance cost over a span by the price steps in effect, for {@code cluster.cost()}.
 */
final class SpotPrices {
    private static final List<String> PRODUCTS = List.of("Linux/UNIX", "Linux/UNIX (Amazon VPC)");

    private final Ec2 ec2;

    SpotPrices(Ec2 ec2) {
        this.ec2 = ec2;
    }

    /** Zones offering {@code instanceType} with their latest spot price, cheapest first (then by name). */
    List<Zone> zones(String instanceType) {
        Instant now = Instant.now();
        Map<String, SpotPrice> latest = new HashMap<>();
        for (SpotPrice p : history(b -> b.instanceTypesWithStrings(instanceType).startTime(now).endTime(now))) {
            latest.merge(p.availabilityZone(), p, (a, b) -> a.timestamp().isAfter(b.timestamp()) ? a : b);
        }
        List<Zone> zones = new ArrayList<>();
        latest.forEach((zone, p) -> zones.add(new Zone(zone, instanceType, Double.parseDouble(p.spotPrice()))));
        zones.sort(Comparator.comparingDouble(Zone::spotPrice).thenComparing(Zone::name));
        return zones;
    }

    /** The latest spot price of {@code instanceType} in {@code zone}, 0 when EC2 lists none. */
    double latest(String zone, String instanceType) {
        return zones(instanceType).stream().filter(z -> z.name().equals(zone)).mapToDouble(Zone::spotPrice)
                .findFirst().orElse(0);
    }

    /** USD one instance cost from {@code from} to {@code to}: each price step × the seconds it was in effect. */
    double cost(String zone, String instanceType, Instant from, Instant to) {
        if (!to.isAfter(from)) {
            return 0;
        }
        List<SpotPrice> steps = new ArrayList<>();
        for (SpotPrice p : history(b -> b.instanceTypesWithStrings(instanceType).availabilityZone(zone)
                .startTime(from).endTime(to))) {
            if (zone.equals(p.availabilityZone())) { // some EC2 look-alikes ignore the zone filter
                steps.add(p);
            }
        }
        if (steps.isEmpty()) {
            return latest(zone, instanceType) * hours(from, to);
        }
        steps.sort(Comparator.comparing(SpotPrice::timestamp));
        double usd = 0;
        for (int n = 0; n < steps.size(); n++) {
            // the first step also covers the time before it: EC2 returns the price in effect at the start
            Instant start = n == 0 ? from : max(from, steps.get(n).timestamp());
            Instant end = n + 1 < steps.size() ? min(to, steps.get(n + 1).timestamp()) : to;
            if (end.isAfter(start)) {
                usd += Double.parseDouble(steps.get(n).spotPrice()) * hours(start, end);
            }
        }
        return usd;
    }

    private List<SpotPrice> history(java.util.function.Consumer<DescribeSpotPriceHistoryRequest.Builder> query) {
        return ec2.call("DescribeSpotPriceHistory", c -> c.describeSpotPriceHistoryPaginator(b -> {
            query.accept(b);
            b.productDescriptions(PRODUCTS).maxResults(1000);
        }).spotPriceHistory().stream().toList());
    }

    private static double hours(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 3_600_000.0;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
