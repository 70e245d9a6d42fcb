package io.spotsh.registry;

/**
 * Anything that went wrong in the registry. Messages say what failed and on which registry
 * (host, port, database or state directory) and never carry a password. Subclasses tell
 * the layer: {@link RegistryServerException} for the embedded server, {@link MigrationException}
 * for the schema; a plain {@code RegistryException} is a failed query or a refused request.
 */
public class RegistryException extends RuntimeException {
    private final String sqlState;

    public RegistryException(String message) {
        this(message, null, null);
    }

    public RegistryException(String message, Throwable cause) {
        this(message, null, cause);
    }

    public RegistryException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** The PostgreSQL SQLSTATE behind this error (e.g. {@code 42501}, {@code SP001}), or null. */
    public String sqlState() {
        return sqlState;
    }
}
