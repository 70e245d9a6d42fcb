package io.spotsh.cloud.local;

import io.spotsh.cloud.Provider;
import io.spotsh.cloud.ProviderFactory;
import io.spotsh.common.StateDir;

import java.util.Map;

/** Registers the local cloud as provider {@code local} (see {@link LocalProvider} for its settings). */
public final class LocalProviderFactory implements ProviderFactory {
    public static final String NAME = "local";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Provider open(StateDir stateDir, Map<String, Object> settings) {
        return new LocalProvider(stateDir, settings);
    }
}
