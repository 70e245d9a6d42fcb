package io.spotsh.cloud.aws;

import io.spotsh.common.StateDir;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A test class against a freshly reset moto: its endpoint, a plain client for looking behind the provider's
 * back, and a state directory with the region's node image recorded.
 */
abstract class OnMoto {
    static MotoServer moto;
    static Ec2Client raw;
    static StateDir stateDir;

    @BeforeAll
    static void resetMoto() {
        moto = AwsTestKit.moto();
        moto.reset();
        raw = AwsTestKit.raw(moto.endpoint());
        stateDir = AwsTestKit.stateDir(raw);
    }

    @AfterAll
    static void closeRawClient() {
        if (raw != null) {
            raw.close();
            raw = null;
        }
    }
}
