package io.spotsh.fanout;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where one node's command output goes as it arrives: a bounded tail per stream for the result and complete lines
 * to the listener. Written by the connection's reader thread; read by the node's task once the channel is done,
 * or early when it was abandoned, hence the locking.
 *
 * <p>Once the fan-out is cancelled, the remote shell's notice of the job the cancel killed ({@code Terminated},
 * {@code sh: 1: 1234 Terminated sleep 60}) is left out of the live lines and of the node's stderr: the fan-out
 * caused it, and the result says so once; what the command itself wrote stays.
 */
public final class NodeOutput {
    private static final int MAX_LINE = 64 * 1024;
    /** How sh, dash, bash and ksh report a job that a signal ended, with or without their name, line, job and pid. */
    private static final Pattern SHELL_NOTICE = Pattern.compile("(?:[^\\s:]+: (?:line )?\\d+: )?"
            + "(?:(?:\\[\\d+\\][+-]?|\\d+)\\s+(?:Terminated|Killed|Hangup)(?:\\s.*)?|Terminated|Killed|Hangup)");

    private final TailBuffer stdout;
    private final TailBuffer stderr;
    private final LineSplitter stdoutLines;
    private final LineSplitter stderrLines;
    private volatile boolean listenerFailed;
    private volatile Cancellation cancellation;
    private long stderrAtCancel = -1; // stderr bytes written when the cancel was first seen; guarded by this

    /** Keeps the last {@code tailBytes} of each stream and hands complete lines to {@code listener} (null for none). */
    public NodeOutput(Target node, int tailBytes, OutputListener listener) {
        this.stdout = new TailBuffer(tailBytes);
        this.stderr = new TailBuffer(tailBytes);
        if (listener == null || listener == OutputListener.NONE) {
            stdoutLines = null;
            stderrLines = null;
        } else {
            stdoutLines = new LineSplitter(guard(node, OutputListener.Stream.STDOUT, listener), MAX_LINE);
            stderrLines = new LineSplitter(guard(node, OutputListener.Stream.STDERR, listener), MAX_LINE);
        }
    }

    /** A listener that throws must not break the SSH connection whose reader thread called it: it is dropped. */
    private LineSplitter.Sink guard(Target node, OutputListener.Stream stream, OutputListener listener) {
        return (data, offset, length) -> {
            if (stream == OutputListener.Stream.STDERR && cancelled()
                    && shellNotice(new String(data, offset, length, StandardCharsets.UTF_8))) {
                return;
            }
            if (!listenerFailed) {
                try {
                    listener.line(node, stream, data, offset, length);
                } catch (RuntimeException e) {
                    listenerFailed = true;
                }
            }
        };
    }

    public synchronized void stdout(byte[] data, int offset, int length) {
        stdout.write(data, offset, length);
        if (stdoutLines != null) {
            stdoutLines.write(data, offset, length);
        }
    }

    /** The fan-out's stop signal: once it is set, the remote shell's job notices are not the node's output. */
    void cancelledBy(Cancellation token) {
        this.cancellation = token;
    }

    private boolean cancelled() {
        Cancellation token = cancellation;
        return token != null && token.isCancelled();
    }

    /** A line a remote shell prints for a job a signal ended, e.g. {@code Terminated}. */
    static boolean shellNotice(String line) {
        return SHELL_NOTICE.matcher(line.strip()).matches();
    }

    public synchronized void stderr(byte[] data, int offset, int length) {
        if (stderrAtCancel < 0 && cancelled()) {
            stderrAtCancel = stderr.total();
        }
        stderr.write(data, offset, length);
        if (stderrLines != null) {
            stderrLines.write(data, offset, length);
        }
    }

    /** Passes on unterminated last lines; called once, when the node is done. */
    synchronized void finish() {
        if (stdoutLines != null) {
            stdoutLines.flush();
            stderrLines.flush();
        }
    }

    /** Fills the output parts of a result. */
    synchronized NodeResult.Builder into(NodeResult.Builder result) {
        result.stdout = stdout.text();
        result.stderr = stderr.text();
        result.stdoutBytes = stdout.total();
        result.stderrBytes = stderr.total();
        if (stderrAtCancel >= 0) {
            withoutNotices(result, stderr.total() - stderrAtCancel);
        }
        result.truncated = stdout.truncated() || stderr.truncated();
        return result;
    }

    /** Drops the shell's job notices from the last {@code afterCancel} bytes of the result's stderr. */
    private static void withoutNotices(NodeResult.Builder result, long afterCancel) {
        byte[] all = result.stderr.getBytes(StandardCharsets.UTF_8);
        int from = (int) Math.max(0, all.length - afterCancel);
        StringBuilder kept = new StringBuilder(new String(all, 0, from, StandardCharsets.UTF_8));
        long dropped = 0;
        for (String line : new String(all, from, all.length - from, StandardCharsets.UTF_8).split("(?<=\\n)")) {
            if (shellNotice(line)) {
                dropped += line.getBytes(StandardCharsets.UTF_8).length;
            } else {
                kept.append(line);
            }
        }
        result.stderr = kept.toString();
        result.stderrBytes -= dropped;
    }
}
