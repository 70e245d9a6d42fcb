package io.spotsh.cloud.aws;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.common.BadInput;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EC2's error codes as spotsh reads them: what is retried, what is a capacity refusal, what is bad input. */
class Ec2ErrorsTest {
    static Ec2Exception ec2(int status, String code, String message) {
        return (Ec2Exception) Ec2Exception.builder().statusCode(status).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }

    @Test
    void capacityIsNeverRetriedThrottlingAndTransientErrorsAre() {
        assertFalse(Ec2Retries.retryable(ec2(500, "InsufficientInstanceCapacity", "no capacity")));
        assertFalse(Ec2Retries.retryable(ec2(400, "SpotMaxPriceTooLow", "too low")));
        assertTrue(Ec2Retries.retryable(ec2(503, "RequestLimitExceeded", "slow down")));
        assertTrue(Ec2Retries.throttling(ec2(503, "RequestLimitExceeded", "slow down")));
        assertTrue(Ec2Retries.retryable(ec2(500, "InternalError", "oops")));
        assertTrue(Ec2Retries.retryable(ec2(503, "Unavailable", "busy")));
        assertFalse(Ec2Retries.retryable(ec2(400, "InvalidParameterValue", "bad")));
        assertTrue(Ec2Retries.retryable(SdkClientException.create("reset", new IOException("Connection reset"))));
        assertFalse(Ec2Retries.retryable(SdkClientException.create("no credentials")));
    }

    @Test
    void launchFailuresBecomeRefusalsBadInputOrCloudErrors() {
        CapacityException refused = assertInstanceOf(CapacityException.class, Ec2Errors.launchFailure("us-east-1b",
                "m5d.xlarge", "CreateFleet", ec2(500, "InsufficientInstanceCapacity", "We currently do not have\nsufficient capacity.")));
        assertEquals("us-east-1b", refused.zone());
        assertEquals("InsufficientInstanceCapacity", refused.code());
        assertTrue(refused.getMessage().startsWith("us-east-1b refused m5d.xlarge (InsufficientInstanceCapacity)"), refused.getMessage());
        BadInput ami = assertInstanceOf(BadInput.class, Ec2Errors.launchFailure("us-east-1a", "m5d.xlarge",
                "CreateFleet", ec2(400, "InvalidAMIID.NotFound", "The image id '[ami-1]' does not exist")));
        assertFalse(ami.getMessage().contains("\n"));
        assertInstanceOf(BadInput.class, Ec2Errors.launchFailure("us-east-1a", "m5d.xlarge", "CreateFleet",
                ec2(400, "InvalidParameterCombination", "no")));
        assertInstanceOf(CloudException.class, Ec2Errors.launchFailure("us-east-1a", "m5d.xlarge", "CreateFleet",
                ec2(500, "InternalError", "oops")));
        assertTrue(Ec2Errors.isRefusal("capacity-oversubscribed") && Ec2Errors.isRefusal("az-group-constraint"));
        assertFalse(Ec2Errors.isRefusal("fulfilled"));
    }

    /** EC2 API reference, "Error codes"; EC2 user guide, "Eventual consistency"; "Spot request status codes". */
    @Test
    void everyDocumentedRefusalHasItsKind() {
        Map<String, Ec2Errors.Kind> expected = new LinkedHashMap<>();
        expected.put("RequestLimitExceeded", Ec2Errors.Kind.AGAIN);
        expected.put("InvalidLaunchTemplateName.NotFoundException", Ec2Errors.Kind.AGAIN);
        expected.put("InvalidInstanceID.NotFound", Ec2Errors.Kind.AGAIN);
        expected.put("InsufficientInstanceCapacity", Ec2Errors.Kind.ZONE);
        expected.put("Unsupported", Ec2Errors.Kind.ZONE);
        expected.put("InsufficientFreeAddressesInSubnet", Ec2Errors.Kind.ZONE);
        expected.put("schedule-expired", Ec2Errors.Kind.ZONE);
        expected.put("InvalidAMIID.NotFound", Ec2Errors.Kind.INPUT);
        expected.put("InvalidParameterValue", Ec2Errors.Kind.INPUT);
        expected.put("AuthFailure", Ec2Errors.Kind.CREDENTIALS);
        expected.put("InternalError", Ec2Errors.Kind.CLOUD);
        Map<String, Ec2Errors.Kind> actual = new LinkedHashMap<>();
        expected.keySet().forEach(code -> actual.put(code, Ec2Errors.kind(code, "AWS was not able to validate the request")));
        assertEquals(expected, actual);
        assertEquals(Ec2Errors.Kind.INPUT, Ec2Errors.kind("AuthFailure", "Not authorized for images: [ami-0abc1234]"));
        assertEquals(Ec2Errors.Kind.CLOUD, Ec2Errors.kind(null, null));
        assertFalse(Ec2Errors.notYetVisible((Ec2Exception) Ec2Exception.builder().statusCode(500).message("no details").build()));
    }

    @Test
    void badIdsAreSetAsideAndTheRestAreStillAsked() {
        List<List<String>> asked = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        List<String> done = BadIds.around(List.of("i-1", "i-dead", "i-2", "not-an-id", "i-3"), failed, ids -> {
            asked.add(List.copyOf(ids));
            if (ids.contains("i-dead")) {
                throw ec2(400, "InvalidInstanceID.NotFound", "The instance ID 'i-dead' does not exist");
            }
            if (ids.contains("not-an-id")) {
                throw ec2(400, "InvalidInstanceID.Malformed", "Invalid id: \"not-an-id\"");
            }
            return ids;
        });
        assertEquals(List.of("i-1", "i-2", "i-3"), done);
        assertEquals(List.of("i-dead", "not-an-id"), List.copyOf(failed.keySet()));
        assertEquals(3, asked.size(), "one call per bad id, then the good ones");
    }

    @Test
    void whenEc2NamesNoIdTheBatchIsSplitUntilTheBadOneStandsAlone() {
        Map<String, String> failed = new LinkedHashMap<>();
        List<String> done = BadIds.around(List.of("i-1", "i-2", "i-3", "i-4"), failed, ids -> {
            if (ids.contains("i-3")) {
                throw ec2(400, "InvalidInstanceID.NotFound", "The instance IDs do not exist");
            }
            return ids;
        });
        assertEquals(List.of("i-1", "i-2", "i-4"), done);
        assertEquals(List.of("i-3"), List.copyOf(failed.keySet()));
        assertThrows(Ec2Exception.class, () -> BadIds.around(List.of("i-1"), failed, ids -> {
            throw ec2(400, "UnauthorizedOperation", "no");
        }));
    }

    @Test
    void instanceStoreDisksAreMappedFromSdbOnward() {
        assertEquals(List.of("/dev/sdb=ephemeral0", "/dev/sdc=ephemeral1"), InstanceStores.mappings(2, (d, v) -> d + "=" + v));
        assertTrue(InstanceStores.mappings(0, (d, v) -> d).isEmpty());
    }

    @Test
    void connectionFailuresAreFoundInTheCauseChain() {
        assertTrue(Ec2Retries.hasCause(SdkClientException.create("x", new IOException(new ConnectException("refused"))),
                ConnectException.class));
    }
}
