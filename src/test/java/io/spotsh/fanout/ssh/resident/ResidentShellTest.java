package io.spotsh.fanout.ssh.resident;

import io.spotsh.fanout.FailureStage;
import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.OutputListener;
import io.spotsh.fanout.RunOptions;
import io.spotsh.fanout.RunResult;
import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.LoopbackNodes;
import io.spotsh.fanout.ssh.ShellCommand;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The resident shell on real SSH servers: one session per node for many commands, each behaving like its own. */
class ResidentShellTest {
    @TempDir
    Path dir;

    @Test
    void manyCommandsCostTheServerOneSessionPerNode() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 3); Fanout fanout = LoopbackNodes.fanout(cluster.settings());
             Fanout sessions = LoopbackNodes.fanout(cluster.settings().residentShell(false))) {
            for (int i = 1; i <= 5; i++) {
                RunResult result = fanout.run(cluster.targets(), "echo run " + i + " on $NODE");
                assertTrue(result.allOk(), result.summary());
                assertEquals("run " + i + " on data-2\n", result.get("data-2").getStdout());
            }
            assertEquals(2, cluster.node(2).execs().get(), "five commands, two sessions: the first command's and the shell's");

            for (int i = 1; i <= 5; i++) {
                assertTrue(sessions.run(cluster.targets(), "true").allOk());
            }
            assertEquals(7, cluster.node(2).execs().get(), "without it, a session per command");
        }
    }

    @Test
    void commandsDoNotLeakIntoEachOther() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            List<Target> node = cluster.targets();
            String home = fanout.run(node, "pwd").get("data-1").getStdout(); // a session; the shell starts next

            RunResult first = fanout.run(node, "cd /; SPOTSH_X=1; export SPOTSH_Y=2; umask 077; exit 4");
            assertEquals(Integer.valueOf(4), first.get("data-1").getExitStatus());
            RunResult second = fanout.run(node, "pwd; echo \"[$SPOTSH_X][$SPOTSH_Y]\"; umask");

            assertEquals(home + "[][]\n0022\n", second.get("data-1").getStdout());
            assertEquals(2, cluster.node(1).execs().get());
        }
    }

    @Test
    void commandTextArrivesExactlyAsWritten() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            String command = "printf '%s|' 'it'\"'\"'s' \"double \\\"q\\\"\" '$HOME' 'back\\slash'; echo\n"
                    + "cat <<'EOF'\nline one\n  'quoted' \"two\" $NOT_EXPANDED\nEOF\n"
                    + "echo unterminated-last-line >&2; printf no-newline";
            assertTrue(fanout.run(cluster.targets(), "true").allOk()); // a connection's first command takes a session
            NodeResult r = fanout.run(cluster.targets(), command).get("data-1");

            assertTrue(r.isOk(), r.toString());
            assertEquals("it's|double \"q\"|$HOME|back\\slash|\nline one\n  'quoted' \"two\" $NOT_EXPANDED\nno-newline",
                    r.getStdout());
            assertEquals("unterminated-last-line\n", r.getStderr());

            NodeResult syntax = fanout.run(cluster.targets(), "if then fi").get("data-1");
            assertEquals(Integer.valueOf(2), syntax.getExitStatus(), syntax.toString());
            assertTrue(fanout.run(cluster.targets(), "true").allOk(), "a syntax error ends the command, not the shell");
            assertEquals(2, cluster.node(1).execs().get());
        }
    }

    @Test
    void aCommandReplacesItsSubshellAsUnderShC() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            assertTrue(fanout.run(cluster.targets(), "true").allOk()); // a connection's first command takes a session
            String shell = fanout.run(cluster.targets(), "echo $$").get("data-1").getStdout(); // $$ is the shell's
            // field 4 of /proc/self/stat is the parent's pid: the shell's when cut was exec'd in the subshell's place
            NodeResult cut = fanout.run(cluster.targets(), "cut -d' ' -f4 /proc/self/stat").get("data-1");
            assertEquals(shell, cut.getStdout(), "one fork per command, not a subshell that forks the command");

            NodeResult unbalanced = fanout.run(cluster.targets(), "echo before )").get("data-1");
            assertEquals(Integer.valueOf(2), unbalanced.getExitStatus(), unbalanced.toString());
            assertTrue(unbalanced.getStderr().contains(")"), unbalanced.toString());
            NodeResult after = fanout.run(cluster.targets(), "echo after").get("data-1");
            assertEquals("after\n", after.getStdout(), "the shell stays: " + after);
            assertEquals(2, cluster.node(1).execs().get());
        }
    }

    /**
     * Every POSIX login shell spotsh starts runs commands as their own: output, exit status, no leaks, a syntax
     * error ends the command and not the shell. bash and ksh93 take one fork per command; zsh and mksh, where
     * {@code command eval} is unsafe, keep the eval inside the subshell. (dash is {@code /bin/sh}, tested above.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"/bin/bash", "/usr/bin/zsh", "/usr/bin/ksh93", "/usr/bin/mksh"})
    void everyPosixLoginShellRunsCommandsAsTheirOwn(String loginShell) throws Exception {
        if (!Files.isExecutable(Paths.get(loginShell))) {
            Assumptions.assumeFalse("true".equals(System.getenv("CI")), "CI must install " + loginShell);
            Assumptions.abort(loginShell + " is not installed");
        }
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            cluster.node(1).server().setCommandFactory((channel, command) -> {
                cluster.node(1).execs().incrementAndGet();
                return new ShellCommand(command, "data-1", loginShell);
            });
            assertTrue(fanout.run(cluster.targets(), "true").allOk()); // a connection's first command takes a session
            NodeResult r = fanout.run(cluster.targets(), "cd /tmp; leaked=yes; echo \"$NODE\"; echo oops >&2; exit 3")
                    .get("data-1");
            assertEquals("data-1\n", r.getStdout(), r.toString());
            assertEquals("oops\n", r.getStderr(), r.toString());
            assertEquals(Integer.valueOf(3), r.getExitStatus(), r.toString());
            NodeResult next = fanout.run(cluster.targets(), "echo \"$(pwd) ${leaked-none}\"").get("data-1");
            assertTrue(next.getStdout().endsWith(" none\n") && !next.getStdout().startsWith("/tmp "), next.toString());

            NodeResult bad = fanout.run(cluster.targets(), "echo bad (").get("data-1");
            assertTrue(bad.getExitStatus() != null && bad.getExitStatus() != 0 && bad.getStdout().isEmpty(), bad.toString());
            assertTrue(!bad.getStderr().isEmpty(), "the shell says what was wrong: " + bad);

            String shell = fanout.run(cluster.targets(), "echo $$").get("data-1").getStdout();
            NodeResult cut = fanout.run(cluster.targets(), "cut -d' ' -f4 /proc/self/stat").get("data-1");
            boolean oneFork = loginShell.endsWith("bash") || loginShell.endsWith("ksh93");
            assertEquals(oneFork, shell.equals(cut.getStdout()), "cut's parent " + cut.getStdout() + " shell " + shell);
            assertEquals(2, cluster.node(1).execs().get(), "one session, then every command in the shell");
        }
    }

    @Test
    void aCommandThatEndsItsShellFailsAloneAndTheNextGetsANewShell() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            assertTrue(fanout.run(cluster.targets(), "true").allOk());
            assertTrue(fanout.run(cluster.targets(), "true").allOk()); // now in the shell
            NodeResult killer = fanout.run(cluster.targets(), "echo bye; kill -KILL $$").get("data-1"); // $$: the shell
            assertEquals(FailureStage.EXEC, killer.getPhase(), killer.toString());
            assertTrue(killer.getError().startsWith("the node's shell ended (exit 137) while the command ran"),
                    killer.getError());
            NodeResult after = fanout.run(cluster.targets(), "echo after").get("data-1");
            assertEquals("after\n", after.getStdout(), after.toString());
            assertEquals(3, cluster.node(1).execs().get(), "a session, the shell, a new shell");
            assertEquals(1, cluster.node(1).connections().get(), "the connection stays");
        }
    }

    @Test
    void aTimedOutCommandIsEndedWithEverythingItStartedAndTheShellStays() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            String marker = "31.4159" + ProcessHandle.current().pid(); // sleep accepts a fraction: a unique name
            assertTrue(fanout.run(cluster.targets(), "true").allOk());
            RunResult result = fanout.run(cluster.targets(), "sleep " + marker + " & sleep " + marker + "; wait",
                    RunOptions.defaults().withTimeout(Duration.ofSeconds(1)));
            result.forEach(r -> assertEquals(FailureStage.TIMEOUT, r.getPhase(), r.toString()));

            // the subshell, its background sleep and its foreground sleep are all gone
            // counted from /proc (no procps needed); a sleep started here shows the count finds what runs
            String count = "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f 2>/dev/null; echo; done | grep -c '^sleep %s'";
            String control = "29.5" + ProcessHandle.current().pid();
            RunResult left = fanout.run(cluster.targets().subList(0, 1), "sleep 0.3; sleep " + control + " & "
                    + String.format(count, control) + "; " + String.format(count, marker) + "; kill $!");
            assertEquals("1\n0\n", left.get("data-1").getStdout(), left.get("data-1").toString());
            assertTrue(fanout.run(cluster.targets(), "echo still here").allOk());
            // the kill went through a session of its own; commands stayed in the shell
            assertEquals(3, cluster.node(2).execs().get(), "the first command, the shell and one kill");
        }
    }

    @Test
    void cancellingEndsCommandsAndKeepsTheShells() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            assertTrue(fanout.run(cluster.targets(), "true").allOk());
            CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(() -> fanout.run(cluster.targets(), "sleep 30"));
            Thread.sleep(500);
            fanout.cancel();
            RunResult result = running.get(5, TimeUnit.SECONDS);

            result.forEach(r -> assertEquals(FailureStage.CANCELLED, r.getPhase(), r.toString()));
            RunResult after = fanout.run(cluster.targets(), "echo after");
            assertTrue(after.allOk(), after.summary());
            assertEquals(3, cluster.node(1).execs().get(), "the first command, the shell and the TERM for its sleep");
        }
    }

    @Test
    void aWarmCommandHasNoWorkerWhileItRunsAndKeepsItsTimeoutAndCancel() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 3); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            assertTrue(fanout.run(cluster.targets(), "true").allOk()); // a session
            assertTrue(fanout.run(cluster.targets(), "true").allOk()); // the shell starts and answers
            Set<String> finishedOn = ConcurrentHashMap.newKeySet();
            OutputListener where = new OutputListener() {
                @Override
                public void line(Target node, Stream stream, String line) {
                }

                @Override
                public void finished(NodeResult result) {
                    finishedOn.add(Thread.currentThread().getName());
                }
            };
            RunResult warm = fanout.run(cluster.targets(), "echo warm on $NODE; echo err >&2; exit 3",
                    RunOptions.defaults().withListener(where));
            for (NodeResult r : warm) {
                assertEquals(Integer.valueOf(3), r.getExitStatus(), r.toString());
                assertEquals("warm on " + r.getName() + "\n", r.getStdout(), r.toString());
                assertEquals("err\n", r.getStderr(), r.toString());
            }
            assertTrue(finishedOn.stream().noneMatch(t -> t.startsWith("spotsh-fanout-")),
                    "results made where the end was read, not on a fan-out worker: " + finishedOn);

            // a timeout shorter than the look a running command gets, and one longer
            for (Duration timeout : List.of(Duration.ofMillis(300), Duration.ofMillis(1500))) {
                RunResult slow = fanout.run(cluster.targets(), "sleep 30", RunOptions.defaults().withTimeout(timeout));
                slow.forEach(r -> assertEquals(FailureStage.TIMEOUT, r.getPhase(), r.toString()));
            }
            CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(() -> fanout.run(cluster.targets(), "sleep 30"));
            Thread.sleep(300);
            fanout.cancel();
            running.get(10, TimeUnit.SECONDS).forEach(r -> assertEquals(FailureStage.CANCELLED, r.getPhase(), r.toString()));

            RunResult after = fanout.run(cluster.targets(), "echo after");
            assertTrue(after.allOk(), after.summary());
            assertEquals(1, cluster.node(1).connections().get(), "the connection stays");
        }
    }

    @Test
    void aCommandKilledBySignalReportsWhatAShellWould() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            assertTrue(fanout.run(cluster.targets(), "true").allOk());
            NodeResult r = fanout.run(cluster.targets(), "sh -c 'kill -KILL $$'").get("data-1");
            assertEquals(Integer.valueOf(128 + 9), r.getExitStatus(), r.toString());
        }
    }

    @Test
    void concurrentCommandsOnOneNodeBothRun() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            assertTrue(fanout.run(cluster.targets(), "true").allOk());
            CompletableFuture<RunResult> a = CompletableFuture.supplyAsync(() -> fanout.run(cluster.targets(), "sleep 1; echo a"));
            CompletableFuture<RunResult> b = CompletableFuture.supplyAsync(() -> fanout.run(cluster.targets(), "sleep 1; echo b"));

            assertEquals("a\n", a.get(10, TimeUnit.SECONDS).get("data-1").getStdout());
            assertEquals("b\n", b.get(10, TimeUnit.SECONDS).get("data-1").getStdout());
            assertEquals(3, cluster.node(1).execs().get(), "the first command, the shell, and a session for the other");
        }
    }

    /**
     * A thousand shells starting at once on a crowded machine answer late: the first command waits in the shell's
     * stdin behind the hello instead of giving up on the shell after the connect timeout and taking a session too.
     */
    @Test
    void aShellThatAnswersAfterTheConnectTimeoutStillRunsTheCommand() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().connectTimeout(java.time.Duration.ofSeconds(1)))) {
            cluster.node(1).server().setCommandFactory((channel, command) -> {
                cluster.node(1).execs().incrementAndGet();
                String slow = command.equals(ResidentShell.START) ? "sleep 3; " + command : command;
                return new ShellCommand(slow, "data-1", "/bin/sh");
            });
            assertTrue(fanout.run(cluster.targets(), "true").allOk()); // a connection's first command takes a session
            NodeResult r = fanout.run(cluster.targets(), "echo \"$NODE\" $$").get("data-1");
            assertTrue(r.isOk() && r.getStdout().startsWith("data-1 "), r.toString());
            NodeResult next = fanout.run(cluster.targets(), "echo $$").get("data-1");
            assertEquals(r.getStdout().substring("data-1 ".length()), next.getStdout(), "both ran in the one shell");
            assertEquals(2, cluster.node(1).execs().get(), "a session, then the shell: no session besides the slow shell");
        }
    }

    @Test
    void aNodeWhoseLoginShellIsNotPosixKeepsASessionPerCommand() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            cluster.node(1).server().setCommandFactory((channel, command) -> {
                cluster.node(1).execs().incrementAndGet();
                return new ShellCommand(command, "data-1", "/usr/bin/fish");
            });
            for (int i = 0; i < 3; i++) {
                NodeResult r = fanout.run(cluster.targets(), "echo $NODE").get("data-1");
                assertEquals("data-1\n", r.getStdout(), r.toString());
            }
            assertEquals(4, cluster.node(1).execs().get(), "a session per command and one try at a shell");
        }
    }

    @Test
    void aServerThatRefusesTheShellIsNotAskedAgain() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 1); Fanout fanout = LoopbackNodes.fanout(cluster.settings())) {
            java.util.concurrent.atomic.AtomicInteger shells = new java.util.concurrent.atomic.AtomicInteger();
            cluster.node(1).server().setCommandFactory((channel, command) -> {
                if (command.equals(ResidentShell.START)) {
                    shells.incrementAndGet();
                    throw new java.io.IOException("only whitelisted commands here");
                }
                return new ShellCommand(command, "data-1", "/bin/sh");
            });
            for (int i = 0; i < 4; i++) {
                NodeResult r = fanout.run(cluster.targets(), "echo " + i).get("data-1");
                assertEquals(i + "\n", r.getStdout(), r.toString());
            }
            assertEquals(1, shells.get(), "one refused try, then sessions");
        }
    }
}
