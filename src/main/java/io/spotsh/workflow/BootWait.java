package io.spotsh.workflow;

import io.spotsh.common.Durations;
import io.spotsh.common.Log;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Waits until every registered node's boot has finished: a node phones home before its role setup runs (so
 * that waiting shows who is missing as early as possible), and a type's cluster-wide setup needs that setup done.
 */
final class BootWait {
    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final String STATUS = "s=$(cat \"${SPOTSH_ROOT:-}/etc/spotsh/boot-status\" 2>/dev/null) || s=booting;"
            + " echo \"$s\"; case $s in failed*) tail -n 5 \"${SPOTSH_ROOT:-}/var/log/spotsh-boot.log\";; esac";

    private final RegisteredNodes nodes;
    private final NodeCommands commands;
    private final Log log;

    BootWait(RegisteredNodes nodes, NodeCommands commands, Log log) {
        this.nodes = nodes;
        this.commands = commands;
        this.log = log;
    }

    /** Returns once every registered node says its boot is {@code ok}; throws naming those that failed or are late. */
    void untilFinished(TestRun run) {
        long start = System.nanoTime();
        boolean said = false;
        while (true) {
            List<Node> on = nodes.of(run);
            RunResult result = commands.run(on, STATUS, Map.of("quiet", true, "timeout", Duration.ofSeconds(30)));
            List<String> booting = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (NodeResult r : result) {
                String out = r.getStdout().strip();
                if (!r.isOk()) {
                    booting.add(r.getName() + " (" + r.getStatus() + ")");
                } else if (out.startsWith("failed")) {
                    failed.add(r.getName() + " (" + instanceOf(on, r.getName()) + "): boot " + out.replace('\n', ' ')
                            .replaceFirst("\\s+", ": "));
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

    private static String instanceOf(List<Node> nodes, String name) {
        return nodes.stream().filter(n -> n.getName().equals(name)).map(Node::instanceId).findFirst().orElse("?");
    }
}
