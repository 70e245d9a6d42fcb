package io.spotsh.types;

/**
 * One figure a load generator reported.
 *
 * @param operation what was measured ({@code SET}, {@code READ}, {@code OVERALL})
 * @param metric    {@code throughput}, {@code p50_latency}, {@code p95_latency}, {@code p99_latency}, {@code avg_latency}, ...
 * @param value     in {@code unit}
 * @param unit      {@code ops/s}, {@code ms}, {@code us}
 */
public record Metric(String operation, String metric, double value, String unit) {
    public static final String THROUGHPUT = "throughput";

    /** Throughput adds up over client nodes; a latency figure does not (the summary takes the worst). */
    public boolean isThroughput() {
        return THROUGHPUT.equals(metric);
    }
}
