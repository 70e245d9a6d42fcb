package io.spotsh.cloud.aws;

import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.ProviderContract;
import io.spotsh.cloud.Providers;
import io.spotsh.cloud.Tags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The provider contract against moto, opened through {@link Providers} as the workflow opens it, behind a
 * proxy that refuses {@value #SCARCE} for capacity (moto never does).
 */
class AwsProviderContractTest extends ProviderContract {
    private static final String SCARCE = "i3.metal";
    private static Ec2Proxy proxy;
    private static Provider cloud;

    @BeforeAll
    static void start() {
        MotoServer moto = AwsTestKit.moto();
        moto.reset();
        try (Ec2Client raw = AwsTestKit.raw(moto.endpoint())) {
            proxy = new Ec2Proxy(moto.endpoint()).refuse("CreateFleet", form -> form.contains("InstanceType=" + SCARCE),
                    500, "InsufficientInstanceCapacity", "We currently do not have sufficient " + SCARCE + " capacity.", -1);
            AwsTestKit.requireLoopback(proxy.endpoint());
            cloud = Providers.open("aws", AwsTestKit.stateDir(raw), Map.of("endpoint", proxy.endpoint().toString(),
                    "region", AwsTestKit.REGION));
        }
        AwsTestKit.requireLoopback(((AwsProvider) cloud).endpoint());
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Override
    protected Provider provider() {
        return cloud;
    }

    @Override
    protected String zone() {
        return "us-east-1a"; // where moto puts instances launched without a subnet
    }

    @Override
    protected LaunchRequest beyondCapacity(String test, String zone) {
        Instant now = Instant.now();
        return new LaunchRequest(test, "data", 4, zone, SCARCE, null, "#!/bin/sh\ntrue\n",
                Tags.of(test, "data", "contract", now, now.plus(Duration.ofHours(1))), Map.of());
    }
}
