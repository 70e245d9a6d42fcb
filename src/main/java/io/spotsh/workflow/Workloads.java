package io.spotsh.workflow;

import io.spotsh.collect.Collector;
import io.spotsh.common.Durations;
import io.spotsh.common.Log;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;
import io.spotsh.types.Member;
import io.spotsh.types.TestCluster;
import io.spotsh.types.Workload;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One workload phase of a test type: its command on every node of its role at the same moment, inside a
 * {@link Phases phase} (sysstat marks on every node, timed, recorded). Each node keeps the command's output in
 * {@code var/lib/spotsh/results/<phase>.out} (stderr in {@code .err}) for {@code collect()}.
 */
final class Workloads {
    private final Phases phases;
    private final Log log;

    Workloads(Phases phases, Log log) {
        this.phases = phases;
        this.log = log;
    }

    RunResult run(TestRun run, TestCluster typeCluster, Workload workload, Duration timeout) {
        List<Member> on = typeCluster.members(workload.role());
        if (on.isEmpty()) {
            throw new WorkflowException("workload " + workload.name() + ": test " + run.name + " has no registered "
                    + workload.role() + " nodes");
        }
        String command = command(workload, typeCluster.members("data"));
        return (RunResult) phases.run(run, workload.name(), () -> {
            log.log("Workload " + workload.name() + " on " + on.size() + " " + workload.role() + " nodes at once");
            RunResult result = typeCluster.run(on, command, timeout);
            if (!result.getFailed().isEmpty()) {
                throw new WorkflowException("workload " + workload.name() + " failed on " + result.getFailed().size() + " of "
                        + on.size() + " " + workload.role() + " nodes: " + result.getFailed().stream()
                        .map(Workloads::describe).collect(Collectors.joining("; ")));
            }
            log.log("Workload " + workload.name() + ": " + result.getOk().size() + " nodes ok in "
                    + Durations.format(result.getDuration()));
            return result;
        });
    }

    /** The type's command with the data nodes' addresses in its environment and its output kept on the node. */
    static String command(Workload workload, List<Member> data) {
        String ips = data.stream().map(Member::ip).collect(Collectors.joining(" "));
        String out = "\"$o/" + workload.name() + ".out\"";
        String err = "\"$o/" + workload.name() + ".err\"";
        return "SPOTSH_DATA_IPS='" + ips + "'; SPOTSH_DATA_COUNT=" + data.size() + "; export SPOTSH_DATA_IPS SPOTSH_DATA_COUNT; "
                + "o=\"${SPOTSH_ROOT:-}/" + Collector.NODE_RESULTS + "\"; mkdir -p \"$o\" || exit 1; "
                + "(\n" + workload.command() + "\n) >" + out + " 2>" + err + "; s=$?; "
                + "if [ $s -ne 0 ]; then tail -n 5 " + err + " >&2; fi; exit $s";
    }

    private static String describe(NodeResult r) {
        String last = r.getLastStderrLine();
        return r.getName() + " " + r.getStatus() + (r.getError() != null ? " (" + r.getError() + ")" : "")
                + (last == null || last.isBlank() ? "" : ": " + last);
    }
}
