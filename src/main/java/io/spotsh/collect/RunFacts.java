package io.spotsh.collect;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the registry knows about a run that its nodes' files do not say, for {@code summary.csv} and
 * {@code samples.jsonl}: each node's instance type and zone, each phase's window and cost, and when the run was
 * collected. The workflow fills it in; collect never asks a provider.
 *
 * @param nodes     node name ({@code client-1}) → where it ran; a node not in it is unknown
 * @param phases    phase name → its window and cost; a phase not in it was not recorded
 * @param collected when the results were collected: the timestamp of a figure whose phase end is unknown
 */
public record RunFacts(Map<String, Placement> nodes, Map<String, PhaseCost> phases, Instant collected) {
    /** Instance type and zone of one node; either may be null. */
    public record Placement(String instanceType, String zone) {
    }

    /** Nothing known beyond the files: labels are null, no cost rows, every timestamp the collection time. */
    public static RunFacts none(Instant collected) {
        return new RunFacts(Map.of(), Map.of(), collected);
    }

    Placement placement(String node) {
        return nodes.getOrDefault(node, new Placement(null, null));
    }

    /** A role's shared placement (for its {@code node=all} rows): a field differing between nodes is null. */
    Placement placement(List<String> nodesOfRole) {
        String type = null;
        String zone = null;
        for (int i = 0; i < nodesOfRole.size(); i++) {
            Placement p = placement(nodesOfRole.get(i));
            type = i == 0 ? p.instanceType() : java.util.Objects.equals(type, p.instanceType()) ? type : null;
            zone = i == 0 ? p.zone() : java.util.Objects.equals(zone, p.zone()) ? zone : null;
        }
        return new Placement(type, zone);
    }

    /** The phase's end where recorded, else the collection time. */
    Instant timestamp(String phase) {
        PhaseCost p = phases.get(phase);
        return p != null && p.end() != null ? p.end() : collected;
    }
}
