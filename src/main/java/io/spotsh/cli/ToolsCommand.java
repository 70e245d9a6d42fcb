package io.spotsh.cli;

import io.spotsh.common.Log;
import io.spotsh.tools.LocalTools;
import io.spotsh.types.TestType;
import io.spotsh.types.TestTypes;
import org.jline.builtins.Options;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code spotsh tools install|check TYPE...}: what the local nodes of those test types run, provided ahead of a
 * launch (before going offline, or once for a benchmark that should not time it) or only checked. The same
 * {@link LocalTools} a local launch uses: Debian packages through apt-get as root, Java bundles from Maven Central
 * into the state folder's {@code tools/}.
 */
final class ToolsCommand implements Subcommands.Command {
    private static final String[] USAGE = {
        "tools - provide or check what the local nodes of test types run",
        "Usage: spotsh [OPTIONS] tools install|check TYPE...",
        "  install TYPE...     install what is missing (apt-get as root; Java tools into STATE/tools)",
        "  check TYPE...       say what is missing, install nothing (exit 2 when something is)",
        "  -? -h --help        show this help"
    };

    @Override
    public String summary() {
        return "tools install|check TYPE...";
    }

    @Override
    public int run(Context context, List<String> args) {
        Options options = Subcommands.options(USAGE, args, context);
        if (options == null) {
            return ExitCodes.OK;
        }
        List<String> words = options.args();
        if (words.size() < 2 || !List.of("install", "check").contains(words.get(0))) {
            throw new ExitCodes.UsageError("usage: spotsh tools install|check TYPE... (types: "
                    + String.join(", ", new TestTypes().names()) + ")");
        }
        TestTypes types = new TestTypes();
        List<TestType> wanted = new ArrayList<>();
        for (String name : words.subList(1, words.size())) {
            wanted.add(types.get(name));  // an unknown name is bad input naming the known ones
        }
        Log log = new Log(context.err());
        LocalTools tools = !words.get(0).equals("check") ? new LocalTools(context.stateDir(), context.install(), log)
                : LocalTools.checkOnly(context.stateDir(), log, "'tools check' installs nothing ('spotsh tools install "
                        + String.join(" ", words.subList(1, words.size())) + "' does)");
        for (TestType type : wanted) {
            tools.provide(type);
            context.out().println(type.name() + ": the local nodes have what they run (commands in " + tools.binDir() + ")");
        }
        return ExitCodes.OK;
    }
}
