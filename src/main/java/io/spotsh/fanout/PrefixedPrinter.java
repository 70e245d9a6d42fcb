package io.spotsh.fanout;

import java.io.BufferedOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints live output as pdsh does, each line after its node's name, names padded to one width:
 * <pre>
 * data-1  | Linux ip-10-0-0-7 6.1.0 ...
 * data-10 | Linux ip-10-0-0-9 6.1.0 ...
 * </pre>
 * stderr lines go to {@code err} (the same writer when none is given). Lines of different nodes never mix
 * within a line.
 *
 * <p>In a terminal every line is flushed as it comes. Into a file or pipe lines are written in blocks, each line
 * at most {@link #FLUSH_DELAY_MILLIS} after it arrived: a flush per line is a system call per line, which for
 * 300 nodes printing 1 MiB each costs more client CPU than decrypting the output.
 */
public final class PrefixedPrinter implements OutputListener {
    /** How long a line may wait in the buffer when not flushed line by line: still live behind {@code | tee}. */
    public static final long FLUSH_DELAY_MILLIS = 100;

    private final PrintWriter out;
    private final PrintWriter err;
    private final int width;
    private final boolean flushEachLine;
    private boolean flushPending; // guarded by this

    /**
     * @param flushEachLine true in a terminal (lines show as they come); false for bulk output to a file or pipe:
     *                      lines are flushed within {@link #FLUSH_DELAY_MILLIS}, and the caller flushes at the end
     */
    public PrefixedPrinter(PrintWriter out, PrintWriter err, Collection<Target> targets, boolean flushEachLine) {
        this.out = out;
        this.err = err == null ? out : err;
        this.width = targets.stream().mapToInt(t -> t.name().length()).max().orElse(0);
        this.flushEachLine = flushEachLine;
    }

    /** Lines flushed as they come, stdout and stderr both to {@code out}. */
    public PrefixedPrinter(PrintStream out, Collection<Target> targets) {
        this(out, targets, true);
    }

    /**
     * stdout and stderr both to {@code out}; {@code lineByLine} false writes in blocks of up to 64 KiB (the caller
     * flushes at the end).
     */
    public PrefixedPrinter(PrintStream out, Collection<Target> targets, boolean lineByLine) {
        this(new PrintWriter(new OutputStreamWriter(lineByLine ? out : new BufferedOutputStream(out, 1 << 16),
                StandardCharsets.UTF_8)), null, targets, lineByLine);
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
            } else if (!flushPending) {
                flushPending = true;
                Flusher.TIMER.schedule(this::flush, FLUSH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    public synchronized void flush() {
        flushPending = false;
        out.flush();
        err.flush();
    }

    /** One daemon thread for every printer's delayed flush, started by the first printer that needs it. */
    private static final class Flusher {
        static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spotsh-output-flush");
            t.setDaemon(true);
            return t;
        });
    }
}
