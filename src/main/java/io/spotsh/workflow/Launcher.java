package io.spotsh.workflow;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.DryRun;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.OnDemandPrices;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Tags;
import io.spotsh.cloud.Zone;
import io.spotsh.common.Log;
import io.spotsh.node.UserDataRenderer;
import io.spotsh.registry.TestInfo;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;
import io.spotsh.report.Table;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Requests a test's instances: one request per role, all roles in one zone (a launch group: the cluster comes
 * up together or not at all). When a zone refuses for capacity or price and the operator did not pin one,
 * whatever was launched there is terminated and the next zone (cheapest first) is tried; each step is an event.
 * Every instance id is recorded as expected before the request returns.
 */
final class Launcher {
    /** How long a request may keep unknown ids retrying should this process die during it: a launch call's worth. */
    static final Duration REQUEST_WINDOW = Duration.ofMinutes(10);
    /** Where {@code --dry-run} keeps the requests, under the test's results folder. */
    static final String DRY_RUN_REQUESTS = "dry-run-requests.txt";
    private static final List<String> DRY_RUN_COLUMNS = List.of("role", "count", "instance type", "zone", "max $/h",
            "spot $/h now", "on-demand $/h", "check", "image", "tags");

    private final TestRecords records;
    private final UserDataRenderer userData;
    private final Log log;

    Launcher(TestRecords records, UserDataRenderer userData, Log log) {
        this.records = records;
        this.userData = userData;
        this.log = log;
    }

    TestRun launch(LaunchSpec spec, Map<String, Integer> sizing, Provider provider) {
        int total = sizing.values().stream().mapToInt(Integer::intValue).sum();
        TestInfo test = records.create(spec.name(), spec.type(), provider.name(), spec.params(), spec.ttl());
        records.setOwner(test.name(), OwnerProcess.current().toString(), spec.keep());
        records.setRegion(test.name(), provider.region()); // before any request: a crash mid-launch is still reapable
        records.setState(test.name(), "launching");
        TestRun run = new TestRun(test.name(), spec.type(), provider, spec.zone(), spec.instanceType(),
                spec.maxPrice(), spec.providerOptions(), spec.keep(), true);
        log.log("Requesting " + total + " nodes for test " + test.name() + " (" + describe(sizing) + ") from "
                + provider.name() + "...");
        Prices prices = prices(provider, spec.instanceType(), spec.zone());
        List<String> zones = spec.zone() != null ? List.of(spec.zone())
                : names(provider, spec.instanceType(), prices.spot.keySet());
        Map<String, String> refused = new LinkedHashMap<>();
        for (String zone : zones) {
            List<Instance> launched = new ArrayList<>();
            try {
                for (Map.Entry<String, Integer> role : sizing.entrySet()) {
                    launched.addAll(request(run, test, role.getKey(), role.getValue(), zone, prices));
                }
                run.zone = zone;
                records.setState(test.name(), "running");
                return run;
            } catch (CapacityException e) {
                refused.put(zone, e.code() + ": " + e.getMessage());
                records.event(test.name(), "capacity-refused", null, null, zone + " " + e.code() + ": " + e.getMessage());
                log.log("Zone " + zone + " refused " + spec.instanceType() + ": " + e.getMessage());
                abandon(run, launched, "zone " + zone + " could not supply the whole cluster");
                if (spec.zone() != null) {
                    records.setState(test.name(), "failed");
                    throw new WorkflowException("cluster.launch " + test.name() + ": zone " + zone + " refused "
                            + spec.instanceType() + " (" + e.code() + "): " + e.getMessage()
                            + "; leave az: unset to let spotsh try other zones", e);
                }
            } catch (RuntimeException e) {
                abandon(run, launched, "launch failed: " + e.getMessage());
                records.setState(test.name(), "failed");
                throw e;
            }
        }
        records.setState(test.name(), "failed");
        throw new WorkflowException("cluster.launch " + test.name() + ": no zone could supply " + total + " "
                + spec.instanceType() + " instances; tried " + refused);
    }

    /**
     * Prints what a launch would ask for, one table row per role (role, count, type, zone, max and spot prices,
     * image, tags), and what it would cost an hour, asking the cloud where it can check ({@link DryRun}). The
     * requests themselves, a long line each, go to {@code <resultsDir>/<test>/dry-run-requests.txt}, which the
     * output names. Launches nothing and leaves no test behind.
     */
    double dryRun(LaunchSpec spec, Map<String, Integer> sizing, Provider provider, Path resultsDir) {
        // spot prices only where the dry run needs them: to pick the zone, or for a provider that cannot check
        Map<String, Double> spot = spec.zone() == null || !(provider instanceof DryRun)
                ? spotPrices(provider, spec.instanceType()) : Map.of();
        String zone = spec.zone() != null ? spec.zone() : names(provider, spec.instanceType(), spot.keySet()).get(0);
        TestInfo test = records.create(spec.name(), spec.type(), provider.name(), spec.params(), spec.ttl());
        Table table = new Table(DRY_RUN_COLUMNS);
        List<String> refusals = new ArrayList<>();
        java.util.Set<String> notes = new java.util.LinkedHashSet<>();
        StringBuilder requests = new StringBuilder();
        double hourly = 0;
        try {
            for (Map.Entry<String, Integer> role : sizing.entrySet()) {
                Map<String, String> tags = tags(test, role.getKey(), records.registryId());
                LaunchRequest request = new LaunchRequest(test.name(), role.getKey(), role.getValue(), zone,
                        spec.instanceType(), spec.maxPrice(), userData.render(test, role.getKey(), test.params()),
                        tags, spec.providerOptions());
                DryRun.Asked asked;
                String check;
                if (provider instanceof DryRun dry) {
                    DryRun.Plan plan = dry.dryRun(request);
                    asked = plan.asked();
                    check = plan.wouldLaunch() ? "would succeed" : "refused";
                    if (!plan.wouldLaunch()) {
                        refusals.add(role.getKey() + ": " + plan.verdict());
                    }
                    requests.append("# ").append(role.getKey()).append(": ").append(plan.verdict()).append('\n');
                    plan.requests().forEach(r -> requests.append(r).append('\n'));
                    hourly += plan.hourlyUsd();
                } else {
                    double price = spot.getOrDefault(zone, 0.0);
                    asked = new DryRun.Asked(role.getKey(), role.getValue(), spec.instanceType(), zone, spec.maxPrice(),
                            price > 0 ? price : null, null, tags, null);
                    check = "not checked: " + provider.name() + " has no dry run";
                    hourly += price * role.getValue();
                }
                if (asked.onDemandUsd() == null && provider instanceof OnDemandPrices list) {
                    asked = withOnDemand(asked, list, notes);
                }
                table.add(asked.role(), asked.count(), asked.instanceType(), asked.zone(),
                        asked.maxPrice() == null ? "on-demand" : usd(asked.maxPrice()), orUnknown(asked.spotUsd()),
                        orUnknown(asked.onDemandUsd()), check,
                        asked.image() == null ? "-" : asked.image(), shortTags(asked.tags()));
            }
        } finally {
            records.delete(test.name());
        }
        log.log("dry run of " + test.name() + " on " + provider.name() + " ($/h per instance):\n"
                + table.render().stripTrailing());
        refusals.forEach(r -> log.log("dry run: " + r));
        notes.forEach(n -> log.log("dry run: " + n));
        if (!requests.isEmpty()) {
            Path file = resultsDir.resolve(test.name()).resolve(DRY_RUN_REQUESTS).toAbsolutePath();
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, requests);
                log.log("dry run: the requests as they would be sent (userdata left out) are in " + file);
            } catch (IOException e) {
                log.log("dry run: cannot write the requests to " + file + ": " + e.getMessage());
            }
        }
        log.log(String.format("dry run: %d instances, about $%.3f/h; nothing launched",
                sizing.values().stream().mapToInt(Integer::intValue).sum(), hourly));
        return hourly;
    }

    /** The provider's on-demand list price of the (first) type, when its dry run did not say; why not in notes. */
    private static DryRun.Asked withOnDemand(DryRun.Asked asked, OnDemandPrices list, java.util.Set<String> notes) {
        String type = asked.instanceType().split("\\|")[0];
        OptionalDouble hourly = list.onDemandHourly(type);
        if (hourly.isEmpty()) {
            notes.add("on-demand price of " + type + " unknown: " + list.onDemandProblem());
            return asked;
        }
        return new DryRun.Asked(asked.role(), asked.count(), asked.instanceType(), asked.zone(), asked.maxPrice(),
                asked.spotUsd(), hourly.getAsDouble(), asked.tags(), asked.image());
    }

    private static Object orUnknown(Double usd) {
        return usd == null ? "unknown" : usd(usd);
    }

    /** A price per hour as EC2 quotes it: four decimals, or up to six for the smallest. */
    private static BigDecimal usd(double usd) {
        BigDecimal price = BigDecimal.valueOf(usd).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
        return price.scale() < 4 ? price.setScale(4) : price;
    }

    /** The tags in a table cell: spotsh's own first, in the order a person checks them, without their common prefix. */
    private static String shortTags(Map<String, String> tags) {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String key : List.of(Tags.TEST, Tags.ROLE, Tags.OWNER, Tags.EXPIRES, Tags.REGISTRY, Tags.CREATED)) {
            if (tags.containsKey(key)) {
                ordered.put(key, tags.get(key));
            }
        }
        new TreeMap<>(tags).forEach(ordered::putIfAbsent);  // then any others, by name
        List<String> cells = new ArrayList<>();
        ordered.forEach((k, v) -> cells.add(k.replaceFirst("^spotsh:", "") + "=" + v));
        return String.join(" ", cells);
    }

    /** One request for {@code count} instances of a role; records every id as expected before returning. */
    private List<Instance> request(TestRun run, TestInfo test, String role, int count, String zone, Prices prices) {
        Map<String, String> tags = tags(test, role, records.registryId());
        records.addZone(test.name(), zone);
        String script = userData.render(test, role, test.params());
        // the ids come back only once the instances exist, and a fast one phones home before they are recorded:
        // while the window is open the registry tells it to retry instead of refusing an unknown id
        records.requesting(test.name(), REQUEST_WINDOW);
        List<Instance> got;
        try {
            got = run.provider.launch(new LaunchRequest(test.name(), role, count, zone, run.instanceType,
                    run.maxPrice, script, tags, run.options));
            for (Instance i : got) {
                run.instances.put(i.id(), i);
            }
            records.recordInstances(test.name(), role, got.stream().map(Instance::id).toList(), zone);
            records.recordPrices(test.name(), got.stream().map(Instance::id).toList(), run.instanceType,
                    prices.spot.get(zone), prices.onDemand);
        } finally {
            records.requesting(test.name(), null);
        }
        List<String> ids = got.stream().map(Instance::id).toList();
        log.log("Requested " + count + " " + role + " instances in " + zone + ": " + abbreviate(ids));
        return got;
    }

    /** The tags every instance of a role carries: test, role, owner, this registry's id, created, expires. */
    private static Map<String, String> tags(TestInfo test, String role, String registryId) {
        return Tags.of(test.name(), role, System.getProperty("user.name") + "@" + OwnerProcess.hostname(), registryId,
                Instant.now(), test.expiresAt() == null ? null : test.expiresAt().toInstant());
    }

    /** Replaces instances that never reported or do not answer: new ids become expected, old ones duds. */
    List<String> replace(TestRun run, Collection<String> instanceIds, boolean terminateNow) {
        TestInfo test = records.test(run.name);
        Map<String, String> roleOf = new LinkedHashMap<>();
        for (InstanceRow row : records.instances(run.name)) {
            roleOf.put(row.instanceId(), row.role());
        }
        Map<String, List<String>> byRole = new LinkedHashMap<>();
        for (String id : instanceIds) {
            String role = roleOf.get(id);
            if (role == null) {
                throw new WorkflowException("replace: " + id + " is not an instance of test " + run.name);
            }
            byRole.computeIfAbsent(role, k -> new ArrayList<>()).add(id);
        }
        List<String> added = new ArrayList<>();
        Prices prices = prices(run.provider, run.instanceType, run.zone);
        for (Map.Entry<String, List<String>> e : byRole.entrySet()) {
            for (String old : e.getValue()) {
                markDud(run, old);
            }
            List<Instance> fresh = request(run, test, e.getKey(), e.getValue().size(), run.zone, prices);
            List<String> ids = fresh.stream().map(Instance::id).toList();
            added.addAll(ids);
            log.log("Replacing " + e.getValue().size() + " " + e.getKey() + " instances: " + String.join(",", e.getValue())
                    + " -> " + String.join(",", ids));
            records.event(run.name, "replaced", e.getKey(), null, String.join(",", e.getValue()) + " -> " + String.join(",", ids));
        }
        if (terminateNow) {
            run.endKeptDuds(log);
        }
        return added;
    }

    private void markDud(TestRun run, String id) {
        if (records.isRegistered(run.name, id)) {
            records.markDead(run.name, id, "replaced: did not answer SSH"); // frees its number for the replacement
        }
        records.setInstanceState(run.name, id, "dud");
        run.reachable.remove(id);
        run.keptDuds.add(id);
    }

    /** Terminates a partial launch so nothing half-launched is left behind. */
    private void abandon(TestRun run, List<Instance> launched, String why) {
        if (launched.isEmpty()) {
            return;
        }
        List<String> ids = launched.stream().map(Instance::id).toList();
        run.provider.terminate(ids);
        for (String id : ids) {
            records.setInstanceState(run.name, id, "terminated");
            run.instances.remove(id);
        }
        records.event(run.name, "abandoned", null, null, ids.size() + " instances terminated: " + why);
        log.log("Terminated " + ids.size() + " instances already launched: " + why);
    }

    /** Zone → the current spot price of the type there, cheapest first, as the provider lists them. */
    private static Map<String, Double> spotPrices(Provider provider, String instanceType) {
        Map<String, Double> spot = new LinkedHashMap<>();
        for (Zone z : provider.zones(instanceType)) {
            spot.put(z.name(), z.spotPrice());
        }
        return spot;
    }

    /** What one instance costs an hour: spot per zone (cheapest first), and on demand where the provider knows. */
    private record Prices(Map<String, Double> spot, Double onDemand) {
    }

    /**
     * The zones' spot prices and the on-demand price, asked once per launch: what {@code spotsh ls} adds up later.
     * A launch pinned to one zone still goes ahead when the price list cannot be read; only its cost stays unknown.
     */
    private Prices prices(Provider provider, String instanceType, String pinnedZone) {
        Map<String, Double> spot = Map.of();
        try {
            spot = spotPrices(provider, instanceType);
        } catch (RuntimeException e) {
            if (pinnedZone == null) {
                throw e;
            }
            log.log("No spot prices for " + instanceType + " (" + e.getMessage() + "); the cost of this test stays unknown");
        }
        Double onDemand = null;
        if (provider instanceof OnDemandPrices list) {
            OptionalDouble hourly = list.onDemandHourly(instanceType);
            if (hourly.isPresent()) {
                onDemand = hourly.getAsDouble();
            } else {
                log.log("On-demand price of " + instanceType + " unknown: " + list.onDemandProblem()
                        + "; costs show spot prices only");
            }
        }
        return new Prices(spot, onDemand);
    }

    private static List<String> names(Provider provider, String instanceType, java.util.Set<String> zones) {
        if (zones.isEmpty()) {
            throw new WorkflowException(provider.name() + " lists no availability zones for " + instanceType);
        }
        return List.copyOf(zones);
    }

    private static String describe(Map<String, Integer> sizing) {
        List<String> parts = new ArrayList<>();
        sizing.forEach((role, count) -> parts.add(count + " " + role));
        return String.join(", ", parts);
    }

    static String abbreviate(List<String> ids) {
        if (ids.size() <= 6) {
            return String.join(",", ids);
        }
        return String.join(",", ids.subList(0, 5)) + ",... (" + ids.size() + ")";
    }
}
