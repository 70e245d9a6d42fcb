package io.spotsh.script;

/**
 * A plan, expression or shell line that failed: to compile (nothing of it ran) or at run time.
 * The message is the one-line form an operator reads: {@code plan.groovy:4:3: unexpected input: '('}.
 */
public class ScriptError extends RuntimeException {
    private final String source;
    private final int line;
    private final int column;
    private final String detail;

    public ScriptError(String source, int line, int column, String detail, Throwable cause) {
        super(format(source, line, column, detail), cause);
        this.source = source;
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    private static String format(String source, int line, int column, String detail) {
        StringBuilder s = new StringBuilder(source);
        if (line > 0) {
            s.append(':').append(line);
            if (column > 0) {
                s.append(':').append(column);
            }
        }
        return s.append(": ").append(detail).toString();
    }

    /** The plan file name, {@code -e} or {@code shell}. */
    public String source() {
        return source;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** What went wrong, without the location. */
    public String detail() {
        return detail;
    }

    /** The script did not compile, so none of it ran. */
    public static final class Compile extends ScriptError {
        public Compile(String source, int line, int column, String detail, Throwable cause) {
            super(source, line, column, detail, cause);
        }
    }

    /** The script threw while running. */
    public static final class Runtime extends ScriptError {
        public Runtime(String source, int line, String detail, Throwable cause) {
            super(source, line, 0, detail, cause);
        }
    }

    /** The script was interrupted (Ctrl-C, or the command was cancelled). */
    public static final class Interrupted extends ScriptError {
        public Interrupted(String source, int line, Throwable cause) {
            super(source, line, 0, "interrupted", cause);
        }
    }
}
