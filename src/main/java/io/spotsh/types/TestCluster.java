package io.spotsh.types;

import io.spotsh.fanout.RunResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What a test type gets to work with on a running test: its parameters, its nodes, and running commands on them. */
public interface TestCluster {
    String test();

    /** The test's parameters as stored with it (the type's defaults included). */
    Map<String, Object> params();

    /** Nodes per role the test was sized for (what the type's {@link TestType#size} said). */
    Map<String, Integer> sizing();

    /** The registered nodes of one role, by node number. */
    List<Member> members(String role);

    /**
     * Runs {@code command} with {@code sh} on the given nodes at once, each with its configuration
     * ({@code etc/spotsh/env}: SPOTSH_NODE_NUMBER, SPOTSH_PRIVATE_IP, SPOTSH_PARAM_...) in the environment. Quiet:
     * the result holds each node's status and output; one node failing never stops the others.
     */
    RunResult run(List<Member> on, String command, Duration timeout);

    /**
     * Copies {@code remote} (relative to the login's home folder) from each node into {@code localDir/<role>-<n>/},
     * in parallel, sizes verified.
     */
    RunResult get(List<Member> on, String remote, java.nio.file.Path localDir);

    /** A line in the operator's log, timestamped. */
    void log(String line);
}
