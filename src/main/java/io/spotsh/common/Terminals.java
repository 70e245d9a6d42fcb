package io.spotsh.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/** Whether this process's standard streams are terminals: decides between a shell and a script, live and bulk output. */
public final class Terminals {
    private Terminals() {
    }

    /** True when standard input is a terminal: then a bare {@code spotsh} opens the shell. */
    public static boolean stdinIsTerminal() {
        return isTerminal(0);
    }

    /** True when standard output is a terminal: then output is flushed line by line, otherwise in blocks. */
    public static boolean stdoutIsTerminal() {
        return isTerminal(1);
    }

    private static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Paths.get("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            // no /proc (not Linux): System.console() exists only when stdin and stdout both are terminals
            return System.console() != null;
        }
    }
}
