package io.spotsh.cloud.aws;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.CloudException;
import io.spotsh.common.BadInput;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What EC2's error codes mean to spotsh, in one place. Each code falls in one of the kinds of {@link Kind}:
 * <ul>
 * <li>{@link Kind#AGAIN}: throttling, or a resource just created that EC2 does not show yet (EC2 user guide,
 *     "Eventual consistency"): tried again with a bounded backoff ({@link Ec2Retries});</li>
 * <li>{@link Kind#ZONE}: "not here, not now" (capacity, price, a type the zone does not offer, a subnet out of
 *     addresses, a spot request that expired unfulfilled): a {@link CapacityException} naming the zone, so the
 *     caller can try the next one;</li>
 * <li>{@link Kind#INPUT}: something the operator named and must fix (an unknown or forbidden image, key pair,
 *     security group, subnet, a bad parameter): {@link BadInput};</li>
 * <li>{@link Kind#CREDENTIALS}: the keys themselves were refused;</li>
 * <li>{@link Kind#CLOUD}: the rest, a {@link CloudException} with EC2's code and words on one line.</li>
 * </ul>
 */
final class Ec2Errors {
    enum Kind { AGAIN, ZONE, INPUT, CREDENTIALS, CLOUD }

    /** Error codes of a refused call or of a fleet's {@code Errors} that are particular to the zone. */
    static final Set<String> CODES = Set.of("InsufficientInstanceCapacity", "InsufficientCapacity",
            "UnfulfillableCapacity", "SpotMaxPriceTooLow", "MaxSpotInstanceCountExceeded",
            "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity",
            // EC2 API reference, Error codes: the type is not offered in this zone / the subnet has no free address
            "Unsupported", "InsufficientFreeAddressesInSubnet");

    /**
     * Spot request status codes that mean the request will not be fulfilled as asked ("Spot request status
     * codes"); {@code schedule-expired} is a request whose ValidUntil passed unfulfilled (then cancelled).
     */
    static final Set<String> SPOT_STATUSES = Set.of("capacity-not-available", "price-too-low",
            "capacity-oversubscribed", "launch-group-constraint", "az-group-constraint",
            "placement-group-constraint", "constraint-not-fulfillable", "schedule-expired");

    /** EC2's throttling: the account's request rate (EC2 API reference, "Request throttling"). */
    static final Set<String> THROTTLING = Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException");

    /** "Not found" for a resource that may merely not be visible yet right after it was created. */
    static final Set<String> NOT_YET_VISIBLE = Set.of("InvalidInstanceID.NotFound",
            "InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateId.NotFound",
            "InvalidLaunchTemplateName.NotFound", "InvalidSpotInstanceRequestID.NotFound", "InvalidFleetId.NotFound");

    static final Set<String> CREDENTIAL_CODES = Set.of("AuthFailure", "InvalidClientTokenId",
            "SignatureDoesNotMatch", "UnrecognizedClientException", "InvalidAccessKeyId", "ExpiredToken");

    /** Code prefixes of names the operator gave that EC2 does not know, and of parameters it will not take. */
    private static final List<String> INPUT_CODES = List.of("InvalidAMIID.", "InvalidKeyPair.", "InvalidGroup.",
            "InvalidSubnetID.", "InvalidInstanceType", "InvalidIamInstanceProfile", "InvalidParameter",
            "MissingParameter", "InvalidBlockDeviceMapping", "InvalidUserData.");

    /** EC2 answers AuthFailure "Not authorized for images: [ami-...]" for an image the account may not launch. */
    private static final Pattern IMAGE = Pattern.compile("(?i)\\bimages?\\b|\\bami-[0-9a-f]+");

    private Ec2Errors() {
    }

    /**
     * The kind of a code on a launch: the resources a launch names (template, instances, requests) were
     * all just created by spotsh, so their "not found" means "not visible yet".
     */
    static Kind kind(String code, String message) {
        if (code == null) {
            return Kind.CLOUD;
        }
        if (THROTTLING.contains(code) || NOT_YET_VISIBLE.contains(code)) {
            return Kind.AGAIN;
        }
        if (isRefusal(code)) {
            return Kind.ZONE;
        }
        if (imagePermission(code, message) || INPUT_CODES.stream().anyMatch(code::startsWith)) {
            return Kind.INPUT;
        }
        if (CREDENTIAL_CODES.contains(code)) {
            return Kind.CREDENTIALS;
        }
        return Kind.CLOUD;
    }

    static Kind kind(AwsServiceException e) {
        return kind(code(e), message(e));
    }

    /** The keys were refused (not: the keys are fine but may not use an image). */
    static boolean credentials(AwsServiceException e) {
        return kind(e) == Kind.CREDENTIALS;
    }

    static boolean throttling(String code) {
        return code != null && THROTTLING.contains(code);
    }

    static boolean notYetVisible(AwsServiceException e) {
        return code(e) != null && NOT_YET_VISIBLE.contains(code(e));
    }

    /** A failed launch call, as the exception spotsh throws for it. */
    static RuntimeException launchFailure(String zone, String instanceType, String action, AwsServiceException e) {
        return launchFailure(zone, instanceType, action, code(e), message(e), e);
    }

    /** A launch refused with {@code code}, whether as an exception or in a fleet's {@code Errors}. */
    static RuntimeException launchFailure(String zone, String instanceType, String action, String code,
                                          String message, Throwable cause) {
        String words = (code + ": " + message).replaceAll("\\s+", " ").strip();
        switch (kind(code, message)) {
            case ZONE:
                return refused(zone, instanceType, code, message);
            case INPUT:
                if (imagePermission(code, message)) {
                    return new BadInput("EC2 " + action + " failed: this account may not launch the image (" + words
                            + "); share the AMI with the account (launch permission) or pass an image it owns", cause);
                }
                return new BadInput("EC2 " + action + " failed: " + words, cause);
            default:
                return new CloudException("EC2 " + action + " failed: " + words + " (" + instanceType + " in " + zone + ")",
                        cause);
        }
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

    private static boolean imagePermission(String code, String message) {
        return "AuthFailure".equals(code) && message != null && IMAGE.matcher(message).find();
    }

    static CapacityException refused(String zone, String instanceType, String code, String message) {
        return new CapacityException(zone, instanceType, code, zone + " refused " + instanceType + " (" + code + ")"
                + (message == null || message.isBlank() ? "" : ": " + message.replaceAll("\\s+", " ").strip()));
    }

    static CapacityException refused(String zone, String instanceType, AwsServiceException e) {
        return refused(zone, instanceType, code(e), message(e));
    }
}
