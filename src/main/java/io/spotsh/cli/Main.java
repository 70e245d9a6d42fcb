package io.spotsh.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/** Entry point of {@code spotsh}: everything is in {@link SpotshCommand}; this only exits with its code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.in, System.out, System.err, System.getenv());
        System.out.flush();
        System.exit(code);
    }

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        return new SpotshCommand(in, out, err, env).execute(args);
    }
}
