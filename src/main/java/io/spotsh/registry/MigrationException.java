package io.spotsh.registry;

/** The registry schema could not be brought up to date, or does not match this spotsh's migrations. */
public class MigrationException extends RegistryException {
    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
