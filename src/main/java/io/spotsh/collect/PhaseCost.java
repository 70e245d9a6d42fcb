package io.spotsh.collect;

import java.time.Instant;
import java.util.List;

/**
 * What one workload phase cost: its window as the registry recorded it and, per role, the instance-hours its
 * instances ran inside that window and their price.
 *
 * @param roles per role; {@code onDemandUsd} is null where the provider does not know the on-demand price
 */
public record PhaseCost(String phase, Instant start, Instant end, List<RoleCost> roles) {
    /** One role's instances over the phase. */
    public record RoleCost(String role, int instances, double instanceHours, double spotUsd, Double onDemandUsd) {
    }

    public double spotUsd() {
        return roles.stream().mapToDouble(RoleCost::spotUsd).sum();
    }

    /** Null unless every role's on-demand price is known. */
    public Double onDemandUsd() {
        if (roles.isEmpty() || roles.stream().anyMatch(r -> r.onDemandUsd() == null)) {
            return null;
        }
        return roles.stream().mapToDouble(RoleCost::onDemandUsd).sum();
    }
}
