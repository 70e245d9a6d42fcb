package io.spotsh.cloud.aws;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.Map;

/**
 * Tests of the aws provider behind the fault injector: each test gets its own {@link Ec2Proxy} in front of moto, a
 * {@link CallLog} and {@link Rewrites}, and a provider talking through them.
 */
abstract class OnProxiedMoto extends OnMoto {
    static Map<String, String> subnets;

    Ec2Proxy proxy;
    CallLog calls;
    Rewrites rewrites;
    AwsProvider aws;

    @BeforeAll
    static void subnets() {
        subnets = AwsTestKit.subnets(raw);
    }

    @BeforeEach
    void provider() {
        proxy = new Ec2Proxy(moto.endpoint());
        calls = new CallLog();
        rewrites = new Rewrites();
        aws = AwsTestKit.provider(proxy.endpoint(), stateDir, calls, rewrites);
    }

    @AfterEach
    void stop() {
        aws.close();
        proxy.close();
    }
}
