package io.spotsh.cli;

import io.spotsh.node.NodeUserData;
import io.spotsh.report.Table;
import io.spotsh.shell.Session;
import org.jline.builtins.Options;

import java.util.List;
import java.util.Map;

/**
 * {@code spotsh reap}: terminates instances this registry launched that no live test owns (finished, failed or
 * unknown test, expired ttl, or a spotsh process that died), and anyone's whose {@code spotsh:expires} has
 * passed, in every region the registry has launched in; verifies they are gone and prints one line. Other
 * registries' live instances are never touched ({@code --dry-run --all} lists them). Safe for cron: exit 0 when
 * nothing is left running, 1 when something could not be terminated.
 */
final class ReapCommand implements Subcommands.Command {
    private static final String[] USAGE = {
        "reap - terminate leaked or expired instances (cron-safe)",
        "Usage: spotsh [OPTIONS] reap [--dry-run [--all]] [--provider=NAME]",
        "  -n --dry-run          list what would be terminated, terminate nothing",
        "  -a --all              with --dry-run: also list other registries' instances (foreign, never",
        "                        terminated here before they expire) and those with unreadable tags",
        "     --provider=NAME    the cloud to look in (default: --provider, $SPOTSH_PROVIDER or local)",
        "  -? -h --help          show this help"
    };

    @Override
    public String summary() {
        return "reap";
    }

    @Override
    public int run(Context context, List<String> args) {
        Options options = Subcommands.options(USAGE, args, context);
        if (options == null) {
            return ExitCodes.OK;
        }
        if (!options.args().isEmpty()) {
            throw new ExitCodes.UsageError("reap takes no arguments, got " + options.args());
        }
        boolean dryRun = options.isSet("dry-run");
        boolean all = options.isSet("all");
        if (all && !dryRun) {
            throw new ExitCodes.UsageError("reap --all only lists, so it needs --dry-run: reap never terminates another"
                    + " registry's instances before their spotsh:expires passes");
        }
        String provider = options.isSet("provider") ? options.get("provider") : context.provider();
        try (Session session = new Session(context.sessionSettings(), new NodeUserData(context.stateDir()), List.of(),
                context.err())) {
            Map<String, Object> result = session.cluster().reap(Map.of("dryRun", dryRun, "all", all, "provider", provider));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> leaks = (List<Map<String, Object>>) result.get("leaks");
            if (dryRun && !leaks.isEmpty()) {
                context.out().print(Table.of(leaks).render());
            }
            int left = ((Number) result.get("left")).intValue();
            @SuppressWarnings("unchecked")
            List<String> regions = (List<String>) result.get("regions");
            context.out().println("spotsh reap: registry " + result.get("registry") + ", " + provider + " regions "
                    + String.join(", ", regions));
            context.out().println("spotsh reap: " + provider + ": " + result.get("found") + " leaked instances found, "
                    + (dryRun ? "none terminated (dry run)" : result.get("terminated") + " terminated, " + left + " left")
                    + skipped(result) + (all ? ", " + result.get("foreign") + " foreign (left alone)" : ""));
            return dryRun || left == 0 ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    private static String skipped(Map<String, Object> result) {
        long skipped = ((Number) result.get("skipped")).longValue();
        return skipped == 0 ? "" : ", " + skipped + " skipped (unreadable tags; see above)";
    }
}
