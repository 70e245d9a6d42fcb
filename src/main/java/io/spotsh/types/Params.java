package io.spotsh.types;

import io.spotsh.common.BadInput;

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

    /** A whole number parameter, at least {@code min}. */
    public static long number(Map<String, Object> params, String name, long min) {
        Object v = params.get(name);
        long n;
        if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            n = num.longValue();
        } else {
            try {
                n = Long.parseLong(String.valueOf(v).trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new BadInput("parameter " + name + " must be a whole number, was '" + v + "'");
            }
        }
        if (n < min) {
            throw new BadInput("parameter " + name + " must be at least " + min + ", was " + n);
        }
        return n;
    }

    public static int integer(Map<String, Object> params, String name, int min) {
        long n = number(params, name, min);
        if (n > Integer.MAX_VALUE) {
            throw new BadInput("parameter " + name + " is too large: " + n);
        }
        return (int) n;
    }

    public static String text(Map<String, Object> params, String name) {
        Object v = params.get(name);
        if (v == null || String.valueOf(v).isBlank()) {
            throw new BadInput("parameter " + name + " must not be empty");
        }
        return String.valueOf(v);
    }
}
