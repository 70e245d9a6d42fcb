package io.spotsh.workflow;

import io.spotsh.common.Log;
import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.PrefixedPrinter;
import io.spotsh.fanout.RunOptions;
import io.spotsh.fanout.RunResult;
import io.spotsh.fanout.Target;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@code nodes.run/put/get/mark} do: turn registered nodes into fan-out targets (address, port, the host
 * key each registered at phone-home) and hand them to the session's one {@link Fanout}, whose connections
 * stay open between commands. Live output goes to the operator prefixed with the node name.
 */
final class NodeActions implements NodeCommands {
    /** Nodes log in as root: userdata installs the cluster key in root's authorized_keys. */
    static final String USER = "root";

    private final Supplier<Fanout> fanout;
    private final Log log;

    NodeActions(Supplier<Fanout> fanout, Log log) {
        this.fanout = fanout;
        this.log = log;
    }

    static List<Target> targets(List<Node> nodes) {
        return nodes.stream().map(n -> new Target(n.getName(), n.ip(), n.sshPort(), USER, n.hostKey())).toList();
    }

    @Override
    public RunResult run(List<Node> nodes, String command, Map<String, ?> named) {
        List<Target> targets = need(nodes, "run");
        RunOptions options = live(RunOptions.from(named), targets);
        RunResult result;
        try {
            result = fanout.get().run(targets, command, options);
        } finally {
            flush(options); // before anything else is logged, and when check: throws
        }
        return finish(result, options);
    }

    RunResult put(List<Node> nodes, Path local, String remote, Map<String, ?> named) {
        List<Target> targets = need(nodes, "put");
        RunResult result = fanout.get().put(targets, local, remote, RunOptions.from(named).withQuiet(true));
        log.log(result.summary());
        return result;
    }

    @Override
    public RunResult get(List<Node> nodes, String remote, Path localDir, Map<String, ?> named) {
        List<Target> targets = need(nodes, "get");
        RunResult result = fanout.get().get(targets, remote, localDir, RunOptions.from(named).withQuiet(true));
        log.log(result.summary());
        return result;
    }

    @Override
    public RunResult mark(List<Node> nodes, String text, Map<String, ?> named) {
        List<Target> targets = need(nodes, "mark");
        return fanout.get().mark(targets, text, RunOptions.from(named).withQuiet(true));
    }

    private RunOptions live(RunOptions options, List<Target> targets) {
        if (options.quiet() || options.grouped()) {
            return options;
        }
        return options.withListener(new PrefixedPrinter(log.out(), targets, log.lineByLine()));
    }

    private static void flush(RunOptions options) {
        if (options.listener() instanceof PrefixedPrinter printer) {
            printer.flush();
        }
    }

    private RunResult finish(RunResult result, RunOptions options) {
        if (options.grouped()) {
            log.out().print(result.grouped());
        }
        // a cancel (Ctrl-C) is said once, by the result the shell prints; a plan that is interrupted ends anyway
        if (!result.getFailed().isEmpty() && !result.isCancelled()) {
            log.log(result.summary());
        }
        return result;
    }

    private static List<Target> need(List<Node> nodes, String what) {
        if (nodes.isEmpty()) {
            throw new WorkflowException("nodes." + what + ": no registered nodes in this set");
        }
        return targets(nodes);
    }
}
