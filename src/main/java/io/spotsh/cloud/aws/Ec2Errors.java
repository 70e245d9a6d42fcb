package io.spotsh.cloud.aws;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.common.BadInput;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.util.List;
import java.util.Set;

/**
 * What EC2's error codes mean to spotsh. Its ways of saying "not here, not now" (error codes of a refused call,
 * fleet errors, spot request status codes) become a {@link CapacityException} naming the zone, so the caller can
 * try elsewhere; an unknown image, key pair, security group or subnet is the operator's {@link BadInput}; the
 * rest is a {@link CloudException} with EC2's code and words on one line.
 */
final class Ec2Errors {
    /** Error codes of a refused call or of a fleet's {@code Errors}. */
    static final Set<String> CODES = Set.of("InsufficientInstanceCapacity", "InsufficientCapacity",
            "UnfulfillableCapacity", "SpotMaxPriceTooLow", "MaxSpotInstanceCountExceeded",
            "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity");

    /** Spot request status codes that mean the request will not be fulfilled as asked. */
    static final Set<String> SPOT_STATUSES = Set.of("capacity-not-available", "price-too-low",
            "capacity-oversubscribed", "launch-group-constraint", "az-group-constraint",
            "placement-group-constraint", "constraint-not-fulfillable");

    /** Code prefixes of names the operator gave that EC2 does not know. */
    private static final List<String> INPUT_CODES = List.of("InvalidAMIID.", "InvalidKeyPair.", "InvalidGroup.",
            "InvalidSubnetID.", "InvalidInstanceType", "InvalidIamInstanceProfile");

    private Ec2Errors() {
    }

    /** A failed launch call, as the exception spotsh throws for it. */
    static RuntimeException launchFailure(String zone, String instanceType, String action, AwsServiceException e) {
        String code = code(e);
        if (isRefusal(code)) {
            return refused(zone, instanceType, e);
        }
        if (code != null && INPUT_CODES.stream().anyMatch(code::startsWith)) {
            return new BadInput("EC2 " + Ec2.failure(action, e), e);
        }
        return new CloudException("EC2 " + Ec2.failure(action, e) + " (" + instanceType + " in " + zone + ")", e);
    }

    static String code(AwsServiceException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    static String message(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
                ? e.getMessage() : e.awsErrorDetails().errorMessage();
    }

    static boolean isRefusal(AwsServiceException e) {
        return isRefusal(code(e));
    }

    static boolean isRefusal(String code) {
        return code != null && (CODES.contains(code) || SPOT_STATUSES.contains(code));
    }

    static CapacityException refused(String zone, String instanceType, String code, String message) {
        return new CapacityException(zone, instanceType, code, zone + " refused " + instanceType + " (" + code + ")"
                + (message == null || message.isBlank() ? "" : ": " + message.strip()));
    }

    static CapacityException refused(String zone, String instanceType, AwsServiceException e) {
        return refused(zone, instanceType, code(e), message(e));
    }
}
