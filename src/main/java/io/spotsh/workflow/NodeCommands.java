package io.spotsh.workflow;

import io.spotsh.fanout.RunResult;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Doing something on many nodes at once, as the workflow's helpers need it: run a command, fetch files, write a
 * sysstat marker. {@link NodeActions} does it over the session's SSH fan-out; options are those of {@code nodes.run}.
 */
interface NodeCommands {
    RunResult run(List<Node> nodes, String command, Map<String, ?> options);

    RunResult get(List<Node> nodes, String remote, Path localDir, Map<String, ?> options);

    RunResult mark(List<Node> nodes, String text, Map<String, ?> options);
}
