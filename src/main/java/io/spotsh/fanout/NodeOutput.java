package io.spotsh.fanout;

/**
 * Where one node's command output goes as it arrives: a bounded tail per stream for the result and complete lines
 * to the listener. Written by the connection's reader thread; read by the node's task once the channel is done,
 * or early when it was abandoned, hence the locking.
 */
public final class NodeOutput {
    private static final int MAX_LINE = 64 * 1024;

    private final TailBuffer stdout;
    private final TailBuffer stderr;
    private final LineSplitter stdoutLines;
    private final LineSplitter stderrLines;
    private volatile boolean listenerFailed;

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

    public synchronized void stderr(byte[] data, int offset, int length) {
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
        result.truncated = stdout.truncated() || stderr.truncated();
        return result;
    }
}
