package io.spotsh.cloud.aws;

import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Providers;
import io.spotsh.common.BadInput;
import io.spotsh.common.StateDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Input spotsh can tell is wrong before launching: one line each, as BadInput (exit 2), and nothing launched. */
class AwsBadInputTest extends OnMoto {

    @Test
    void anUnknownInstanceTypeIsRefusedBeforeAnythingIsAskedToLaunch() {
        CallLog calls = new CallLog();
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), stateDir, calls)) {
            String test = AwsTestKit.unique("typo");
            BadInput e = oneLine(() -> aws.launch(AwsTestKit.request(test, "data", 2, "us-east-1a",
                    Map.of("instanceTypes", List.of("m5d.xlarge", "m5d.xlargee")))));
            assertTrue(e.getMessage().contains("unknown instance type m5d.xlargee"), e.getMessage());
            assertEquals(List.of("DescribeInstanceTypes"), calls.calls());
            assertNothingLaunched();
        }
    }

    @Test
    void missingCredentialsAreReportedWhenTheProviderOpens() {
        Map<String, Object> settings = Map.of("endpoint", moto.endpoint().toString(), "region", AwsTestKit.REGION,
                "profile", "spotsh-no-such-profile");
        BadInput e = oneLine(() -> Providers.open("aws", stateDir, settings));
        assertTrue(e.getMessage().startsWith("no AWS credentials from profile 'spotsh-no-such-profile' (no such profile"),
                e.getMessage());

        String key = System.getProperty("aws.accessKeyId");
        boolean envCredentials = System.getenv("AWS_ACCESS_KEY_ID") != null || System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != null
                || System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null || System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != null;
        if (!envCredentials) { // the default chain, with nothing in it (profiles empty, instance metadata off)
            System.clearProperty("aws.accessKeyId");
            try {
                BadInput chain = oneLine(() -> Providers.open("aws", stateDir,
                        Map.of("endpoint", moto.endpoint().toString(), "region", AwsTestKit.REGION)));
                assertTrue(chain.getMessage().startsWith("no AWS credentials: tried ") && chain.getMessage().contains("web identity")
                        && chain.getMessage().contains("instance role"), chain.getMessage());
            } finally {
                System.setProperty("aws.accessKeyId", key);
            }
        }
        assertNothingLaunched();
    }

    /**
     * Every profile kind of ~/.aws/config reaches its own source (sts, sso and ssooidc are on the class path), and
     * the message says which source was tried. Each profile here fails before any request leaves the machine (a
     * source profile without keys, no cached SSO token, no token file), so nothing but loopback is ever contacted.
     */
    @Test
    void everyProfileKindIsTriedAndTheMessageNamesIt() throws IOException {
        Path config = Path.of(System.getProperty("aws.configFile"));
        String before = Files.readString(config);
        Files.writeString(config, before + """

                [profile spotsh-role]
                role_arn = arn:aws:iam::123456789012:role/spotsh
                source_profile = spotsh-keyless
                region = us-east-1

                [profile spotsh-keyless]
                region = us-east-1

                [profile spotsh-sso]
                sso_start_url = https://spotsh-test.invalid/start
                sso_region = us-east-1
                sso_account_id = 123456789012
                sso_role_name = spotsh
                region = us-east-1

                [profile spotsh-web]
                role_arn = arn:aws:iam::123456789012:role/spotsh
                web_identity_token_file = /nonexistent/spotsh-web-identity-token
                region = us-east-1
                """);
        try {
            Map<String, String> expected = Map.of("spotsh-role", "assume-role: role_arn with source_profile 'spotsh-keyless'",
                    "spotsh-sso", "IAM Identity Center (SSO): run 'aws sso login --profile spotsh-sso'",
                    "spotsh-web", "web identity: role_arn with web_identity_token_file");
            for (Map.Entry<String, String> p : expected.entrySet()) {
                BadInput e = oneLine(() -> Providers.open("aws", stateDir, Map.of("endpoint", moto.endpoint().toString(),
                        "region", AwsTestKit.REGION, "profile", p.getKey())));
                assertTrue(e.getMessage().startsWith("no AWS credentials from profile '" + p.getKey() + "' (" + p.getValue()
                        + "): "), e.getMessage());
                assertFalse(e.getMessage().contains("class path"), "the SDK module is there: " + e.getMessage());
            }
        } finally {
            Files.writeString(config, before);
        }
        assertNothingLaunched();
    }

    @Test
    void anUnreachableEndpointIsBadInputNotACloudFailure() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + closed;
        Map<String, Object> settings = new HashMap<>(Map.of("endpoint", endpoint, "region", AwsTestKit.REGION, "maxAttempts", 2));
        try (Provider aws = Providers.open("aws", stateDir, settings)) {
            AwsTestKit.requireLoopback(((AwsProvider) aws).endpoint());
            BadInput e = oneLine(() -> aws.launch(AwsTestKit.request(AwsTestKit.unique("nowhere"), "data", 2, "us-east-1a",
                    Map.of("instanceTypes", List.of("m6i.large")))));
            assertTrue(e.getMessage().startsWith("cannot reach EC2 at " + endpoint), e.getMessage());
        }
        assertNothingLaunched();
    }

    @Test
    void aMissingImageAndBadSettingsAreOneLineErrors() {
        StateDir noAmi = new StateDir(AwsTestKit.tempDir("spotsh-aws-noami"));
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), noAmi)) {
            BadInput e = oneLine(() -> aws.launch(AwsTestKit.request("no-ami", "data", 1, "us-east-1a", Map.of())));
            assertTrue(e.getMessage().startsWith("no AMI for us-east-1"), e.getMessage());
        }
        oneLine(() -> Providers.open("aws", stateDir, Map.of("endpoint", "127.0.0.1:5000", "region", "us-east-1")));
        oneLine(() -> Providers.open("aws", stateDir, Map.of("endpiont", moto.endpoint().toString())));
        oneLine(() -> AwsTestKit.provider(moto.endpoint(), stateDir).launch(AwsTestKit.request("mode", "data", 1,
                "us-east-1a", Map.of("launchMode", "on-demand"))));
        assertNothingLaunched();
    }

    private static BadInput oneLine(Executable call) {
        BadInput e = assertThrows(BadInput.class, call);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().length() < 300, "short: " + e.getMessage());
        return e;
    }

    private static void assertNothingLaunched() {
        assertTrue(raw.describeInstances().reservations().isEmpty(), "nothing launched");
    }
}
