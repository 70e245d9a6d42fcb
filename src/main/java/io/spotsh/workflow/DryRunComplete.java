package io.spotsh.workflow;

/**
 * Thrown by {@code cluster.launch} under {@code --dry-run} after printing what it would request: a plan
 * stops there (nothing after a launch makes sense without instances) and the command line exits 0.
 */
public final class DryRunComplete extends RuntimeException {
    public DryRunComplete(String message) {
        super(message);
    }
}
