package io.spotsh.cloud.aws;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The instant fleets this provider launched and their instances not yet terminated. Deleting an instant fleet
 * terminates its instances (up to 1000 in one call) and cancels its spot requests, so ending a whole role this
 * way takes one call and leaves no fleet behind. Kept in memory only: after a crash the instances are found by
 * tag and terminated one by one, and their fleets hold nothing that costs money.
 */
final class Fleets {
    /** EC2's limits for one DeleteFleets call on instant fleets. */
    static final int MAX_FLEETS_PER_CALL = 25;
    static final int MAX_INSTANCES_PER_CALL = 1000;

    private final Map<String, Set<String>> live = new LinkedHashMap<>();

    synchronized void track(String fleetId, Collection<String> instanceIds) {
        live.put(fleetId, new LinkedHashSet<>(instanceIds));
    }

    /** Groups of fleets, each one DeleteFleets call, whose live instances all are among {@code ids}. */
    synchronized List<List<String>> deletableWithin(Set<String> ids) {
        List<List<String>> calls = new ArrayList<>();
        List<String> call = new ArrayList<>();
        int instances = 0;
        for (Map.Entry<String, Set<String>> f : live.entrySet()) {
            int size = f.getValue().size();
            if (size > MAX_INSTANCES_PER_CALL || !ids.containsAll(f.getValue())) {
                continue;
            }
            if (call.size() == MAX_FLEETS_PER_CALL || instances + size > MAX_INSTANCES_PER_CALL) {
                calls.add(call);
                call = new ArrayList<>();
                instances = 0;
            }
            call.add(f.getKey());
            instances += size;
        }
        if (!call.isEmpty()) {
            calls.add(call);
        }
        return calls;
    }

    /** Forgets a deleted fleet; returns the instances its deletion terminates. */
    synchronized Set<String> deleted(String fleetId) {
        Set<String> ids = live.remove(fleetId);
        return ids == null ? Set.of() : ids;
    }

    /** Instances terminated one by one no longer hold their fleet back. */
    synchronized void terminated(Collection<String> instanceIds) {
        for (Set<String> ids : live.values()) {
            ids.removeAll(instanceIds);
        }
    }
}
