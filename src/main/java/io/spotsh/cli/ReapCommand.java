package io.spotsh.cli;

import io.spotsh.node.NodeUserData;
import io.spotsh.report.Table;
import io.spotsh.shell.Session;
import org.jline.builtins.Options;

import java.util.List;
import java.util.Map;

/**
 * {@code spotsh reap}: terminates instances spotsh launched that no live test owns (finished, failed or
 * unknown test, expired ttl, or a spotsh process that died), verifies they are gone and prints one line.
 * Safe for cron: exit 0 when nothing is left running, 1 when something could not be terminated.
 */
final class ReapCommand implements Subcommands.Command {
    private static final String[] USAGE = {
        "reap - terminate leaked or expired instances (cron-safe)",
        "Usage: spotsh [OPTIONS] reap [--dry-run] [--provider=NAME]",
        "  -n --dry-run          list what would be terminated, terminate nothing",
        "     --provider=NAME    the cloud to look in (default: --provider, $SPOTSH_PROVIDER or local)",
        "  -? -h --help          show this help"
    };

    @Override
    public String summary() {
        return "reap";
    }

    @Override
    public int run(Context context, List<String> args) {
        Options options = Options.compile(USAGE).parse(args);
        if (options.isSet("help")) {
            context.out().println(String.join("\n", USAGE));
            return ExitCodes.OK;
        }
        if (!options.args().isEmpty()) {
            throw new ExitCodes.UsageError("reap takes no arguments, got " + options.args());
        }
        boolean dryRun = options.isSet("dry-run");
        String provider = options.isSet("provider") ? options.get("provider") : context.provider();
        try (Session session = new Session(context.sessionSettings(), new NodeUserData(context.stateDir()), List.of(),
                context.err())) {
            Map<String, Object> result = session.cluster().reap(Map.of("dryRun", dryRun, "provider", provider));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> leaks = (List<Map<String, Object>>) result.get("leaks");
            if (dryRun && !leaks.isEmpty()) {
                context.out().print(Table.of(leaks).render());
            }
            int left = ((Number) result.get("left")).intValue();
            context.out().println("spotsh reap: " + provider + ": " + result.get("found") + " leaked instances found, "
                    + (dryRun ? "none terminated (dry run)" : result.get("terminated") + " terminated, " + left + " left"));
            return dryRun || left == 0 ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}
