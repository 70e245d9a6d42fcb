package io.spotsh.cloud.aws;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.SpotInstanceRequest;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Which spot request statuses the fallback takes as an interruption, per the EC2 user guide "Spot request status":
 * marked-for-* (the request closed or active, the instance running) two minutes on; instance-terminated-by-* at
 * once; a request spotsh cancelled, or one merely fulfilled, is no notice.
 */
class InterruptionNoticesTest {
    private static final Instant CHANGED = Instant.parse("2026-12-06T12:02:10Z");

    private static SpotInstanceRequest request(String state, String code) {
        return SpotInstanceRequest.builder().instanceId("i-0123456789abcdef0").state(state)
                .status(s -> s.code(code).updateTime(CHANGED)).build();
    }

    @Test
    void markedRequestsGiveTwoMinutesWhateverTheirState() {
        assertEquals(CHANGED.plus(Duration.ofMinutes(2)), InterruptionNotices.noticeOf(request("closed", "marked-for-termination")));
        assertEquals(CHANGED.plus(Duration.ofMinutes(2)), InterruptionNotices.noticeOf(request("active", "marked-for-stop")));
        assertEquals(CHANGED.plus(Duration.ofMinutes(2)), InterruptionNotices.noticeOf(request("active", "marked-for-hibernation")));
    }

    @Test
    void terminatedByEc2IsAnInterruptionNow() {
        assertEquals(CHANGED, InterruptionNotices.noticeOf(request("closed", "instance-terminated-no-capacity")));
        assertEquals(CHANGED, InterruptionNotices.noticeOf(request("closed", "instance-terminated-by-price")));
    }

    @Test
    void runningCancelledOrUserTerminatedIsNoNotice() {
        assertNull(InterruptionNotices.noticeOf(request("active", "fulfilled")));
        assertNull(InterruptionNotices.noticeOf(request("cancelled", "request-canceled-and-instance-running")));
        assertNull(InterruptionNotices.noticeOf(request("closed", "instance-terminated-by-user")));
        assertNull(InterruptionNotices.noticeOf(SpotInstanceRequest.builder().state("open")
                .status(s -> s.code("capacity-not-available")).build()), "no instance, no notice");
    }
}
