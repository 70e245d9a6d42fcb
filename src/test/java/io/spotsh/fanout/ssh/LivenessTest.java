package io.spotsh.fanout.ssh;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.spotsh.fanout.ssh.Liveness.Verdict.DEAD;
import static io.spotsh.fanout.ssh.Liveness.Verdict.PROBE;
import static io.spotsh.fanout.ssh.Liveness.Verdict.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The slow-vs-dead rule, driven tick by tick: no clock, no sleeping. */
class LivenessTest {
    @Test
    void answeredProbesKeepTheConnectionAlive() {
        Liveness l = new Liveness(3);
        assertEquals(PROBE, l.tick(false, 100, false));
        for (int i = 0; i < 10; i++) {
            assertEquals(PROBE, l.tick(true, 100, false));
        }
    }

    @Test
    void silentTicksInARowMakeItDeadOnlyAtTheLimit() {
        Liveness l = new Liveness(3);
        assertEquals(PROBE, l.tick(false, 100, false));
        assertEquals(WAIT, l.tick(false, 100, false));
        assertEquals(WAIT, l.tick(false, 100, false));
        assertEquals(2, l.misses());
        assertEquals(DEAD, l.tick(false, 100, false));
    }

    @Test
    void aSlowPeerThatKeepsSendingIsNeverDeadHoweverLateItsAnswer() {
        Liveness l = new Liveness(3);
        assertEquals(PROBE, l.tick(false, 0, false));
        long received = 0;
        for (int i = 0; i < 50; i++) {
            received += 10; // command output arrives, the keepalive answer is stuck behind it
            assertEquals(WAIT, l.tick(false, received, false));
            assertEquals(0, l.misses());
        }
        assertEquals(PROBE, l.tick(true, received, false)); // the late answer arrives: a new probe
    }

    @Test
    void progressResetsTheCountSoOnlyUninterruptedSilenceCounts() {
        Liveness l = new Liveness(3);
        l.tick(false, 0, false);
        assertEquals(WAIT, l.tick(false, 0, false));
        assertEquals(WAIT, l.tick(false, 0, false));
        assertEquals(WAIT, l.tick(false, 5, false)); // one packet: alive
        assertEquals(0, l.misses());
        assertEquals(WAIT, l.tick(false, 5, false));
        assertEquals(WAIT, l.tick(false, 5, false));
        assertEquals(DEAD, l.tick(false, 5, false));
    }

    @Test
    void aProbeSentWhenTheConnectionIsWatchedIsLookedForAtTheFirstTick() {
        Liveness answered = new Liveness(3);
        answered.probing();
        assertEquals(PROBE, answered.tick(true, 100, false)); // its answer came: the next probe

        Liveness silent = new Liveness(2);
        silent.probing();
        assertEquals(WAIT, silent.tick(false, 100, false)); // the first tick counts the bytes so far as progress
        assertEquals(0, silent.misses());
        assertEquals(WAIT, silent.tick(false, 100, false));
        assertEquals(1, silent.misses());
        assertEquals(DEAD, silent.tick(false, 100, false));
    }

    @Test
    void aProbeThatCouldNotBeSentIsAskedForAgainAndOnlySilenceMakesItDead() {
        Liveness l = new Liveness(3);
        assertEquals(PROBE, l.tick(false, 0, false));
        l.notSent(); // a write held the connection
        assertEquals(PROBE, l.tick(false, 0, false)); // asked for again, one silent round
        assertEquals(1, l.misses());
        assertEquals(WAIT, l.tick(false, 0, false)); // sent this time, no answer yet
        assertEquals(PROBE, l.tick(true, 0, false)); // answered: an idle node that happened to be written to
        assertEquals(0, l.misses());

        l.notSent(); // a node that stopped reading, a write waiting on it for good
        assertEquals(PROBE, l.tick(false, 0, false));
        l.notSent();
        assertEquals(PROBE, l.tick(false, 0, false));
        l.notSent();
        assertEquals(DEAD, l.tick(false, 0, false));

        Liveness busy = new Liveness(2);
        busy.tick(false, 0, false);
        for (int i = 1; i <= 10; i++) {
            busy.notSent(); // a long upload holds the lock at every tick, and the node keeps answering it
            assertEquals(PROBE, busy.tick(false, i * 100, false));
            assertEquals(0, busy.misses());
        }
    }

    @Test
    void bytesWaitingUnreadMeanADriverTooBusyToReadNotADeadPeer() {
        Liveness l = new Liveness(2);
        l.tick(false, 7, false);
        for (int i = 0; i < 10; i++) {
            assertEquals(WAIT, l.tick(false, 7, true));
        }
        assertEquals(WAIT, l.tick(false, 7, false));
        assertEquals(DEAD, l.tick(false, 7, false));
    }

    @Test
    void theDeathNoteSaysHowLongItWasSilent() {
        assertEquals("no keepalive answer and nothing received for 4 probes, 60 s",
                new Liveness(4).deathNote(Duration.ofSeconds(15)));
        assertEquals("no keepalive answer and nothing received for 3 probes, 0.6 s",
                new Liveness(3).deathNote(Duration.ofMillis(200)));
    }

    @Test
    void theConnectTimeoutStretchesOnlyUnderHeavyLoadAndAtMostFourTimes() {
        Duration ten = Duration.ofSeconds(10);
        assertEquals(ten, Liveness.stretch(ten, -1, 2));     // load unknown
        assertEquals(ten, Liveness.stretch(ten, 0.5, 2));
        assertEquals(ten, Liveness.stretch(ten, 4.0, 2));    // twice the cores: still normal
        assertEquals(Duration.ofSeconds(20), Liveness.stretch(ten, 8.0, 2));
        assertEquals(Duration.ofSeconds(40), Liveness.stretch(ten, 64.0, 2));
    }
}
