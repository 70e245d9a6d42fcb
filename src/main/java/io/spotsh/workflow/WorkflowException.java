package io.spotsh.workflow;

/**
 * A step of the test workflow that could not be done: launch, await, replace, terminate, reap. The message
 * names the test and, where it applies, the role, node and instance ids an operator needs to act.
 */
public class WorkflowException extends RuntimeException {
    public WorkflowException(String message) {
        super(message);
    }

    public WorkflowException(String message, Throwable cause) {
        super(message, cause);
    }
}
