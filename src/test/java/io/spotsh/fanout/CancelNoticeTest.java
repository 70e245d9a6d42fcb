package io.spotsh.fanout;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The remote shell's notice of a job the cancel ended, told from what a node wrote itself; the cancelled summary. */
class CancelNoticeTest {
    private static final Target NODE = new Target("data-1", "127.0.0.2", 22, "root", null);

    @Test
    void recognisesWhatShellsPrintForAJobASignalEnded() {
        for (String line : List.of("Terminated", "Killed", "sh: 1: 4242 Terminated sleep 60",
                "bash: line 1: 4242 Terminated              sleep 60", "[1]+  Terminated              sleep 60",
                "4242 Killed  yes > /dev/null", "  Terminated  ")) {
            assertTrue(NodeOutput.shellNotice(line), line);
        }
        for (String line : List.of("mine", "Terminated by the operator: see above", "ERROR: node Terminated early",
                "process Killed", "")) {
            assertFalse(NodeOutput.shellNotice(line), line);
        }
    }

    @Test
    void afterTheCancelTheNoticeIsDroppedLiveAndFromStderrButTheNodesOwnLinesStay() {
        List<String> live = new ArrayList<>();
        NodeOutput output = new NodeOutput(NODE, 4096, (node, stream, line) -> live.add(stream + " " + line));
        Cancellation token = new Cancellation();
        output.cancelledBy(token);
        write(output, "Terminated\nmine\n"); // before the cancel: the node's own words, even this one
        token.cancel(FailureStage.CANCELLED, "cancelled");
        write(output, "also mine\nsh: 1: 99 Terminated sleep 60\n");
        output.finish();
        NodeResult result = output.into(NodeResult.builder(NODE, Duration.ofMillis(5))).build();

        assertEquals(List.of("STDERR Terminated", "STDERR mine", "STDERR also mine"), live);
        assertEquals("Terminated\nmine\nalso mine\n", result.getStderr());
        assertEquals(result.getStderr().length(), result.getStderrBytes());
    }

    @Test
    void withoutACancelNothingIsDropped() {
        List<String> live = new ArrayList<>();
        NodeOutput output = new NodeOutput(NODE, 4096, (node, stream, line) -> live.add(line));
        output.cancelledBy(new Cancellation());
        write(output, "Terminated\n");
        output.finish();
        assertEquals(List.of("Terminated"), live);
        assertEquals("Terminated\n", output.into(NodeResult.builder(NODE, Duration.ofMillis(5))).build().getStderr());
    }

    @Test
    void aCancelledRunIsSaidOnceWithWhatHadFinished() {
        NodeResult stopped = NodeResult.failed(NODE, FailureStage.CANCELLED, FailureCause.CANCELLED, "cancelled", Duration.ofSeconds(3));
        NodeResult done = CannedResults.ok("client-1", "127.0.0.3", "");
        NodeResult failed = CannedResults.exit("client-2", "127.0.0.4", 1, "", "no such file");
        RunResult result = new RunResult(RunResult.Kind.COMMAND, "run: sleep 60", List.of(stopped, done, failed),
                Duration.ofMillis(3200), true);
        assertEquals("run: sleep 60 — cancelled after 3.20 s: 1 node stopped, 2 had finished (1 ok, 1 failed)",
                result.summary());
        assertEquals(result.summary(), result.toString());
    }

    private static void write(NodeOutput output, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        output.stderr(bytes, 0, bytes.length);
    }
}
