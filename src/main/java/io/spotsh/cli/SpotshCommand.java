package io.spotsh.cli;

import groovy.lang.Script;
import io.spotsh.common.StateDir;
import io.spotsh.script.Engine;
import io.spotsh.script.ScriptError;
import io.spotsh.shell.ResultPrinter;
import io.spotsh.shell.Session;
import io.spotsh.shell.Shell;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.Signals;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code spotsh}: the interactive shell, {@code -f plan.groovy [args]}, {@code -e 'expr'}, or a script on
 * standard input. Everything after the plan file (or the expression) belongs to the plan, as {@code args}.
 */
@Command(name = "spotsh", mixinStandardHelpOptions = true, versionProvider = SpotshCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"A scriptable shell for distributed performance tests on short-lived spot capacity.",
            "With no -f or -e: an interactive shell on a terminal, or a script read from standard input."},
        footer = {"", ExitCodes.TABLE, "",
            "Environment: SPOTSH_HOME (state directory, default ~/.spotsh), SPOTSH_REGISTRY (JDBC URL)."})
public final class SpotshCommand implements Callable<Integer> {
    /** Options whose value is the next word, so the plan's own words can be told apart from ours. */
    private static final Set<String> VALUED = Set.of("--state-dir", "--registry", "--registry-listen");

    @Option(names = {"-f", "--file"}, paramLabel = "PLAN", description = "run a plan file non-interactively")
    Path plan;

    @Option(names = {"-e", "--eval"}, paramLabel = "EXPR", description = "evaluate one expression and print its result")
    String expression;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "where history, the embedded registry and keys live (default: $SPOTSH_HOME or ~/.spotsh)")
    String stateDir;

    @Option(names = "--registry", paramLabel = "JDBC_URL", description = "use this PostgreSQL server instead of the embedded one (or $SPOTSH_REGISTRY)")
    String registry;

    @Option(names = "--registry-listen", paramLabel = "ADDR", description = "address the embedded registry listens on, for nodes off this machine (default 127.0.0.1)")
    String registryListen;

    @Option(names = "--debug", description = "print full stack traces")
    boolean debug;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private List<String> planArgs = List.of();

    SpotshCommand(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int execute(String[] argv) {
        int split = planArgsStart(argv);
        int argsFrom = split < argv.length && argv[split].equals("--") ? split + 1 : split;
        planArgs = List.of(Arrays.copyOfRange(argv, argsFrom, argv.length));
        CommandLine cmd = new CommandLine(this);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler((e, args) -> {
            err.println("spotsh: " + e.getMessage());
            err.println("Try 'spotsh --help'.");
            return ExitCodes.USAGE;
        });
        cmd.setExecutionExceptionHandler((e, commandLine, parsed) -> fail(e));
        return cmd.execute(Arrays.copyOfRange(argv, 0, split));
    }

    /** Index of the first word after {@code -f FILE} or {@code -e EXPR}; everything from there is the plan's. */
    private static int planArgsStart(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("-f") || a.equals("--file") || a.equals("-e") || a.equals("--eval")) {
                return Math.min(i + 2, argv.length);
            }
            if (a.startsWith("--file=") || a.startsWith("--eval=") || (a.length() > 2 && (a.startsWith("-f") || a.startsWith("-e")))) {
                return i + 1;
            }
            if (a.equals("--")) {
                return i; // the "--" itself is dropped in execute
            }
            if (VALUED.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                break;
            }
        }
        return argv.length;
    }

    @Override
    public Integer call() throws Exception {
        if (plan != null && expression != null) {
            throw new ExitCodes.UsageError("give either -f PLAN or -e EXPR, not both");
        }
        StateDir state = StateDir.resolve(stateDir, env);
        try (Session session = new Session(state, planArgs, out)) {
            if (expression != null) {
                return runScript(session, expression, "-e", true);
            }
            if (plan != null) {
                return runScript(session, read(plan), plan.toString(), false);
            }
            if (in == System.in && stdinIsTerminal()) {
                try (Terminal terminal = TerminalBuilder.builder().system(true).name("spotsh").build()) {
                    new Shell(terminal, session, state.dir(".").resolve("history")).run();
                }
                return ExitCodes.OK;
            }
            return runScript(session, new String(in.readAllBytes(), StandardCharsets.UTF_8), "stdin", false);
        }
    }

    private static String read(Path plan) {
        try {
            return Files.readString(plan, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ExitCodes.UsageError("no such plan file: " + plan);
        } catch (IOException e) {
            throw new ExitCodes.UsageError("cannot read plan " + plan + ": " + e.getMessage());
        }
    }

    /**
     * Compiles first (a plan that does not compile runs nothing), then runs on this thread. The first
     * Ctrl-C interrupts the plan so it can clean up; a second one exits at once (still running shutdown hooks).
     */
    private int runScript(Session session, String text, String name, boolean printResult) {
        Engine engine = session.engine();
        Script script = engine.compile(text, name, Engine.Mode.PLAN);
        Thread planThread = Thread.currentThread();
        AtomicBoolean interrupted = new AtomicBoolean();
        Object previous = Signals.register("INT", () -> {
            if (interrupted.getAndSet(true)) {
                err.println("spotsh: interrupted again, exiting");
                new Thread(() -> System.exit(ExitCodes.INTERRUPTED), "spotsh-exit").start();
            } else {
                planThread.interrupt();
            }
        });
        try {
            Object result = engine.run(script, name);
            if (printResult) {
                PrintWriter writer = new PrintWriter(out, true);
                ResultPrinter.print(result, writer);
            }
            return interrupted.get() ? ExitCodes.INTERRUPTED : ExitCodes.OK;
        } catch (ScriptError e) {
            if (interrupted.get()) {
                throw new ScriptError.Interrupted(name, e.line(), e);
            }
            throw e;
        } finally {
            Signals.unregister("INT", previous);
            Thread.interrupted(); // clear a late interrupt so closing the session is not disturbed
        }
    }

    private int fail(Exception e) {
        String message = e instanceof ScriptError || e instanceof ExitCodes.UsageError
                ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
        err.println("spotsh: " + message);
        if (debug) {
            e.printStackTrace(err);
        }
        return ExitCodes.of(e);
    }

    /** True when standard input is a terminal: then a bare {@code spotsh} opens the shell. */
    static boolean stdinIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Paths.get("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"spotsh " + Session.version(),
                "Java " + System.getProperty("java.version") + ", Groovy " + groovy.lang.GroovySystem.getVersion()};
        }
    }

    List<String> planArgs() {
        return new ArrayList<>(planArgs);
    }
}
