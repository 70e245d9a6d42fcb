package io.spotsh.cloud.local;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How often a local node's interruption watcher looks (EC2's 5 s, spaced out as nodes share this machine's cores; a
 * notice wakes it anyway) and how often its sysstat collector samples (10 s, spaced out past 200 nodes).
 */
class InterruptionPollTest {
    private static LocalInstance instance() {
        Instant now = Instant.parse("2026-12-06T12:00:00Z");
        return new LocalInstance("i-1", "local-a", "m1.xlarge", "127.100.0.2", 22, Map.of(), now, false, false, now);
    }

    @Test
    void fiveSecondsAsOnEc2UntilTheWatchersTogetherPassFourLooksASecond() {
        assertEquals(5, LocalCloud.interruptionPoll(instance(), 1));
        assertEquals(5, LocalCloud.interruptionPoll(instance(), 20));
        assertEquals(25, LocalCloud.interruptionPoll(instance(), 100));
        assertEquals(75, LocalCloud.interruptionPoll(instance(), 300));
        assertEquals(250, LocalCloud.interruptionPoll(instance(), 1000));
    }

    @Test
    void tenSecondSamplesAsTheImageTakesThemUntilTheNodesTogetherPassTwentyASecond() {
        assertEquals(10, LocalCloud.sysstatInterval(1));
        assertEquals(10, LocalCloud.sysstatInterval(200));
        assertEquals(11, LocalCloud.sysstatInterval(201));
        assertEquals(15, LocalCloud.sysstatInterval(300));
        assertEquals(50, LocalCloud.sysstatInterval(1000));
    }

    @Test
    void aNodeWithAShortPlannedNoticeStillLooksTwiceWithinIt() {
        LocalInstance doomed = instance();
        doomed.noticeAt = Instant.parse("2026-12-06T12:01:00Z");
        doomed.reclaimAt = doomed.noticeAt.plusSeconds(8);
        assertEquals(4, LocalCloud.interruptionPoll(doomed, 1000));
        doomed.reclaimAt = doomed.noticeAt.plusSeconds(120);
        assertEquals(60, LocalCloud.interruptionPoll(doomed, 1000), "two looks within a 2-minute notice");
        doomed.reclaimAt = doomed.noticeAt.plusSeconds(1);
        assertEquals(1, LocalCloud.interruptionPoll(doomed, 1), "never below a second");
    }
}
