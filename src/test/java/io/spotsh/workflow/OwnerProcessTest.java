package io.spotsh.workflow;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which process owns a test, and when it counts as gone: by machine (boot id), pid and start time, not hostname. */
class OwnerProcessTest {
    private static final String BOOT_A = "3f1c2a9e-0b7d-4c55-9a10-8d2e5f6a7b01/ns4026531836";
    private static final String BOOT_B = "77aa2a9e-0b7d-4c55-9a10-8d2e5f6a7b02/ns4026531836";
    private static final LongFunction<Optional<Long>> NOTHING_RUNS = pid -> Optional.empty();

    @Test
    void theCurrentProcessCarriesThisMachinesBootIdAndReadsBackTheSame() {
        OwnerProcess me = OwnerProcess.current();
        assertEquals(ProcessHandle.current().pid(), me.pid());
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/sys/kernel/random/boot_id"))) {
            assertNotNull(me.machine(), "on Linux the machine is its boot id");
            assertTrue(me.machine().startsWith(OwnerProcess.thisMachine()), me.machine());
        }
        assertEquals(me, OwnerProcess.parse(me.toString()));
        assertFalse(me.goneFromThisHost(), "this very process is alive");
    }

    @Test
    void aDeadPidOnThisMachineIsGoneAndAReusedPidToo() {
        OwnerProcess owner = new OwnerProcess("build-7", 4242, 1_000_000, BOOT_A);
        assertTrue(owner.goneFrom(BOOT_A, "build-7", NOTHING_RUNS));
        assertTrue(owner.goneFrom(BOOT_A, "build-7", pid -> Optional.of(9_000_000L)), "the pid now belongs to a later process");
        assertFalse(owner.goneFrom(BOOT_A, "build-7", pid -> Optional.of(1_000_500L)), "the same process, its start read again");
    }

    @Test
    void anotherMachineWithTheSameHostnameNeverJudgesTheOwner() {
        OwnerProcess owner = new OwnerProcess("localhost", 4242, 1_000_000, BOOT_A);
        assertFalse(owner.goneFrom(BOOT_B, "localhost", NOTHING_RUNS), "same hostname, other boot id: not ours to judge");
        assertFalse(owner.goneFrom(null, "localhost", NOTHING_RUNS), "a machine without a boot id cannot tell either");
    }

    @Test
    void containersSharingABootIdAreToldApartByTheirPidNamespace() {
        OwnerProcess owner = new OwnerProcess("c1", 42, 1_000_000, "3f1c2a9e-0b7d-4c55-9a10-8d2e5f6a7b01/ns4026532001");
        assertFalse(owner.goneFrom("3f1c2a9e-0b7d-4c55-9a10-8d2e5f6a7b01/ns4026532002", "c2", NOTHING_RUNS));
    }

    @Test
    void theOldHostPidMillisFormStillParsesAndIsJudgedByHostnameOnlyWhereNoBootIdExists() {
        OwnerProcess old = OwnerProcess.parse("build-7:4242:1000000");
        assertEquals(new OwnerProcess("build-7", 4242, 1_000_000, null), old);
        assertEquals("build-7:4242:1000000", old.toString(), "written back as it was read");
        assertFalse(old.goneFrom(BOOT_A, "build-7", NOTHING_RUNS), "a hostname proves nothing next to a boot id");
        assertTrue(old.goneFrom(null, "build-7", NOTHING_RUNS), "neither side has a boot id: the hostname is all there is");
        assertFalse(old.goneFrom(null, "other", NOTHING_RUNS));
    }

    @Test
    void anythingElseIsNoOwner() {
        assertNull(OwnerProcess.parse(null));
        assertNull(OwnerProcess.parse("justahost"));
        assertNull(OwnerProcess.parse("host:pid:1"));
        assertNull(OwnerProcess.parse("a:1:2:b:c"));
        assertEquals(new OwnerProcess("h", 1, 2, BOOT_A), OwnerProcess.parse("h:1:2:" + BOOT_A));
    }
}
