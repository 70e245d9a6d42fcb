package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.TerminateResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Terminates instances and proves it: an instance counts as gone only once the cloud describes it as terminated.
 * "Not found" proves nothing: right after a launch EC2 may not know an id yet (its API is eventually consistent),
 * and a terminate it refused for that reason never happened. So every id is described again until it shows
 * terminated, one that turns up alive is sent terminate again, and what is still not terminated when the
 * time is up is returned by id with what was last seen of it.
 */
final class TerminateVerifier {
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    private static final long FIRST_PAUSE_MILLIS = 200;
    private static final long LONGEST_PAUSE_MILLIS = 5000;

    private final Duration timeout;

    TerminateVerifier(Duration timeout) {
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** Terminates the ids and waits; returns those not shown terminated in time, id → what was last seen of it. */
    Map<String, String> terminate(Provider provider, Collection<String> ids) {
        Map<String, String> left = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return left;
        }
        Set<String> refused = new HashSet<>();
        send(provider, ids, refused, left);
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        boolean interrupted = false;
        while (true) {
            Map<String, Instance> seen = new HashMap<>();
            for (Instance i : provider.describe(left.keySet())) {
                seen.put(i.id(), i);
            }
            List<String> again = new ArrayList<>();
            for (String id : new ArrayList<>(left.keySet())) {
                Instance i = seen.get(id);
                if (i == null) {
                    left.put(id, "not found");
                } else if (i.state().gone()) {
                    left.remove(id);
                } else {
                    left.put(id, i.state().toString());
                    // the cloud knows it now: a refused terminate is due again, and one that did not take is repeated
                    if (refused.remove(id) || i.state() == InstanceState.PENDING || i.state() == InstanceState.RUNNING) {
                        again.add(id);
                    }
                }
            }
            if (!again.isEmpty()) {
                send(provider, again, refused, left);
            }
            if (left.isEmpty() || System.nanoTime() >= deadline) {
                break;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                interrupted = true; // keep verifying: giving up here is how instances get left running
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return left;
    }

    private static void send(Provider provider, Collection<String> ids, Set<String> refused, Map<String, String> left) {
        TerminateResult result = provider.terminate(ids);
        for (String id : ids) {
            String why = result.failed().get(id);
            if (why != null) {
                refused.add(id);
                left.put(id, "terminate refused: " + why);
            } else {
                left.putIfAbsent(id, "terminating");
            }
        }
    }
}
