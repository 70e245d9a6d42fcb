package io.spotsh.fanout;

/**
 * Why a node's operation failed, one level finer than its {@link FailureStage}: what a run's summary line counts
 * ({@code 3 failed (connect: connection refused ×2, exec: exit 1 ×1)}) so every failure of a run is explained.
 * A command's own exit status and signal are causes too ({@code exit 3}, {@code signal KILL}); see
 * {@link NodeResult#getCause()}.
 */
public enum FailureCause {
    /** TCP connect refused: no SSH server listening (not booted yet, killed, or the instance is gone). */
    REFUSED("connection refused"),
    /** TCP connected but the server said nothing within the connect timeout: black-holed, hung or overloaded. */
    NO_HANDSHAKE("no SSH handshake"),
    /** The TCP connect itself timed out. */
    CONNECT_TIMEOUT("TCP connect timeout"),
    /** No route to the host or an unknown host name. */
    UNREACHABLE("host unreachable"),
    /** The SSH key exchange or greeting failed in another way. */
    HANDSHAKE_FAILED("SSH handshake failed"),
    /** The host key is not the one the node registered. */
    HOST_KEY("host key mismatch"),
    /** Every key offered was refused. */
    AUTH_REFUSED("authentication refused"),
    /** The server did not open a session channel (refused, or no answer in time). */
    CHANNEL("no session channel"),
    /** The connection dropped while the command ran (the peer closed it, or the network failed). */
    CONNECTION_LOST("connection lost"),
    /** The keepalive rule found the peer dead: probes unanswered and nothing at all received meanwhile. */
    PEER_DEAD("peer dead (keepalives unanswered)"),
    /** The command ended with a non-zero exit status. */
    EXIT("exit status"),
    /** The command was ended by a signal. */
    SIGNAL("signal"),
    /** The per-command timeout passed. */
    COMMAND_TIMEOUT("command timeout"),
    /** The fan-out's overall deadline passed. */
    DEADLINE("overall deadline"),
    /** Ctrl-C, {@link Fanout#cancel()} or an interrupt. */
    CANCELLED("cancelled"),
    /** An SFTP transfer failed. */
    TRANSFER("transfer failed"),
    /** The local disk (the folder a get writes into) is full. */
    DISK_FULL("local disk full"),
    /** A failure inside spotsh itself (a bug: the message says what). */
    INTERNAL("internal error");

    private final String label;

    FailureCause(String label) {
        this.label = label;
    }

    /** Lower case words, as the summary line prints them. */
    public String label() {
        return label;
    }

    /** The cause a stage implies when the failure site named none. */
    static FailureCause of(FailureStage stage) {
        return switch (stage) {
            case CONNECT -> HANDSHAKE_FAILED;
            case AUTH -> AUTH_REFUSED;
            case HOSTKEY -> HOST_KEY;
            case EXEC -> CONNECTION_LOST;
            case TRANSFER -> TRANSFER;
            case TIMEOUT -> COMMAND_TIMEOUT;
            case CANCELLED -> CANCELLED;
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
