package io.spotsh.cloud.aws;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which test each instance launched by this provider belongs to. Describing a whole test by its tag takes one
 * call per 1000 instances (EC2 takes at most 200 filter values, and a look-alike such as moto pages instance ids
 * by 100), so the watch loop over a 300-node test stays one call a round.
 */
final class KnownTests {
    private final Map<String, String> testOf = new ConcurrentHashMap<>();

    void remember(String test, Collection<String> instanceIds) {
        for (String id : instanceIds) {
            testOf.put(id, test);
        }
    }

    /** The ids grouped by their known test; ids of unknown test under the key null. */
    Map<String, List<String>> byTest(Collection<String> instanceIds) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String id : instanceIds) {
            out.computeIfAbsent(testOf.get(id), k -> new ArrayList<>()).add(id);
        }
        return out;
    }
}
