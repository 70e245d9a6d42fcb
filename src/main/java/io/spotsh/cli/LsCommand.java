package io.spotsh.cli;

import groovy.json.JsonOutput;
import io.spotsh.registry.Registry;
import io.spotsh.report.Table;
import org.jline.builtins.Options;

import java.time.temporal.TemporalAccessor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code spotsh ls}: every test of the registry as {@code registry.tests()} prints it in the shell — state, live
 * nodes per role, provider and zones, age, expiry, instance-hours and cost so far (spot, and on demand where known)
 * — or as JSON for scripts.
 */
final class LsCommand implements Subcommands.Command {
    private static final String[] USAGE = {
        "ls - list the registry's tests: state, nodes per role, provider, zones, age, expiry, instance-hours and USD so far",
        "Usage: spotsh [OPTIONS] ls [--json]",
        "  -j --json             one JSON array of objects, one per test, for scripts",
        "  -? -h --help          show this help"
    };

    @Override
    public String summary() {
        return "ls";
    }

    @Override
    public int run(Context context, List<String> args) {
        Options options = Subcommands.options(USAGE, args, context);
        if (options == null) {
            return ExitCodes.OK;
        }
        if (!options.args().isEmpty()) {
            throw new ExitCodes.UsageError("ls takes no arguments, got " + options.args());
        }
        try (Registry registry = new Registry(context.registry(), line -> context.err().println("spotsh: " + line))) {
            List<Map<String, Object>> tests = registry.tests();
            if (options.isSet("json")) {
                context.out().println(JsonOutput.toJson(tests.stream().map(LsCommand::plain).toList()));
            } else if (tests.isEmpty()) {
                context.out().println("spotsh ls: no tests in the registry");
            } else {
                context.out().print(Table.of(tests).render());
            }
            return ExitCodes.OK;
        }
    }

    /** Times as ISO-8601 text: JsonOutput would otherwise write a time's bean properties. */
    private static Map<String, Object> plain(Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> out.put(k, v instanceof TemporalAccessor ? v.toString() : v));
        return out;
    }
}
