package io.spotsh.fanout;

import java.nio.charset.StandardCharsets;

/**
 * Receives a fan-out's output live, one complete line at a time, as nodes produce it. Called from the SSH reader
 * thread of each node's connection, so calls for different nodes arrive concurrently and a slow listener slows
 * only the node whose line it is handling (SSH flow control pushes back on that node alone).
 *
 * <pre>{@code
 * fanout.run(targets, "uname -a", RunOptions.defaults().withListener(new PrefixedPrinter(System.out, targets)));
 * // data-1 | Linux ip-10-0-0-7 6.1.0 ...
 * }</pre>
 */
@FunctionalInterface
public interface OutputListener {
    /** Which of a command's two output streams a line came from. */
    enum Stream { STDOUT, STDERR }

    /** A listener that drops everything ({@code quiet}). */
    OutputListener NONE = (node, stream, line) -> { };

    /** One line of output without its line terminator; a last line without a newline arrives at the end. */
    void line(Target node, Stream stream, String line);

    /**
     * The same line as the bytes the node sent (UTF-8, no terminator), valid only during the call. This is what the
     * engine calls; the default decodes and calls {@link #line(Target, Stream, String)}. A listener that writes the
     * bytes out again overrides it and never makes a string.
     */
    default void line(Target node, Stream stream, byte[] data, int offset, int length) {
        line(node, stream, new String(data, offset, length, StandardCharsets.UTF_8));
    }

    /** Called once per node when its result is final. */
    default void finished(NodeResult result) {
    }
}
