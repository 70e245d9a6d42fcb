package io.spotsh.collect;

import io.spotsh.types.Metric;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The latency histograms a load tool keeps per client and operation (YCSB's {@code <phase>-<OPERATION>.hdr}, an
 * HdrHistogram interval log in microseconds), and cluster-wide figures from their merge: a percentile of the
 * merged histogram is the percentile of every client's samples together, which no figure of one client gives.
 */
final class Histograms {
    private static final Pattern PERCENTILE = Pattern.compile("p(\\d+(?:\\.\\d+)?)_latency");
    private static final java.util.Set<String> OTHERS = java.util.Set.of("avg_latency", "min_latency", "max_latency");

    private Histograms() {
    }

    /** Every interval of one log added up: YCSB writes one interval per status tick and the rest at its end. */
    static Histogram read(Path file) {
        HistogramLogReader reader;
        try {
            reader = new HistogramLogReader(file.toFile());
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("cannot read the histogram log " + file + ": " + e.getMessage(), e);
        }
        try {
            Histogram total = null;
            for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
                if (!(h instanceof Histogram interval)) {
                    throw new IllegalArgumentException(file + " holds a " + h.getClass().getSimpleName()
                            + ", not integer latencies");
                }
                total = add(total, interval);
            }
            if (total == null) {
                throw new IllegalArgumentException(file + " holds no histogram");
            }
            return total;
        } finally {
            reader.close();
        }
    }

    /** The histograms added up, bucket by bucket; the result grows to hold whatever range they cover. */
    static Histogram merge(List<Histogram> histograms) {
        Histogram merged = null;
        for (Histogram h : histograms) {
            merged = add(merged, h);
        }
        if (merged == null) {
            throw new IllegalArgumentException("no histograms to merge");
        }
        return merged;
    }

    private static Histogram add(Histogram into, Histogram h) {
        if (into == null) {
            Histogram first = new Histogram(h.getNumberOfSignificantValueDigits());  // auto-resizing
            first.add(h);
            return first;
        }
        into.add(h);
        return into;
    }

    /**
     * The figure {@code metric} (as the YCSB parser names them: {@code p99_latency}, {@code avg_latency},
     * {@code min_latency}, {@code max_latency}) of a histogram in microseconds, in milliseconds; NaN for a
     * metric a histogram does not give (throughput, counts). Percentiles and max are what YCSB's own report
     * takes from its histogram ({@code getValueAtPercentile}, {@code getMaxValue}); the mean is the histogram's,
     * within its precision of YCSB's exact one.
     */
    static double millis(Histogram h, String metric) {
        Matcher p = PERCENTILE.matcher(metric);
        double micros;
        if (p.matches()) {
            micros = h.getValueAtPercentile(Double.parseDouble(p.group(1)));
        } else {
            micros = switch (metric) {
                case "avg_latency" -> h.getMean();
                case "min_latency" -> h.getMinValue();
                case "max_latency" -> h.getMaxValue();
                default -> Double.NaN;
            };
        }
        return micros / 1000.0;
    }

    /** Whether a histogram gives {@code m}: the latency figures in milliseconds. */
    static boolean gives(Metric m) {
        return m.unit().equals("ms") && (PERCENTILE.matcher(m.metric()).matches() || OTHERS.contains(m.metric()));
    }
}
