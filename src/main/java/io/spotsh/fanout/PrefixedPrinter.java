package io.spotsh.fanout;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints live output as pdsh does, each line after its node's name, names padded to one width:
 * <pre>
 * data-1  | Linux ip-10-0-0-7 6.1.0 ...
 * data-10 | Linux ip-10-0-0-9 6.1.0 ...
 * </pre>
 * stdout and stderr lines go to the same stream. Lines of different nodes never mix within a line. Lines go out
 * as the bytes the nodes sent, behind a prefix encoded once per node: no line becomes a string.
 *
 * <p>In a terminal every line is flushed as it comes. Into a file or pipe lines are written in blocks, each line
 * at most {@link #FLUSH_DELAY_MILLIS} after it arrived: a flush per line is a system call per line, which for
 * 300 nodes printing 1 MiB each costs more client CPU than decrypting the output.
 */
public final class PrefixedPrinter implements OutputListener {
    /** How long a line may wait in the buffer when not flushed line by line: still live behind {@code | tee}. */
    public static final long FLUSH_DELAY_MILLIS = 100;

    private final OutputStream out;
    private final Map<String, byte[]> prefixes = new HashMap<>(); // filled once, read by every reader thread
    private final int width;
    private final boolean flushEachLine;
    private boolean flushPending; // guarded by this
    private byte[] pending = new byte[256]; // one line with its prefix, written at once; guarded by this

    /** Lines flushed as they come. */
    public PrefixedPrinter(PrintStream out, Collection<Target> targets) {
        this(out, targets, true);
    }

    /**
     * @param lineByLine true in a terminal (lines show as they come); false for bulk output to a file or pipe:
     *                   lines go out in blocks of up to 64 KiB within {@link #FLUSH_DELAY_MILLIS}, and the caller
     *                   flushes at the end
     */
    public PrefixedPrinter(PrintStream out, Collection<Target> targets, boolean lineByLine) {
        this.out = lineByLine ? out : new BufferedOutputStream(out, 1 << 16);
        this.width = targets.stream().mapToInt(t -> t.name().length()).max().orElse(0);
        this.flushEachLine = lineByLine;
        for (Target t : targets) {
            prefixes.put(t.name(), prefix(t.name()));
        }
    }

    @Override
    public void line(Target node, Stream stream, String line) {
        byte[] encoded = line.getBytes(StandardCharsets.UTF_8);
        line(node, stream, encoded, 0, encoded.length);
    }

    @Override
    public void line(Target node, Stream stream, byte[] data, int offset, int length) {
        byte[] prefix = prefixes.get(node.name());
        if (prefix == null) { // a node that was not among the targets
            prefix = prefix(node.name());
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
                out.write(pending, 0, size);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (flushEachLine) {
                flush();
            } else if (!flushPending) {
                flushPending = true;
                Flusher.TIMER.schedule(this::flush, FLUSH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The node's name padded to the widest name, then " | ", as UTF-8. */
    private byte[] prefix(String name) {
        return (name + " ".repeat(Math.max(0, width - name.length())) + " | ").getBytes(StandardCharsets.UTF_8);
    }

    public synchronized void flush() {
        flushPending = false;
        try {
            out.flush();
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
