package io.spotsh.types.ycsb;

import io.spotsh.fanout.CannedResults;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.RunResult;
import io.spotsh.types.Member;
import io.spotsh.types.TestCluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A running test for the types' tests: registered members, canned answers to commands (the first rule whose text
 * the command contains; else exit 0 with no output), and a record of every command on every node.
 */
public final class FakeCluster implements TestCluster {
    /** {@code data-1: nodetool status}, in the order they ran. */
    public final List<String> ran = new ArrayList<>();
    public final List<String> logged = new ArrayList<>();

    private final Map<String, Integer> sizing;
    private final Map<String, Object> params;
    private final Map<String, List<Member>> members = new LinkedHashMap<>();
    private final List<Map.Entry<String, Function<Member, NodeResult>>> rules = new ArrayList<>();

    public FakeCluster(Map<String, Integer> sizing, Map<String, Object> params) {
        this.sizing = sizing;
        this.params = params;
    }

    /** Registers {@code role-1..role-count} at {@code prefix.(base+n)}. */
    public FakeCluster nodes(String role, int count, String prefix, int base) {
        for (int n = 1; n <= count; n++) {
            member(role, n, prefix + "." + (base + n));
        }
        return this;
    }

    public FakeCluster member(String role, int number, String ip) {
        members.computeIfAbsent(role, r -> new ArrayList<>())
                .add(new Member(role, number, "i-0" + role.charAt(0) + String.format("%05d", number), ip));
        return this;
    }

    /** Commands containing {@code text} get this answer on each node. */
    public FakeCluster on(String text, Function<Member, NodeResult> answer) {
        rules.add(Map.entry(text, answer));
        return this;
    }

    /** Commands containing {@code text} print {@code stdout} and exit 0. */
    public FakeCluster answer(String text, String stdout) {
        return on(text, m -> CannedResults.ok(m.name(), m.ip(), stdout));
    }

    /** Commands containing {@code text} fail with exit status 1 and this stderr. */
    public FakeCluster fail(String text, String stderr) {
        return on(text, m -> CannedResults.exit(m.name(), m.ip(), 1, "", stderr));
    }

    /** The commands that ran on one node, in order. */
    public List<String> commandsOn(String node) {
        return ran.stream().filter(r -> r.startsWith(node + ": ")).map(r -> r.substring(node.length() + 2)).toList();
    }

    @Override
    public String test() {
        return "t1";
    }

    @Override
    public Map<String, Object> params() {
        return params;
    }

    @Override
    public Map<String, Integer> sizing() {
        return sizing;
    }

    @Override
    public List<Member> members(String role) {
        return List.copyOf(members.getOrDefault(role, List.of()));
    }

    @Override
    public RunResult run(List<Member> on, String command, Duration timeout) {
        List<NodeResult> results = new ArrayList<>();
        for (Member m : on) {
            ran.add(m.name() + ": " + command);
            results.add(rules.stream().filter(r -> command.contains(r.getKey())).findFirst()
                    .map(r -> r.getValue().apply(m)).orElseGet(() -> CannedResults.ok(m.name(), m.ip(), "")));
        }
        return CannedResults.of(command, results);
    }

    @Override
    public RunResult get(List<Member> on, String remote, Path localDir) {
        return CannedResults.of("get " + remote, List.of());
    }

    @Override
    public void log(String line) {
        logged.add(line);
    }
}
