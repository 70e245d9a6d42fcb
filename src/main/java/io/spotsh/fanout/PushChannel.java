package io.spotsh.fanout;

import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.Connection;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.ChannelInputStream;
import net.schmizz.sshj.connection.channel.direct.SessionChannel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A session channel that hands its stdout and stderr on as packets arrive, on the connection's reader thread,
 * instead of buffering them for a reader of its own: the two streams never block each other (they share one
 * window), no thread per stream is needed, and memory stays at one packet per channel. The window is re-opened
 * as data is consumed (auto-expand).
 */
abstract class PushChannel extends SessionChannel {
    private byte[] scratch; // made on the first output: most commands of a fan-out print little or nothing

    PushChannel(Connection connection) {
        super(connection, StandardCharsets.UTF_8);
        setAutoExpand(true);
    }

    /** Bytes that arrived on stdout ({@code stdout} true) or stderr; called on the connection's reader thread. */
    abstract void received(boolean stdout, byte[] data, int offset, int length);

    @Override
    protected final void receiveInto(ChannelInputStream stream, SSHPacket buf) throws SSHException {
        super.receiveInto(stream, buf);
        boolean stdout = stream == getInputStream();
        if (scratch == null) {
            scratch = new byte[16 * 1024];
        }
        try {
            int available;
            while ((available = stream.available()) > 0) {
                int n = stream.read(scratch, 0, Math.min(available, scratch.length));
                received(stdout, scratch, 0, n);
            }
        } catch (IOException e) {
            throw new ConnectionException(e.getMessage(), e);
        }
    }

    /** Waits for {@code latch} up to {@code nanos}; an interrupt ends the wait and is kept for the caller. */
    static boolean await(CountDownLatch latch, long nanos) {
        try {
            return latch.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return latch.getCount() == 0;
        }
    }
}
