package io.spotsh.workflow;

import java.nio.file.Path;
import java.util.Collection;

/** Recognises a full local disk (ENOSPC) in a failure, so collect can say which folder it could not fill. */
final class DiskFull {
    private DiskFull() {
    }

    static boolean in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (in(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    static boolean in(String message) {
        return message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded")
                || message.contains("local disk full"));
    }

    static boolean inAny(Collection<String> messages) {
        return messages.stream().anyMatch(DiskFull::in);
    }

    /** The error collect throws: the folder, how far it got, and that what came is kept. */
    static WorkflowException error(Path dir, int collected, int nodes, Throwable cause) {
        return new WorkflowException("collect: the disk holding " + dir + " is full (No space left on device): "
                + collected + " of " + nodes + " nodes collected; what was collected stays in " + dir
                + "; free some space and call cluster.collect() again, before the nodes are terminated", cause);
    }
}
