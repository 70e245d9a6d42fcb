package io.spotsh.fanout;

import java.nio.file.Path;

/**
 * The one primitive of the engine, after Jepsen's control layer: five verbs on one node. Everything else (run on
 * all nodes, retries before a command starts, handshake and channel limits, cancellation) wraps a Remote rather
 * than living inside it. A {@link Transport} makes them; a failure is a {@link FanoutException} naming the node,
 * the {@link FailureStage} and whether the step may be retried (only when its command certainly did not start).
 */
public interface Remote extends AutoCloseable {
    Target target();

    boolean isConnected();

    /**
     * Gets as far as it can without a handshake permit (for SSH: TCP connected and the server's greeting heard), so a
     * dead node's wait overlaps the others' handshakes; {@link #connect} then goes on from there. Does nothing when
     * the connection is open or already greeted, or when the transport has no such step.
     */
    void greet(Budget budget);

    /** Opens the node's connection unless it is open; idempotent. */
    void connect(Budget budget);

    /** Runs {@code command} through the node's login shell, streaming its output into {@code output}. */
    Exit exec(String command, NodeOutput output, Budget budget);

    /**
     * Sends {@code command} without waiting when the node can take it at once (for SSH: an open connection whose
     * resident shell is idle), so a warm command needs no thread of its own while it runs; null when it cannot, and
     * {@link #exec} then does it all. Never throws: a failure to send is {@link Started#finish}'s to report.
     */
    default Started start(String command, NodeOutput output, Budget budget) {
        return null;
    }

    /** Copies a local file or directory to {@code remotePath}; returns the bytes copied, sizes verified. */
    long upload(Path local, String remotePath, Budget budget);

    /** Copies a remote file or directory into {@code localDir}; returns the bytes copied, sizes verified. */
    long download(String remotePath, Path localDir, Budget budget);

    /** Closes the connection; a later call opens a new one. */
    @Override
    void close();

    /** A command {@link #start} sent. */
    interface Started {
        /**
         * Runs {@code settled} once, on whichever thread first sees the command settle: it ended (its status is in),
         * or something needs {@link #finish} to look (cancellation, the shell or the connection ending).
         */
        void onSettled(Runnable settled);

        /** Whether the command ended with its exit status in: {@link #finish} then returns at once. */
        boolean ended();

        /** Waits for the end as {@link #exec} would (timeout, cancellation, a lost connection); called once. */
        Exit finish();
    }

    /** How a command ended: its exit status, or the signal that killed it. */
    record Exit(Integer status, String signal) {
    }
}
