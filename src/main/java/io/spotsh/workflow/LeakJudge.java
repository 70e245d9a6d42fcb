package io.spotsh.workflow;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.Tags;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.Ownership;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Says of one spotsh-tagged instance whose it is and whether anyone should still pay for it. An instance is this
 * registry's when it carries this registry's id ({@code spotsh:registry}), or, tagged before registry ids, when
 * this registry recorded its id. Only this registry's instances are judged by their tests; any other registry's
 * are foreign and left alone, except once their {@code spotsh:expires} has passed: then anyone's reap may end
 * them. A tag that cannot be read is reported and the instance skipped.
 */
final class LeakJudge {
    /** What {@code reap} does with an instance. */
    enum Verdict {
        /** A leak: reap terminates it. */
        REAP,
        /** Another registry's and not expired: listed with {@code all}, never terminated. */
        FOREIGN,
        /** A tag spotsh cannot read: reported, left alone. */
        SKIPPED
    }

    /** The verdict on one instance, with why, the registry it belongs to (null: none tagged) and whether it is ours. */
    record Finding(Instance instance, String region, Verdict verdict, String why, String registry, boolean ours) {
    }

    private final String registryId;
    private final Map<String, Ownership> tests = new HashMap<>();
    private final Predicate<String> recordedHere;
    private final Instant now;

    LeakJudge(String registryId, Iterable<Ownership> ourTests, Predicate<String> recordedHere, Instant now) {
        this.registryId = registryId;
        for (Ownership t : ourTests) {
            tests.put(t.name(), t);
        }
        this.recordedHere = recordedHere;
        this.now = now;
    }

    static LeakJudge of(TestRecords records, Instant now) {
        return new LeakJudge(records.registryId(), records.ownerships(), records::recorded, now);
    }

    /** Whether the instance is this registry's to end. */
    boolean ours(Instance i) {
        String tagged = i.tags().get(Tags.REGISTRY);
        return tagged != null ? tagged.equals(registryId) : recordedHere.test(i.id());
    }

    /** The finding on the instance, or null when it is ours and its test still counts on it. */
    Finding judge(Instance i, String region) {
        String registry = i.tags().get(Tags.REGISTRY);
        boolean ours = ours(i);
        String of = "of registry " + (registry != null ? registry : ours ? registryId + " (untagged, recorded here)"
                : "unknown (no " + Tags.REGISTRY + " tag)");
        String expiresTag = i.tags().get(Tags.EXPIRES);
        Instant expires;
        try {
            expires = expiresTag == null ? null : Instant.parse(expiresTag);
        } catch (DateTimeParseException e) {
            return new Finding(i, region, Verdict.SKIPPED, "malformed " + Tags.EXPIRES + " tag '" + expiresTag + "', "
                    + of + ": skipped", registry, ours);
        }
        if (expires != null && expires.isBefore(now)) {
            return new Finding(i, region, Verdict.REAP, "expired at " + expires + ", " + of, registry, ours);
        }
        if (!ours) {
            String owner = i.tags().getOrDefault(Tags.OWNER, "unknown");
            return new Finding(i, region, Verdict.FOREIGN, "foreign: " + of + ", owner " + owner + ", expires "
                    + (expires == null ? "never" : expires.toString()), registry, false);
        }
        String why = leakReason(i, tests.get(i.test()));
        return why == null ? null : new Finding(i, region, Verdict.REAP, why, registry, true);
    }

    private String leakReason(Instance i, Ownership test) {
        if (test == null) {
            return "test " + i.test() + " is not in this registry";
        }
        String state = test.state();
        if (state.equals("finished") || state.equals("failed") || state.equals("terminated")) {
            return "test " + i.test() + " is " + state;
        }
        if (test.expiresAt() != null && test.expiresAt().toInstant().isBefore(now)) {
            return "test " + i.test() + " expired at " + test.expiresAt();
        }
        OwnerProcess owner = OwnerProcess.parse(test.ownerProcess());
        if (!test.keep() && owner != null && owner.goneFromThisHost()) {
            return "its spotsh process (pid " + owner.pid() + ") is gone";
        }
        return null;
    }
}
