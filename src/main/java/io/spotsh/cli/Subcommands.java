package io.spotsh.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The table of {@code spotsh COMMAND ...} words; each command is one small class. */
final class Subcommands {
    /** One subcommand: parses its own arguments and returns an exit code from {@link ExitCodes}. */
    interface Command {
        String summary();

        int run(Context context, List<String> args) throws Exception;
    }

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("compare", new CompareCommand());
        COMMANDS.put("image", new ImageCommand());
        COMMANDS.put("ls", new LsCommand());
        COMMANDS.put("reap", new ReapCommand());
        COMMANDS.put("registry", new RegistryCommand());
        COMMANDS.put("report", new ReportCommand());
        COMMANDS.put("tools", new ToolsCommand());
    }

    private Subcommands() {
    }

    /** Parses a command's arguments by its usage text (JLine's Options); null once --help printed the usage. */
    static org.jline.builtins.Options options(String[] usage, List<String> args, Context context) {
        org.jline.builtins.Options options = org.jline.builtins.Options.compile(usage).parse(args);
        if (options.isSet("help")) {
            context.out().println(String.join("\n", usage));
            return null;
        }
        return options;
    }

    static Command find(String name) {
        return COMMANDS.get(name);
    }

    static String summary() {
        return String.join(", ", COMMANDS.values().stream().map(Command::summary).toList());
    }
}
