package io.spotsh.cloud;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tags spotsh puts on every instance and request, so leaks can be found by tag alone. */
public final class Tags {
    public static final String TEST = "spotsh:test";
    public static final String ROLE = "spotsh:role";
    public static final String OWNER = "spotsh:owner";
    public static final String CREATED = "spotsh:created";
    public static final String EXPIRES = "spotsh:expires";
    /** The id of the registry that launched the instance: only that registry ends it (before it expires). */
    public static final String REGISTRY = "spotsh:registry";

    private Tags() {
    }

    /** Tags without a registry id: for a provider's own tests, which involve no registry. */
    public static Map<String, String> of(String test, String role, String owner, Instant created, Instant expires) {
        return of(test, role, owner, null, created, expires);
    }

    /** The tags of an instance a registry launches; {@code registry} is its id (null: none). */
    public static Map<String, String> of(String test, String role, String owner, String registry, Instant created,
                                         Instant expires) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TEST, test);
        tags.put(ROLE, role);
        tags.put(OWNER, owner);
        if (registry != null) {
            tags.put(REGISTRY, registry);
        }
        tags.put(CREATED, created.toString());
        if (expires != null) {
            tags.put(EXPIRES, expires.toString());
        }
        return tags;
    }
}
