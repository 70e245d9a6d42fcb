package io.spotsh.types;

import io.spotsh.common.BadInput;

import java.util.LinkedHashMap;
import java.util.Map;

/** The test types spotsh knows, by the name a plan gives as {@code type:}. */
public final class TestTypes {
    private final Map<String, TestType> types = new LinkedHashMap<>();

    public TestTypes() {
        add(new Generic());
        add(new io.spotsh.types.redis.Redis());
        add(new io.spotsh.types.cassandra.Cassandra());
        add(new io.spotsh.types.mongodb.MongoDb());
    }

    public TestTypes add(TestType type) {
        types.put(type.name(), type);
        return this;
    }

    /** The names, in the order they were added. */
    public java.util.List<String> names() {
        return java.util.List.copyOf(types.keySet());
    }

    public TestType get(String name) {
        TestType type = types.get(name);
        if (type == null) {
            throw new BadInput("unknown test type '" + name + "' (known: " + String.join(", ", types.keySet()) + ")");
        }
        return type;
    }
}
