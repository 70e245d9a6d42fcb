package io.spotsh.cloud.aws;

import io.spotsh.cloud.Provider;
import io.spotsh.cloud.ProviderFactory;
import io.spotsh.common.StateDir;

import java.util.Map;

/** Registers EC2 as provider {@code aws}; settings are {@link AwsSettings}' keys ({@code endpoint}, {@code region}, {@code profile}, ...). */
public final class AwsProviderFactory implements ProviderFactory {
    @Override
    public String name() {
        return AwsProvider.NAME;
    }

    @Override
    public Provider open(StateDir stateDir, Map<String, Object> settings) {
        return AwsProvider.open(stateDir, AwsSettings.from(settings));
    }
}
