package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Provider;
import io.spotsh.common.Log;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test the binding is working on now: its name and provider, and what this process has learnt about
 * its instances (addresses and ports from the cloud, which nodes answer SSH, duds waiting to be ended).
 * The registry stays the source of truth for who was requested and who reported in.
 */
final class TestRun {
    final String name;
    final String type;
    final Provider provider;
    final String instanceType;
    final Double maxPrice;
    final Map<String, Object> options;
    volatile String zone;
    volatile boolean keep;
    /** Launched by this process: only then do its exit paths end it. */
    final boolean launchedHere;
    final Map<String, Instance> instances = new ConcurrentHashMap<>();
    final Set<String> reachable = ConcurrentHashMap.newKeySet();
    /**
     * Duds kept running until the first phase starts or the test ends, so that their replacements do not land
     * on the same faulty hardware.
     */
    final Set<String> keptDuds = ConcurrentHashMap.newKeySet();
    /** Instances whose spot interruption notice was already reported. */
    final Set<String> noticed = ConcurrentHashMap.newKeySet();
    volatile boolean ended;
    /** Nodes per role the test was sized for. */
    volatile Map<String, Integer> sizing = Map.of();
    /** The test's parameters, the type's defaults included. */
    volatile Map<String, Object> params = Map.of();
    /** The run under way (configure, check, workloads, collect), once one started; its results go in one folder. */
    volatile RunRecord record;

    TestRun(String name, String type, Provider provider, String zone, String instanceType, Double maxPrice,
            Map<String, Object> options, boolean keep, boolean launchedHere) {
        this.name = name;
        this.type = type;
        this.provider = provider;
        this.zone = zone;
        this.instanceType = instanceType;
        this.maxPrice = maxPrice;
        this.options = options;
        this.keep = keep;
        this.launchedHere = launchedHere;
    }

    /** Ends the duds kept running so far (at the first phase, or at once with dudPolicy 'terminate'). */
    void endKeptDuds(Log log) {
        if (keptDuds.isEmpty()) {
            return;
        }
        List<String> duds = new ArrayList<>(keptDuds);
        provider.terminate(duds);
        keptDuds.removeAll(duds);
        log.log("Terminated " + duds.size() + " dud instances: " + String.join(",", duds));
    }
}
