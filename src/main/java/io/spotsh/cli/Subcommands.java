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
        COMMANDS.put("ls", new LsCommand());
        COMMANDS.put("reap", new ReapCommand());
        COMMANDS.put("registry", new RegistryCommand());
        COMMANDS.put("report", new ReportCommand());
        COMMANDS.put("tools", new ToolsCommand());
    }

    private Subcommands() {
    }

    static Command find(String name) {
        return COMMANDS.get(name);
    }

    static String summary() {
        return String.join(", ", COMMANDS.values().stream().map(Command::summary).toList());
    }
}
