package io.spotsh.fanout;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every failed node names phase and cause; the summary line counts failures by both. */
class FailureCausesTest {
    private static NodeResult failed(String name, FailureStage stage, FailureCause why, String error) {
        return NodeResult.failed(new Target(name, "127.0.0.9", 22, "root", null), stage, why, error, Duration.ofSeconds(1));
    }

    @Test
    void summaryCountsFailuresByPhaseAndCauseMostFrequentFirst() {
        RunResult result = CannedResults.of("true", List.of(
                CannedResults.ok("data-1", "127.0.0.1", ""),
                failed("data-2", FailureStage.CONNECT, FailureCause.REFUSED, "connection refused (sshd not running yet?)"),
                failed("data-3", FailureStage.CONNECT, FailureCause.REFUSED, "connection refused (sshd not running yet?)"),
                CannedResults.exit("data-4", "127.0.0.4", 3, "", "boom\n"),
                failed("data-5", FailureStage.EXEC, FailureCause.PEER_DEAD, "connection lost while the command ran: the peer is dead"),
                failed("data-6", FailureStage.TIMEOUT, FailureCause.DEADLINE, "the overall deadline of 5 s passed")));

        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("connect: connection refused", 2);
        expected.put("exec: exit 3", 1);
        expected.put("exec: peer dead (keepalives unanswered)", 1);
        expected.put("timeout: overall deadline", 1);
        assertEquals(expected, result.getFailureCauses());
        assertTrue(result.summary().contains("6 nodes: 1 ok, 5 failed (connect: connection refused ×2, exec: exit 3 ×1, "
                + "exec: peer dead (keepalives unanswered) ×1, timeout: overall deadline ×1)"), result.summary());
    }

    @Test
    void eachFailedNodeNamesItsCauseInTheCheckListAndCsv() {
        RunResult result = CannedResults.of("true", List.of(
                failed("data-1", FailureStage.EXEC, FailureCause.CONNECTION_LOST, "connection lost while the command ran"),
                CannedResults.ok("data-2", "127.0.0.2", "")));
        NodeResult lost = result.get("data-1");
        assertEquals("connection lost", lost.getCause());
        assertEquals(FailureCause.CONNECTION_LOST, lost.getFailureCause());
        assertNull(result.get("data-2").getCause());
        assertTrue(result.toCsv().contains(",connection lost,connection lost while the command ran,"), result.toCsv());
        CheckFailedException e = org.junit.jupiter.api.Assertions.assertThrows(CheckFailedException.class, result::check);
        assertTrue(e.getMessage().contains("[exec: connection lost] connection lost while the command ran"), e.getMessage());
    }

    @Test
    void aCommandsOwnFailureIsItsExitOrSignalAndAStageAloneImpliesACause() {
        assertEquals("exit 3", CannedResults.exit("d", "127.0.0.1", 3, "", "").getCause());
        assertEquals(FailureCause.EXIT, CannedResults.exit("d", "127.0.0.1", 3, "", "").getFailureCause());
        assertEquals("no SSH handshake", failed("d", FailureStage.CONNECT, FailureCause.NO_HANDSHAKE, "x").getCause());
        assertEquals("command timeout", failed("d", FailureStage.TIMEOUT, null, "timed out").getCause());
        assertEquals("cancelled", failed("d", FailureStage.CANCELLED, null, "cancelled").getCause());
    }
}
