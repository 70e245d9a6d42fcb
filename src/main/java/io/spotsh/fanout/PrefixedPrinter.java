package io.spotsh.fanout;

import java.io.BufferedOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>Printing to a {@link PrintStream}, lines go out as the bytes the nodes sent, behind a prefix encoded once per
 * node: no line becomes a string (as UTF-8, the same bytes the string would have been encoded to).
 */
public final class PrefixedPrinter implements OutputListener {
    /** How long a line may wait in the buffer when not flushed line by line: still live behind {@code | tee}. */
    public static final long FLUSH_DELAY_MILLIS = 100;

    private final PrintWriter out; // null when printing bytes
    private final PrintWriter err;
    private final OutputStream bytes; // stdout and stderr lines both, when printing to a PrintStream
    private final Map<String, byte[]> prefixes = new ConcurrentHashMap<>();
    private final int width;
    private final boolean flushEachLine;
    private boolean flushPending; // guarded by this
    private byte[] pending = new byte[256]; // one line with its prefix, written at once; guarded by this

    /**
     * @param flushEachLine true in a terminal (lines show as they come); false for bulk output to a file or pipe:
     *                      lines are flushed within {@link #FLUSH_DELAY_MILLIS}, and the caller flushes at the end
     */
    public PrefixedPrinter(PrintWriter out, PrintWriter err, Collection<Target> targets, boolean flushEachLine) {
        this(out, err == null ? out : err, null, targets, flushEachLine);
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
        this(null, null, lineByLine ? out : new BufferedOutputStream(out, 1 << 16), targets, lineByLine);
    }

    private PrefixedPrinter(PrintWriter out, PrintWriter err, OutputStream bytes, Collection<Target> targets,
                            boolean flushEachLine) {
        this.out = out;
        this.err = err;
        this.bytes = bytes;
        this.width = targets.stream().mapToInt(t -> t.name().length()).max().orElse(0);
        this.flushEachLine = flushEachLine;
    }

    @Override
    public void line(Target node, Stream stream, String line) {
        if (bytes != null) {
            byte[] encoded = line.getBytes(StandardCharsets.UTF_8);
            line(node, stream, encoded, 0, encoded.length);
            return;
        }
        PrintWriter to = stream == Stream.STDERR ? err : out;
        synchronized (this) {
            to.append(padded(node.name())).append(line).append('\n');
            written(to);
        }
    }

    @Override
    public void line(Target node, Stream stream, byte[] data, int offset, int length) {
        if (bytes == null) {
            line(node, stream, new String(data, offset, length, StandardCharsets.UTF_8));
            return;
        }
        byte[] prefix = prefixes.get(node.name()); // (computeIfAbsent alone would allocate its lambda per line)
        if (prefix == null) {
            prefix = prefixes.computeIfAbsent(node.name(), n -> padded(n).getBytes(StandardCharsets.UTF_8));
        }
        synchronized (this) {
            // one write per line: System.out flushes on every write
            int size = prefix.length + length + 1;
            if (pending.length < size) {
                pending = Arrays.copyOf(pending, Math.max(size, 2 * pending.length));
            }
            System.arraycopy(prefix, 0, pending, 0, prefix.length);
            System.arraycopy(data, offset, pending, prefix.length, length);
            pending[size - 1] = '\n';
            try {
                bytes.write(pending, 0, size);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            written(bytes);
        }
    }

    /** The node's name padded to the widest name, then " | ". */
    private String padded(String name) {
        return name + " ".repeat(Math.max(0, width - name.length())) + " | ";
    }

    /** After a line: flushed now in a terminal, else within {@link #FLUSH_DELAY_MILLIS}. Holds this. */
    private void written(Flushable to) {
        if (flushEachLine) {
            flushNow(to);
        } else if (!flushPending) {
            flushPending = true;
            Flusher.TIMER.schedule(this::flush, FLUSH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    public synchronized void flush() {
        flushPending = false;
        if (bytes != null) {
            flushNow(bytes);
        } else {
            out.flush();
            err.flush();
        }
    }

    private static void flushNow(Flushable to) {
        try {
            to.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
