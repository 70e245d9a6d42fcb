package io.spotsh.cloud;

import java.util.OptionalDouble;

/**
 * An optional ability of a provider: what an instance type costs an hour on demand in its region (Linux, shared
 * tenancy), so a test's cost can be set beside what the same instance-hours would have cost without spot, and the
 * saving shown. Empty when the provider cannot tell right now (the price list unreachable or not allowed); callers
 * then leave the on-demand figures out rather than guess.
 *
 * <pre>{@code
 * OptionalDouble od = cloud instanceof OnDemandPrices p ? p.onDemandHourly("m5d.xlarge") : OptionalDouble.empty();
 * }</pre>
 */
public interface OnDemandPrices {
    /** USD an hour for one on-demand instance of {@code instanceType} in this provider's region. */
    OptionalDouble onDemandHourly(String instanceType);

    /** Why the last price asked for was unknown, for the user; null when every answer so far was a price. */
    default String onDemandProblem() {
        return null;
    }
}
