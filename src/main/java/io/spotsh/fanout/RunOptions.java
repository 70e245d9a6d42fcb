package io.spotsh.fanout;

import io.spotsh.common.Durations;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How one fan-out runs. Every field has a default; plans pass named arguments through {@link #from(Map)}:
 * <pre>{@code
 * nodes.run("nodetool ring", timeout: "2m", check: true)
 * nodes.run("cat /etc/os-release", grouped: true)
 * }</pre>
 *
 * @param timeout  per node: how long the command (or transfer) may run once started; null for no limit. When it
 *                 passes the remote process is sent TERM, then KILL, and its channel is closed
 * @param deadline the whole fan-out, connecting included; null for no limit
 * @param check    throw a {@link CheckFailedException} naming every failed node instead of returning
 * @param quiet    no live output (the result still holds each node's output)
 * @param grouped  no live output; the caller prints {@link RunResult#grouped()} at the end instead
 * @param listener where live lines go unless quiet or grouped; null for none
 */
public record RunOptions(Duration timeout, Duration deadline, boolean check, boolean quiet, boolean grouped,
                         OutputListener listener) {
    private static final Set<String> KEYS = Set.of("timeout", "deadline", "check", "quiet", "grouped");

    public static RunOptions defaults() {
        return new RunOptions(null, null, false, false, false, null);
    }

    /** Named arguments from a plan: {@code timeout}, {@code deadline} (seconds, {@code '5m'} or a Duration), {@code check}, {@code quiet}, {@code grouped}. */
    public static RunOptions from(Map<String, ?> named) {
        RunOptions options = defaults();
        for (Map.Entry<String, ?> e : named.entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                throw new FanoutException("unknown option '" + e.getKey() + "'; known: " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        if (named.get("timeout") != null) {
            options = options.withTimeout(Durations.parse(named.get("timeout"), "timeout"));
        }
        if (named.get("deadline") != null) {
            options = options.withDeadline(Durations.parse(named.get("deadline"), "deadline"));
        }
        return new RunOptions(options.timeout, options.deadline, truth(named.get("check")), truth(named.get("quiet")),
                truth(named.get("grouped")), null);
    }

    private static boolean truth(Object value) {
        return value instanceof Boolean b ? b : value != null && Boolean.parseBoolean(value.toString());
    }

    public RunOptions withTimeout(Duration value) {
        return new RunOptions(value, deadline, check, quiet, grouped, listener);
    }

    public RunOptions withDeadline(Duration value) {
        return new RunOptions(timeout, value, check, quiet, grouped, listener);
    }

    public RunOptions withCheck(boolean value) {
        return new RunOptions(timeout, deadline, value, quiet, grouped, listener);
    }

    public RunOptions withQuiet(boolean value) {
        return new RunOptions(timeout, deadline, check, value, grouped, listener);
    }

    public RunOptions withGrouped(boolean value) {
        return new RunOptions(timeout, deadline, check, quiet, value, listener);
    }

    public RunOptions withListener(OutputListener value) {
        return new RunOptions(timeout, deadline, check, quiet, grouped, value);
    }

    /** Where live lines go: nowhere when quiet or grouped ({@link OutputListener#finished} is still called). */
    OutputListener linesTo() {
        return quiet || grouped || listener == null ? OutputListener.NONE : listener;
    }
}
