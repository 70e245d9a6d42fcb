package io.spotsh.cloud;

/** Something a cloud refused or failed to do; the message names the provider, zone or instance. */
public class CloudException extends RuntimeException {
    public CloudException(String message) {
        super(message);
    }

    public CloudException(String message, Throwable cause) {
        super(message, cause);
    }
}
