package io.spotsh.cloud;

import java.time.Instant;

/**
 * An optional ability of a provider: what running one instance cost by the cloud's own price history, for
 * {@code cluster.cost()}. Spot prices change while a test runs; {@link Provider#zones} only knows the latest.
 *
 * <pre>{@code
 * double usd = cloud instanceof Pricing p ? p.cost("us-east-1a", "m5d.xlarge", launched, terminated) : 0;
 * }</pre>
 */
public interface Pricing {
    /** USD one instance of {@code instanceType} cost in {@code zone} from {@code from} to {@code to}. */
    double cost(String zone, String instanceType, Instant from, Instant to);
}
