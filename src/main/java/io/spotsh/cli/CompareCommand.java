package io.spotsh.cli;

import io.spotsh.common.BadInput;
import io.spotsh.registry.Registry;
import io.spotsh.registry.RegistryException;
import io.spotsh.registry.TestRecords;
import io.spotsh.report.Comparison;
import io.spotsh.report.FailOn;
import io.spotsh.report.RunFolder;
import org.jline.builtins.Options;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * {@code spotsh compare RUN_A RUN_B}: run B against run A, figure by figure, with a noise verdict, as a table and
 * as {@code compare.csv} (beside run B unless {@code --csv}) and as {@code compare.html} beside it. With {@code --fail-on} thresholds it suits cron: exit 1
 * and the offending rows when one is crossed. Runs of different sizes or test types are refused unless
 * {@code --force}.
 */
final class CompareCommand implements Subcommands.Command {
    private static final String[] USAGE = {
        "compare - compare two runs' results: change in % and whether it exceeds the runs' noise",
        "Usage: spotsh [OPTIONS] compare [--fail-on=EXPR]... [--force] [--csv=FILE] RUN_A RUN_B",
        "  RUN_A RUN_B           run folders, results/<test>/<run>/, each with a summary.csv",
        "     --fail-on=EXPR     exit 1 printing the rows whose change crosses EXPR, e.g. 'throughput < -5%'",
        "                        or 'READ.p99_latency > 10%' (repeatable)",
        "  -f --force            compare runs of different sizes or test types anyway",
        "     --csv=FILE         where to write the comparison as CSV (default: RUN_B/compare.csv);",
        "                        compare.html, its table and charts, is written beside it",
        "  -? -h --help          show this help",
        "Noise: two-sided Mann-Whitney U test of the per-interval samples of YCSB's status lines, p < 0.05;",
        "figures without interval samples say 'no interval samples: noise unknown'."
    };

    @Override
    public String summary() {
        return "compare";
    }

    @Override
    public int run(Context context, List<String> args) {
        try {
            return compare(context, args);
        } catch (BadInput e) {
            throw new ExitCodes.UsageError(e.getMessage()); // one plain line: the operator mistyped a folder or bound
        }
    }

    private int compare(Context context, List<String> args) {
        Options options = Subcommands.options(USAGE, args, context);
        if (options == null) {
            return ExitCodes.OK;
        }
        if (options.args().size() != 2) {
            throw new ExitCodes.UsageError("compare takes two run folders, RUN_A RUN_B; got " + options.args());
        }
        List<FailOn> thresholds = options.isSet("fail-on")
                ? options.getList("fail-on").stream().map(FailOn::parse).toList() : List.of();
        RunFolder a = RunFolder.read(Path.of(options.args().get(0)));
        RunFolder b = RunFolder.read(Path.of(options.args().get(1)));
        if (!options.isSet("force")) {
            refuseUnlike(context, a, b);
        }
        Comparison comparison = Comparison.of(a, b);
        context.out().println("spotsh compare: A " + a.name() + " (" + a.dir() + "), B " + b.name() + " (" + b.dir() + ")");
        context.out().print(comparison.table());
        Path csv = comparison.writeCsv(options.isSet("csv") ? Path.of(options.get("csv")) : b.dir().resolve("compare.csv"));
        context.out().println("spotsh compare: written " + csv);
        context.out().println("spotsh compare: written " + comparison.writeHtml(csv.toAbsolutePath().resolveSibling("compare.html")));
        List<Comparison.Row> offending = FailOn.offending(thresholds, comparison.rows());
        if (offending.isEmpty()) {
            return ExitCodes.OK;
        }
        context.out().println("spotsh compare: " + offending.size() + " rows cross --fail-on "
                + String.join(", ", thresholds.stream().map(t -> "'" + t.text() + "'").toList()) + ":");
        context.out().print(Comparison.table(offending));
        return ExitCodes.FAILED;
    }

    /** Different node counts per role, or (for two tests) different types or sizings, are refused: exit 2. */
    private static void refuseUnlike(Context context, RunFolder a, RunFolder b) {
        if (Objects.equals(a.test(), b.test())) {
            Comparison.requireAlike(a, b, test -> null, warning -> { });  // one test: no registry needed
            return;
        }
        try (Registry registry = new Registry(context.registry(), line -> context.err().println("spotsh: " + line))) {
            TestRecords records = new TestRecords(() -> registry);
            Comparison.requireAlike(a, b, test -> shape(registry, records, test),
                    warning -> context.err().println("spotsh compare: " + warning));
        }
    }

    private static Comparison.TestShape shape(Registry registry, TestRecords records, String test) {
        try {
            return new Comparison.TestShape(registry.test(test).type(), records.sizing(test));
        } catch (RegistryException e) {
            if (e.getMessage() != null && e.getMessage().contains("no test named")) {
                return null;
            }
            throw e;
        }
    }
}
