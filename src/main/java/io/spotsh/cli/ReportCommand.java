package io.spotsh.cli;

import io.spotsh.report.RunReport;
import org.jline.builtins.Options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code spotsh report RUN_DIR}: makes {@code report.html} again from a run folder ({@code results/<test>/<run>/}):
 * its run.json, summary.csv and the nodes' sysstat files; no registry or cloud is needed. Prints the file's path.
 */
final class ReportCommand implements Subcommands.Command {
    private static final String[] USAGE = {
        "report - write report.html of a collected run again, from its folder alone",
        "Usage: spotsh [OPTIONS] report RUN_DIR",
        "  -? -h --help          show this help"
    };

    @Override
    public String summary() {
        return "report";
    }

    @Override
    public int run(Context context, List<String> args) {
        Options options = Subcommands.options(USAGE, args, context);
        if (options == null) {
            return ExitCodes.OK;
        }
        if (options.args().size() != 1) {
            throw new ExitCodes.UsageError("report takes one run folder (results/<test>/<run>), got " + options.args());
        }
        Path dir = Path.of(options.args().get(0));
        if (!Files.isDirectory(dir)) {
            throw new ExitCodes.UsageError("no run folder " + dir + " (expected results/<test>/<run>/)");
        }
        context.out().println(RunReport.write(dir).toAbsolutePath());
        return ExitCodes.OK;
    }
}
