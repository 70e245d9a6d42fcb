package io.spotsh.cloud.local;

import io.spotsh.cloud.CloudTests;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.ProviderContract;
import io.spotsh.cloud.Providers;
import io.spotsh.common.StateDir;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider contract against the local cloud, through {@link Providers} as the workflow opens it. */
class LocalProviderContractTest extends ProviderContract {
    private static Path stateDir;
    private static Provider cloud;

    @BeforeAll
    static void start() {
        stateDir = CloudTests.tempDir("spotsh-contract");
        cloud = Providers.open("local", new StateDir(stateDir), Map.of());
        assertTrue(cloud instanceof LocalProvider, cloud.getClass().getName());
    }

    @AfterAll
    static void stop() {
        try {
            ((LocalProvider) cloud).stopDaemon(true);
        } finally {
            CloudTests.delete(stateDir);
        }
    }

    @Override
    protected Provider provider() {
        return cloud;
    }

    @Override
    protected String zone() {
        return "local-b";
    }

    @Override
    protected LaunchRequest beyondCapacity(String test, String zone) {
        LaunchRequest r = request(test, "data", 4);
        return new LaunchRequest(r.test(), r.role(), r.count(), zone, r.instanceType(), null, r.userData(), r.tags(),
                Map.of("capacity", Map.of(zone, 3)));
    }
}
