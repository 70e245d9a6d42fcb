package io.spotsh.cli;

import groovy.lang.Script;
import io.spotsh.common.BadInput;
import io.spotsh.common.StateDir;
import io.spotsh.common.Terminals;
import io.spotsh.fanout.FanoutException;
import io.spotsh.fanout.ssh.crypto.SshCrypto;
import io.spotsh.node.NodeUserData;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.report.Rendering;
import io.spotsh.script.Engine;
import io.spotsh.script.ScriptError;
import io.spotsh.shell.Session;
import io.spotsh.shell.Shell;
import org.jline.builtins.Options;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.Signals;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code spotsh}: the interactive shell, {@code -f plan.groovy [args]}, {@code -e 'expr'}, a script on
 * standard input, or a subcommand. Everything after the plan file (or the expression) belongs to the plan,
 * as {@code args}. Options are parsed by JLine's {@link Options} from the usage text itself, so the help
 * cannot drift from what is accepted.
 */
public final class SpotshCommand {
    static final String[] USAGE = {
        "spotsh - a scriptable shell for distributed performance tests on short-lived spot capacity",
        "Usage: spotsh [OPTIONS]                       interactive shell (or a script on standard input)",
        "       spotsh [OPTIONS] -f PLAN [ARG...]      run a plan non-interactively",
        "       spotsh [OPTIONS] -e EXPR [ARG...]      evaluate one expression and print its result",
        "       spotsh [OPTIONS] COMMAND [ARG...]      " + Subcommands.summary(),
        "  -f --file=PLAN              run a plan file",
        "  -e --eval=EXPR              evaluate an expression",
        "     --state-dir=DIR          history, embedded registry, keys (default $SPOTSH_HOME or ~/.spotsh)",
        "     --registry=URL           jdbc:postgresql://... server instead of the embedded one ($SPOTSH_REGISTRY)",
        "     --registry-listen=ADDR   address the embedded registry listens on, for nodes off this machine",
        "     --provider=NAME          cloud for cluster.launch: local (default) or aws ($SPOTSH_PROVIDER)",
        "     --keep                   leave launched tests running when the plan or shell exits",
        "     --no-install             the local cloud stops before launching when its nodes' programs are missing here,",
        "                              instead of installing them (apt-get as root, Java tools from Maven Central)",
        "     --dry-run                cluster.launch prints a table of its requests and the hourly cost, launches nothing; the plan stops there",
        "     --aws-endpoint=URL       EC2 endpoint for the aws provider (an EC2-compatible server, e.g. moto)",
        "     --region=REGION          AWS region (default: the SDK's region chain)",
        "     --profile=NAME           AWS credentials profile (default: the SDK's credential chain)",
        "     --ssh-sessions           run each remote command in a new SSH session, not in one resident shell per node",
        "     --debug                  print full stack traces",
        "  -? -h --help                show this help",
        "  -V --version                print the version"
    };

    /** Options whose value is the next word, so the plan's own words can be told apart from ours. */
    private static final Set<String> VALUED = Set.of("--state-dir", "--registry", "--registry-listen", "--provider",
            "--aws-endpoint", "--region", "--profile");

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private List<String> planArgs = List.of();
    private boolean debug;

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
        debug = Arrays.asList(argv).subList(0, split).contains("--debug");
        Options options;
        try {
            options = Options.compile(USAGE).setOptionsFirst(true).parse(Arrays.copyOfRange(argv, 0, split));
        } catch (IllegalArgumentException e) {
            return usageError(e.getMessage().replaceFirst("^spotsh: ", ""));
        }
        if (options.isSet("help")) {
            out.println(String.join("\n", USAGE));
            out.println();
            out.println(ExitCodes.TABLE);
            out.println();
            out.println("Environment: SPOTSH_HOME (state directory), SPOTSH_REGISTRY (registry JDBC URL),"
                    + " SPOTSH_PROVIDER, SPOTSH_SSH_CRYPTO (all, none, or the SSH crypto pieces to keep or turn off),"
                    + " SPOTSH_NO_INSTALL=1 (as --no-install).");
            return ExitCodes.OK;
        }
        if (options.isSet("version")) {
            out.println("spotsh " + Session.version());
            out.println("Java " + System.getProperty("java.version") + ", Groovy " + groovy.lang.GroovySystem.getVersion());
            return ExitCodes.OK;
        }
        try {
            Context context = context(options);
            String plan = options.isSet("file") ? options.get("file") : null;
            String expression = options.isSet("eval") ? options.get("eval") : null;
            List<String> rest = options.args();
            if (plan == null && expression == null && !rest.isEmpty()) {
                Subcommands.Command command = Subcommands.find(rest.get(0));
                if (command == null) {
                    return usageError("unknown command '" + rest.get(0) + "' (commands: " + Subcommands.summary()
                            + "; a script's own arguments go after --)");
                }
                return command.run(context, rest.subList(1, rest.size()));
            }
            return run(context, plan == null ? null : Paths.get(plan), expression);
        } catch (Exception e) {
            return fail(e);
        }
    }

    private Context context(Options options) {
        StateDir state = StateDir.resolve(options.isSet("state-dir") ? options.get("state-dir") : null, env);
        String url = options.isSet("registry") ? options.get("registry") : env.get("SPOTSH_REGISTRY");
        RegistrySettings registry = url == null || url.isBlank()
                ? RegistrySettings.embedded(state.root()) : RegistrySettings.of(state.root(), url);
        if (options.isSet("registry-listen")) {
            registry = registry.withListenAddress(options.get("registry-listen"));
        }
        String provider = options.isSet("provider") ? options.get("provider")
                : env.getOrDefault("SPOTSH_PROVIDER", "local");
        Map<String, Object> providerSettings = new java.util.LinkedHashMap<>();
        for (String[] o : new String[][] {{"aws-endpoint", "endpoint"}, {"region", "region"}, {"profile", "profile"}}) {
            if (options.isSet(o[0])) {
                providerSettings.put(o[1], options.get(o[0]));
            }
        }
        return new Context(state, registry, provider, options.isSet("keep"), options.isSet("dry-run"),
                providerSettings.isEmpty() ? Map.of() : Map.of("aws", providerSettings),
                out, err, env, debug, options.isSet("ssh-sessions"), sshCrypto(), install(options.isSet("no-install"), env));
    }

    /** Whether the local cloud installs what its nodes lack: unless {@code --no-install} or {@code SPOTSH_NO_INSTALL=1}. */
    static boolean install(boolean noInstallOption, Map<String, String> env) {
        return !noInstallOption && !"1".equals(env.get("SPOTSH_NO_INSTALL"));
    }

    /** Read at start, so a misspelt setting stops spotsh before anything is launched. */
    private SshCrypto sshCrypto() {
        try {
            return SshCrypto.fromEnvironment(env);
        } catch (FanoutException e) {
            throw new ExitCodes.UsageError(e.getMessage());
        }
    }

    private int usageError(String message) {
        err.println("spotsh: " + message);
        err.println("Try 'spotsh --help'.");
        return ExitCodes.USAGE;
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

    private int run(Context context, Path plan, String expression) throws IOException {
        if (plan != null && expression != null) {
            throw new ExitCodes.UsageError("give either -f PLAN or -e EXPR, not both");
        }
        Session session = new Session(context.sessionSettings(), new NodeUserData(context.stateDir()), planArgs, out);
        // SIGTERM (and a second Ctrl-C) still end what the session launched
        Thread teardown = new Thread(session::close, "spotsh-teardown");
        Runtime.getRuntime().addShutdownHook(teardown);
        try (session) {
            if (expression != null) {
                return runScript(session, expression, "-e", true);
            }
            if (plan != null) {
                return runScript(session, read(plan), plan.toString(), false);
            }
            if (in == System.in && Terminals.stdinIsTerminal()) {
                try (Terminal terminal = TerminalBuilder.builder().system(true).name("spotsh").build()) {
                    new Shell(terminal, session, context.stateDir().dir(".").resolve("history")).run();
                }
                return ExitCodes.OK;
            }
            return runScript(session, new String(in.readAllBytes(), StandardCharsets.UTF_8), "stdin", false);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(teardown);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or ran: it closes the session
            }
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
                Rendering.print(result, writer);
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
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof io.spotsh.workflow.DryRunComplete done) {
                out.println("spotsh: " + done.getMessage());
                return ExitCodes.OK;
            }
        }
        // bad input is the user's to fix: its message says what and where; other failures name their kind
        String message = e instanceof ScriptError || e instanceof ExitCodes.UsageError || e instanceof BadInput
                ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
        err.println("spotsh: " + message);
        if (debug) {
            e.printStackTrace(err);
        }
        return ExitCodes.of(e);
    }
}
