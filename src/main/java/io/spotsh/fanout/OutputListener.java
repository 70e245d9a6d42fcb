package io.spotsh.fanout;

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

    /** Called once per node when its result is final. */
    default void finished(NodeResult result) {
    }
}
