package io.spotsh.fanout;

import java.util.Locale;

/**
 * Where a node's operation failed (not a test's phase: {@code load}, {@code run}). The first four happen before a
 * command starts, so only they are retried. Printed in lower case in the {@code phase} column of tables and CSV.
 */
public enum FailureStage {
    /** TCP connect, the SSH greeting or key exchange: the node is unreachable, refusing or black-holed. */
    CONNECT,
    /** The server refused every key offered. */
    AUTH,
    /** The server's host key is not the one the node registered (or not in known_hosts). */
    HOSTKEY,
    /** The channel could not be opened or the command failed (non-zero exit, signal). */
    EXEC,
    /** An SFTP transfer failed or its sizes did not match. */
    TRANSFER,
    /** The per-command timeout or the overall deadline passed. */
    TIMEOUT,
    /** The fan-out was cancelled (Ctrl-C, {@link Fanout#cancel()} or an interrupt). */
    CANCELLED;

    /** Lower case, as tables and CSV print it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return label();
    }
}
