package io.spotsh.common;

import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The operator's log, one timestamped line per event: {@code 2014-01-02 05:05:02 I see 294/300 data servers reporting...}.
 * One instance per session, handed to whatever needs to say something; lines are written whole so that
 * several threads never interleave inside a line.
 */
public final class Log {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final PrintStream out;
    private final Clock clock;
    private final boolean lineByLine;

    /** Output to this process's stdout is written in blocks when that is a file or pipe; any other stream line by line. */
    public Log(PrintStream out) {
        this(out, Clock.systemDefaultZone(), out != System.out || Terminals.stdoutIsTerminal());
    }

    /**
     * @param lineByLine whether bulk output (nodes' live lines) should reach {@code out} line by line, as a person
     *                   watching it wants, or may be written in blocks, which a file or pipe takes far cheaper
     */
    public Log(PrintStream out, Clock clock, boolean lineByLine) {
        this.out = out;
        this.clock = clock;
        this.lineByLine = lineByLine;
    }

    /** Writes {@code text} with a timestamp; a multi-line text gets the stamp on each line. */
    public void log(Object text) {
        String stamp = STAMP.format(LocalDateTime.now(clock));
        StringBuilder line = new StringBuilder();
        for (String part : String.valueOf(text).split("\n", -1)) {
            line.append(stamp).append(' ').append(part).append('\n');
        }
        synchronized (out) {
            out.print(line);
            out.flush();
        }
    }

    public PrintStream out() {
        return out;
    }

    /** Whether bulk output is flushed line by line (a terminal, a test's stream) or may go in blocks (a file, a pipe). */
    public boolean lineByLine() {
        return lineByLine;
    }
}
