package io.spotsh.cloud.local;

import io.spotsh.cloud.CapacityException;
import io.spotsh.common.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The fault-injection options of one launch request, read once and turned into a plan per instance.
 * The option names and forms are listed in the README ("The local cloud").
 */
final class LaunchFaults {
    /** The option names, as {@link LocalProvider#launchOptions()} lists them. */
    static final List<String> OPTIONS = List.of("dudRate", "slowBoot", "sshUnreachableRate", "reclaim", "capacity",
            "seed", "disks");
    private static final int MAX_DISKS = 8;

    /** What happens to one instance of the request. */
    record Plan(boolean dud, boolean sshUnreachable, Duration bootDelay, Duration reclaimAfter, Duration notice) {
    }

    /** One reclaim wave: which instances (a count, or indexes / ids of this request), when, and with what notice. */
    private record Reclaim(int count, List<Object> nodes, Duration after, Duration notice) {
    }

    private final double dudRate;
    private final double sshUnreachableRate;
    private final Duration[] slowBoot;
    private final List<Reclaim> reclaims;
    private final Map<String, Integer> capacity;
    private final Random random;
    private final int disks;

    private LaunchFaults(Map<String, Object> options) {
        for (String key : options.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new IllegalArgumentException("unknown local cloud launch option '" + key + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(OPTIONS)) + ")");
            }
        }
        dudRate = rate("dudRate", options.get("dudRate"));
        sshUnreachableRate = rate("sshUnreachableRate", options.get("sshUnreachableRate"));
        slowBoot = options.containsKey("slowBoot") ? range("slowBoot", options.get("slowBoot"))
                : new Duration[] {Duration.ZERO, Duration.ZERO};
        reclaims = reclaims(options.get("reclaim"));
        capacity = capacity(options.get("capacity"));
        random = options.containsKey("seed") ? new Random(number("seed", options.get("seed")).longValue()) : new Random();
        disks = options.containsKey("disks") ? number("disks", options.get("disks")).intValue() : 2;
        if (disks < 1 || disks > MAX_DISKS) {
            throw new IllegalArgumentException("disks must be 1.." + MAX_DISKS + ", not " + disks);
        }
    }

    static LaunchFaults parse(Map<String, Object> options) {
        return new LaunchFaults(options == null ? Map.of() : options);
    }

    /** Refuses a request for {@code count} more in a zone with {@code live} instances that has no room for them. */
    void checkCapacity(String zone, String type, int count, long live) {
        Integer limit = capacity.get(zone);
        long room = limit == null ? Long.MAX_VALUE : Math.max(0, limit - live);
        if (count > room) {
            throw new CapacityException(zone, type, "InsufficientInstanceCapacity", "There is no spot capacity for "
                    + count + " " + type + " in " + zone + ": " + zone + " has capacity for " + room + " more ("
                    + live + " of " + limit + " in use); try another zone or fewer instances");
        }
    }

    /** {@code " (2 duds, 1 without SSH, 1 to be reclaimed)"}, or nothing for a healthy launch. */
    static String summary(List<Plan> plans) {
        long duds = plans.stream().filter(Plan::dud).count();
        long unreachable = plans.stream().filter(Plan::sshUnreachable).count();
        long reclaims = plans.stream().filter(p -> p.reclaimAfter() != null).count();
        return duds + unreachable + reclaims == 0 ? ""
                : " (" + duds + " duds, " + unreachable + " without SSH, " + reclaims + " to be reclaimed)";
    }

    int disks() {
        return disks;
    }

    /** One plan per instance; {@code ids} are the new instances' ids, in request order (reclaim may name them). */
    List<Plan> plan(List<String> ids) {
        int n = ids.size();
        Set<Integer> duds = pick(n, dudRate, Set.of());
        Set<Integer> unreachable = pick(n, sshUnreachableRate, duds);
        Map<Integer, Reclaim> reclaimed = new LinkedHashMap<>();
        for (Reclaim r : reclaims) {
            for (int i : reclaimTargets(r, ids, duds)) {
                reclaimed.putIfAbsent(i, r);
            }
        }
        List<Plan> plans = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Reclaim r = reclaimed.get(i);
            plans.add(new Plan(duds.contains(i), unreachable.contains(i), bootDelay(),
                    r == null ? null : r.after(), r == null ? null : r.notice()));
        }
        return plans;
    }

    private Duration bootDelay() {
        long min = slowBoot[0].toMillis();
        long spread = slowBoot[1].toMillis() - min;
        return Duration.ofMillis(min + (spread == 0 ? 0 : (long) (random.nextDouble() * (spread + 1))));
    }

    /** rate × n instances, the fraction rounded up or down at random, so the expected count is exact. */
    private Set<Integer> pick(int n, double rate, Set<Integer> excluded) {
        double expected = rate * n;
        int count = (int) Math.floor(expected) + (random.nextDouble() < expected - Math.floor(expected) ? 1 : 0);
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!excluded.contains(i)) {
                candidates.add(i);
            }
        }
        Collections.shuffle(candidates, random);
        return new HashSet<>(candidates.subList(0, Math.min(count, candidates.size())));
    }

    /** A count picks instances that will boot (duds only when there are too few others); nodes name them. */
    private List<Integer> reclaimTargets(Reclaim r, List<String> ids, Set<Integer> duds) {
        List<Integer> targets = new ArrayList<>();
        if (r.nodes() != null) {
            for (Object node : r.nodes()) {
                int index = node instanceof Number num ? num.intValue() : ids.indexOf(String.valueOf(node));
                if (index < 0 || index >= ids.size()) {
                    throw new IllegalArgumentException("reclaim: '" + node + "' is neither an index 0.."
                            + (ids.size() - 1) + " nor an id of this request");
                }
                targets.add(index);
            }
            return targets;
        }
        List<Integer> booting = new ArrayList<>();
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            (duds.contains(i) ? others : booting).add(i);
        }
        Collections.shuffle(booting, random);
        Collections.shuffle(others, random);
        booting.addAll(others);
        return booting.subList(0, Math.min(r.count(), booting.size()));
    }

    private static List<Reclaim> reclaims(Object value) {
        if (value == null) {
            return List.of();
        }
        Collection<?> waves = value instanceof Map<?, ?> ? List.of(value) : value instanceof Collection<?> c ? c : null;
        if (waves == null) {
            throw new IllegalArgumentException("reclaim must be a map like [count: 1, after: '30s', notice: '5s']"
                    + " or a list of such maps");
        }
        List<Reclaim> list = new ArrayList<>();
        for (Object wave : waves) {
            if (!(wave instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("reclaim: each wave is a map, not '" + wave + "'");
            }
            Object nodes = m.get("nodes");
            if (nodes != null && !(nodes instanceof Collection<?>)) {
                throw new IllegalArgumentException("reclaim: nodes is a list of indexes or ids, not '" + nodes + "'");
            }
            int count = m.containsKey("count") ? number("reclaim count", m.get("count")).intValue() : 1;
            list.add(new Reclaim(count, nodes == null ? null : new ArrayList<>((Collection<?>) nodes),
                    Durations.parse(m.containsKey("after") ? m.get("after") : "0s", "reclaim after"),
                    Durations.parse(m.containsKey("notice") ? m.get("notice") : "120s", "reclaim notice")));
        }
        return list;
    }

    /** {@code "2s..20s"}, {@code [2, 20]} (seconds) or one duration (no spread): {@code [min, max]}. */
    private static Duration[] range(String what, Object value) {
        Object low = value;
        Object high = value;
        if (value instanceof List<?> list && list.size() == 2) {
            low = list.get(0);
            high = list.get(1);
        } else if (value instanceof CharSequence text && text.toString().contains("..")) {
            String[] parts = text.toString().split("\\.\\.", 2);
            low = parts[0];
            high = parts[1];
        }
        Duration min = Durations.parse(low, what);
        Duration max = Durations.parse(high, what);
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException(what + ": the range " + value + " ends before it starts");
        }
        return new Duration[] {min, max};
    }

    private static Map<String, Integer> capacity(Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("capacity must be a map of zone to live instances, e.g. ['local-a': 10]");
        }
        Map<String, Integer> limits = new LinkedHashMap<>();
        m.forEach((zone, limit) -> limits.put(String.valueOf(zone), number("capacity of " + zone, limit).intValue()));
        return limits;
    }

    private static double rate(String what, Object value) {
        if (value == null) {
            return 0;
        }
        double rate = number(what, value).doubleValue();
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException(what + " must be between 0 and 1, not " + value);
        }
        return rate;
    }

    private static Number number(String what, Object value) {
        if (value instanceof Number n) {
            return n;
        }
        try {
            return Double.parseDouble(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, not '" + value + "'");
        }
    }
}
