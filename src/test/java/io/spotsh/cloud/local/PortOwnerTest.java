package io.spotsh.cloud.local;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Who holds a loopback port, as the local cloud's client asks before it talks to its daemon. */
class PortOwnerTest {
    private final PortOwner owner = new PortOwner();

    @Test
    void theListeningProcessOwnsItsPortAndNoOtherDoes() throws Exception {
        long self = ProcessHandle.current().pid();
        Process other = new ProcessBuilder("sleep", "30").start();
        try (ServerSocket listening = new ServerSocket()) {
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = listening.getLocalPort();
            assertNull(owner.refusal(self, port), "this JVM listens on " + port);
            String refusal = owner.refusal(other.pid(), port);
            assertEquals("127.0.0.1:" + port + " is held by another process than pid " + other.pid(), refusal);

            other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            String gone = owner.refusal(other.pid(), port);
            assertEquals("pid " + other.pid() + " is gone (or not this user's) and another process holds 127.0.0.1:" + port,
                    gone);
            listening.close();
            assertEquals("nothing listens on 127.0.0.1:" + port, owner.refusal(self, port));
        } finally {
            other.destroyForcibly();
        }
    }
}
