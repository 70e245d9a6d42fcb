package io.spotsh.fanout;

import java.util.List;

/** Thrown by {@link RunResult#check()} (or a {@code check: true} run): lists every failed node in its message. */
public final class CheckFailedException extends FanoutException {
    private final transient RunResult result;

    CheckFailedException(String message, RunResult result) {
        super(message);
        this.result = result;
    }

    /** The whole result, failed and successful nodes alike. */
    public RunResult result() {
        return result;
    }

    public List<NodeResult> failed() {
        return result.getFailed();
    }
}
