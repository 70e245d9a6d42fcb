package io.spotsh.types;

import io.spotsh.common.BadInput;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/** A test type's parameters: the operator's over the type's defaults, with typed reads that name a bad value. */
public final class Params {
    private Params() {
    }

    /** {@code given} over {@code defaults}; a name the defaults do not have is refused, naming the known ones. */
    public static Map<String, Object> merge(String type, Map<String, Object> defaults, Map<String, Object> given) {
        Map<String, Object> merged = new LinkedHashMap<>(defaults);
        for (Map.Entry<String, Object> e : given.entrySet()) {
            if (!defaults.containsKey(e.getKey())) {
                throw new BadInput("cluster.launch: test type " + type + " has no parameter '" + e.getKey()
                        + "' (known: " + String.join(", ", new TreeSet<>(defaults.keySet())) + ")");
            }
            merged.put(e.getKey(), e.getValue());
        }
        return merged;
    }

    /**
     * Checks a whole-number parameter of test type {@code type} and keeps it in {@code params} as checked, a
     * {@code Long}: what the nodes get ({@code SPOTSH_PARAM_*}) and what is stored with the test is then the value
     * that was validated ({@code 6379.0} and {@code '6_379'} become {@code 6379}), not the text the operator wrote.
     */
    public static long checkNumber(String type, Map<String, Object> params, String name, long min) {
        long n = whole(type, params, name, min);
        params.put(name, n);
        return n;
    }

    /** As {@link #checkNumber}, for a parameter that must also fit an {@code int} (kept as an {@code Integer}). */
    public static int checkInteger(String type, Map<String, Object> params, String name, int min) {
        int n = toInt(type, name, whole(type, params, name, min));
        params.put(name, n);
        return n;
    }

    /** A whole number parameter, at least {@code min}. */
    public static long number(Map<String, Object> params, String name, long min) {
        return whole(null, params, name, min);
    }

    public static int integer(Map<String, Object> params, String name, int min) {
        return toInt(null, name, whole(null, params, name, min));
    }

    /** As {@link #integer(Map, String, int)}, for checks before {@link #checkInteger}: a bad value names the test type. */
    public static int integer(String type, Map<String, Object> params, String name, int min) {
        return toInt(type, name, whole(type, params, name, min));
    }

    /** Exact: {@code 6379.0} is 6379, {@code 6379.5} and {@code 6379.0000000000001} (a Groovy BigDecimal) are refused. */
    private static long whole(String type, Map<String, Object> params, String name, long min) {
        Object v = params.get(name);
        BigDecimal d;
        try {
            d = v instanceof BigDecimal b ? b : new BigDecimal(String.valueOf(v).trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new BadInput(where(type, name) + " must be a whole number, was '" + v + "'");
        }
        if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
            throw new BadInput(where(type, name) + " must be a whole number, was " + v);
        }
        long n;
        try {
            n = d.longValueExact();
        } catch (ArithmeticException e) {
            throw new BadInput(where(type, name) + " is too large: " + v);
        }
        if (n < min) {
            throw new BadInput(where(type, name) + " must be at least " + min + ", was " + n);
        }
        return n;
    }

    private static int toInt(String type, String name, long n) {
        if (n > Integer.MAX_VALUE) {
            throw new BadInput(where(type, name) + " is too large: " + n);
        }
        return (int) n;
    }

    private static String where(String type, String name) {
        return type == null ? "parameter " + name : "cluster.launch: test type " + type + " parameter " + name;
    }

    public static String text(Map<String, Object> params, String name) {
        Object v = params.get(name);
        if (v == null || String.valueOf(v).isBlank()) {
            throw new BadInput("parameter " + name + " must not be empty");
        }
        return String.valueOf(v);
    }
}
