package io.spotsh.fanout;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Prints live output as pdsh does, each line after its node's name, names padded to one width:
 * <pre>
 * data-1  | Linux ip-10-0-0-7 6.1.0 ...
 * data-10 | Linux ip-10-0-0-9 6.1.0 ...
 * </pre>
 * stderr lines go to {@code err} (the same writer when none is given). Lines of different nodes never mix
 * within a line.
 */
public final class PrefixedPrinter implements OutputListener {
    private final PrintWriter out;
    private final PrintWriter err;
    private final int width;
    private final boolean flushEachLine;

    /**
     * @param flushEachLine true in a terminal (lines show as they come); false for bulk output to a file or pipe,
     *                      where the caller flushes at the end
     */
    public PrefixedPrinter(PrintWriter out, PrintWriter err, Collection<Target> targets, boolean flushEachLine) {
        this.out = out;
        this.err = err == null ? out : err;
        this.width = targets.stream().mapToInt(t -> t.name().length()).max().orElse(0);
        this.flushEachLine = flushEachLine;
    }

    /** Lines flushed as they come, stdout and stderr both to {@code out}. */
    public PrefixedPrinter(PrintStream out, Collection<Target> targets) {
        this(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)), null, targets, true);
    }

    @Override
    public void line(Target node, Stream stream, String line) {
        PrintWriter to = stream == Stream.STDERR ? err : out;
        String name = node.name();
        synchronized (this) {
            to.append(name);
            for (int i = name.length(); i < width; i++) {
                to.append(' ');
            }
            to.append(" | ").append(line).append('\n');
            if (flushEachLine) {
                to.flush();
            }
        }
    }

    public synchronized void flush() {
        out.flush();
        err.flush();
    }
}
