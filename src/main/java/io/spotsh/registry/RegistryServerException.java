package io.spotsh.registry;

/** The embedded PostgreSQL server could not be prepared, started, reached or stopped. */
public class RegistryServerException extends RegistryException {
    public RegistryServerException(String message) {
        super(message);
    }

    public RegistryServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
