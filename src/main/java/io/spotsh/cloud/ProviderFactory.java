package io.spotsh.cloud;

import io.spotsh.common.StateDir;

import java.util.Map;

/**
 * How a provider registers by name: implementations are listed in
 * {@code META-INF/services/io.spotsh.cloud.ProviderFactory} and found by {@link Providers}.
 */
public interface ProviderFactory {
    String name();

    /** Opens the provider; {@code settings} are the command line's and plan's provider options. */
    Provider open(StateDir stateDir, Map<String, Object> settings);
}
