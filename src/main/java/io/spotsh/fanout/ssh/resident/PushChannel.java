package io.spotsh.fanout.ssh.resident;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.Connection;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.ChannelInputStream;
import net.schmizz.sshj.connection.channel.direct.SessionChannel;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A session channel that hands its stdout and stderr on as packets arrive, on the connection's reader thread,
 * straight from the packet: the two streams never block each other (they share one window), no thread per stream
 * is needed, and no byte is copied into SSHJ's per-stream buffers (which grew to the largest packet for every
 * channel) only to be read out again. The window is re-opened as each packet is handed on.
 */
abstract class PushChannel extends SessionChannel {
    PushChannel(Connection connection) {
        super(connection, StandardCharsets.UTF_8);
        setAutoExpand(true);
    }

    /**
     * Bytes that arrived on stdout ({@code stdout} true) or stderr; called on the connection's reader thread. The
     * array is the packet's: valid only during the call.
     */
    abstract void received(boolean stdout, byte[] data, int offset, int length);

    /** SSHJ's checks on the length, then the bytes to {@link #received} and the window accounting of its stream. */
    @Override
    protected final void receiveInto(ChannelInputStream stream, SSHPacket buf) throws SSHException {
        int length;
        try {
            length = buf.readUInt32AsInt();
        } catch (Buffer.BufferException e) {
            throw new ConnectionException(e);
        }
        if (length < 0 || length > getLocalMaxPacketSize() || length > buf.available()) {
            throw new ConnectionException(DisconnectReason.PROTOCOL_ERROR, "Bad item length: " + length);
        }
        received(stream == getInputStream(), buf.array(), buf.rpos(), length);
        synchronized (lwin) {
            lwin.consume(length);
            long adjustment = lwin.neededAdjustment();
            if (adjustment > 0) {
                trans.write(new SSHPacket(Message.CHANNEL_WINDOW_ADJUST).putUInt32(getRecipient()).putUInt32(adjustment));
                lwin.expand(adjustment);
            }
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
