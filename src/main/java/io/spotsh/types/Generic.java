package io.spotsh.types;

import io.spotsh.common.BadInput;

import java.util.Map;

/**
 * The {@code generic} test: data and client nodes with nothing installed, for plans that do their own
 * setup. Sizing: the counts given, or one client per four data nodes when clients are not given.
 */
public final class Generic implements TestType {
    @Override
    public String name() {
        return "generic";
    }

    @Override
    public Map<String, Integer> size(int dataNodes, Integer clientNodes, Map<String, Object> params) {
        if (dataNodes < 1) {
            throw new BadInput("dataNodes must be at least 1, was " + dataNodes);
        }
        int clients = clientNodes != null ? clientNodes : Math.max(1, (dataNodes + 3) / 4);
        if (clients < 0) {
            throw new BadInput("clientNodes cannot be negative, was " + clients);
        }
        return TestType.roles("data", dataNodes, "client", clients);
    }
}
