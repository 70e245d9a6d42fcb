package io.spotsh.cloud;

/**
 * The zone cannot supply the instances now (spot capacity or price): the caller may try another zone or
 * instance type. {@code code} is the cloud's word, e.g. {@code InsufficientInstanceCapacity}.
 */
public class CapacityException extends CloudException {
    private final String zone;
    private final String instanceType;
    private final String code;

    public CapacityException(String zone, String instanceType, String code, String message) {
        super(message);
        this.zone = zone;
        this.instanceType = instanceType;
        this.code = code;
    }

    public String zone() {
        return zone;
    }

    public String instanceType() {
        return instanceType;
    }

    public String code() {
        return code;
    }
}
