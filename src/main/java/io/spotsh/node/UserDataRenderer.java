package io.spotsh.node;

import io.spotsh.registry.TestInfo;

import java.util.Map;

/** Renders the boot script a node of {@code role} runs; the same text for every provider. */
@FunctionalInterface
public interface UserDataRenderer {
    String render(TestInfo test, String role, Map<String, Object> params);
}
