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

    private Tags() {
    }

    public static Map<String, String> of(String test, String role, String owner, Instant created, Instant expires) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TEST, test);
        tags.put(ROLE, role);
        tags.put(OWNER, owner);
        tags.put(CREATED, created.toString());
        if (expires != null) {
            tags.put(EXPIRES, expires.toString());
        }
        return tags;
    }
}
