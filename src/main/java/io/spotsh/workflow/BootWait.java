package io.spotsh.workflow;

import io.spotsh.common.Durations;
import io.spotsh.common.Log;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Waits until every registered node's boot has finished: a node phones home before its role setup runs (so
 * that waiting shows who is missing as early as possible), and a type's cluster-wide setup needs that setup done.
 */
final class BootWait {
    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final String STATUS = "s=$(cat \"${SPOTSH_ROOT:-}/etc/spotsh/boot-status\" 2>/dev/null) || s=booting;"
            + " echo \"$s\"; case $s in failed*) tail -n 5 \"${SPOTSH_ROOT:-}/var/log/spotsh-boot.log\";; esac";

    private final Function<TestRun, List<Node>> nodes;
    private final NodeCommands commands;
    private final Log log;

    /** @param nodes the test's registered nodes, asked again at every look (a late node shows up) */
    BootWait(Function<TestRun, List<Node>> nodes, NodeCommands commands, Log log) {
        this.nodes = nodes;
        this.commands = commands;
        this.log = log;
    }

    /** Returns once every registered node says its boot is {@code ok}; throws naming those that failed or are late. */
    void untilFinished(TestRun run) {
        long start = System.nanoTime();
        boolean said = false;
        while (true) {
            List<Node> on = nodes.apply(run);
            RunResult result = commands.run(on, STATUS, Map.of("quiet", true, "timeout", Duration.ofSeconds(30)));
            List<String> booting = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (NodeResult r : result) {
                String out = r.getStdout().strip();
                if (!r.isOk()) {
                    booting.add(r.getName() + " (" + r.getStatus() + ")");
                } else if (out.startsWith("failed")) {
                    failed.add(r.getName() + " (" + instanceOf(on, r.getName()) + "): boot " + failure(out));
                } else if (!out.equals("ok")) {
                    booting.add(r.getName());
                }
            }
            if (!failed.isEmpty()) {
                throw new WorkflowException("test " + run.name + ": " + failed.size() + " nodes failed their boot: "
                        + String.join("; ", failed));
            }
            if (booting.isEmpty()) {
                if (said) {
                    log.log("All " + on.size() + " nodes finished booting");
                }
                return;
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            if (waited.compareTo(LIMIT) > 0) {
                throw new WorkflowException("test " + run.name + ": " + booting.size() + " nodes still booting after "
                        + Durations.format(waited) + ": " + booting);
            }
            if (!said) {
                log.log("Waiting for " + booting.size() + " nodes to finish booting: " + booting);
                said = true;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WorkflowException("interrupted while waiting for nodes to finish booting");
            }
        }
    }

    /** {@code failed: role setup} and the boot log's last lines after it, as one line. */
    private static String failure(String out) {
        String[] lines = out.split("\n");
        String tail = String.join(" | ", Arrays.copyOfRange(lines, 1, lines.length)).strip();
        return lines[0].strip() + (tail.isEmpty() ? "" : "; boot log: " + tail);
    }

    private static String instanceOf(List<Node> nodes, String name) {
        return nodes.stream().filter(n -> n.getName().equals(name)).map(Node::instanceId).findFirst().orElse("?");
    }
}
