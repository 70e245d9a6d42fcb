package io.spotsh.types;

import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** What test types do alike with their nodes: count them, name them, run on one, read a failure. */
public final class Members {
    private Members() {
    }

    /** The registered nodes of a role by node number. */
    public static List<Member> of(TestCluster cluster, String role) {
        List<Member> members = new ArrayList<>(cluster.members(role));
        members.sort(Comparator.comparingInt(Member::number));
        return members;
    }

    /** One line per role with fewer (or more) registered nodes than the sizing asked for. */
    public static List<String> unregistered(TestCluster cluster) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Integer> role : cluster.sizing().entrySet()) {
            int registered = cluster.members(role.getKey()).size();
            if (registered != role.getValue()) {
                problems.add(role.getKey() + ": " + registered + " of " + role.getValue() + " nodes registered");
            }
        }
        return problems;
    }

    /** Configuring needs every node: refuses, naming the roles short of nodes. */
    public static void requireAll(TestCluster cluster, String type) {
        List<String> missing = unregistered(cluster);
        if (!missing.isEmpty()) {
            throw new TypeException(type + ": " + String.join(", ", missing) + "; await them first");
        }
    }

    /** {@code data-3 (i-0abc 10.0.0.7)}. */
    public static String describe(Member m) {
        return m.name() + " (" + m.instanceId() + " " + m.ip() + ")";
    }

    /** The one node's result of a run on one node. */
    public static NodeResult runOne(TestCluster cluster, Member on, String command, Duration timeout) {
        RunResult ran = cluster.run(List.of(on), command, timeout);
        NodeResult r = ran.get(on.name());
        return r != null ? r : ran.getResults().isEmpty() ? null : ran.getResults().get(0);
    }

    /** Runs on every node and throws, naming each node that failed and what it said. */
    public static void runAll(TestCluster cluster, String type, String what, List<Member> on, String command,
                              Duration timeout) {
        if (on.isEmpty()) {
            return;
        }
        RunResult ran = cluster.run(on, command, timeout);
        List<String> failed = new ArrayList<>();
        for (NodeResult r : ran.getFailed()) {
            failed.add(r.getName() + ": " + lastLines(r));
        }
        if (!failed.isEmpty()) {
            throw new TypeException(type + ": " + what + " failed on " + failed.size() + " of " + on.size()
                    + " nodes: " + String.join("; ", failed));
        }
    }

    /** What a failed command said last: the end of its stderr and stdout, else its error. */
    public static String lastLines(NodeResult r) {
        if (r == null) {
            return "no result";
        }
        String text = ((r.getStderr() == null ? "" : r.getStderr()) + "\n" + (r.getStdout() == null ? "" : r.getStdout())).strip();
        String status = r.isOk() ? "" : r.getError() != null ? r.getError() : r.getStatus();
        if (text.isEmpty()) {
            return status;
        }
        // redis-cli and friends colour their messages even into a pipe
        String[] lines = text.replaceAll("\u001B\\[[;\\d]*m", "").split("\\R");
        String tail = String.join(" / ", Arrays.asList(lines).subList(Math.max(0, lines.length - 3), lines.length));
        return status.isEmpty() ? tail : status + ": " + tail;
    }

    /** Waits between two looks at a cluster that is still settling. */
    public static void pause(Duration d, String type) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TypeException(type + ": interrupted while waiting for the cluster to settle");
        }
    }
}
