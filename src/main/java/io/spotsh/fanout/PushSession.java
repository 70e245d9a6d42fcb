package io.spotsh.fanout;

import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.Connection;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.ChannelInputStream;
import net.schmizz.sshj.connection.channel.direct.SessionChannel;
import net.schmizz.sshj.transport.TransportException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An SSHJ session channel that hands its output on as it arrives instead of buffering it for a reader thread:
 * stdout and stderr are drained on the connection's own reader thread the moment a packet lands, so the two
 * streams can never block each other (they share one window), no thread per stream is needed, and memory stays at
 * one packet per channel. The window is re-opened as data is consumed (auto-expand).
 *
 * <p>The thread that runs the command waits on {@link #awaitWake}: woken when the channel closes or when the
 * fan-out is cancelled ({@link #wake}).
 */
final class PushSession extends SessionChannel {
    private final NodeOutput output;
    private final byte[] scratch = new byte[16 * 1024];
    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch woken = new CountDownLatch(1);
    private volatile SSHException error;

    PushSession(Connection connection, NodeOutput output) {
        super(connection, StandardCharsets.UTF_8);
        this.output = output;
        setAutoExpand(true);
    }

    @Override
    protected void receiveInto(ChannelInputStream stream, SSHPacket buf) throws SSHException {
        super.receiveInto(stream, buf);
        boolean stdout = stream == getInputStream();
        try {
            int available;
            while ((available = stream.available()) > 0) {
                int n = stream.read(scratch, 0, Math.min(available, scratch.length));
                if (stdout) {
                    output.stdout(scratch, 0, n);
                } else {
                    output.stderr(scratch, 0, n);
                }
            }
        } catch (IOException e) {
            throw new ConnectionException(e.getMessage(), e);
        }
    }

    @Override
    protected void finishOff() {
        super.finishOff();
        // null only when the transport died while SSHJ's constructor was still running (it can see this channel
        // before this constructor ends); open() then fails, so nobody waits on the latches
        if (finished != null) {
            finished.countDown();
            woken.countDown();
        }
    }

    @Override
    public void notifyError(SSHException e) {
        error = e;
        super.notifyError(e);
    }

    /** Waits until the channel closed or {@link #wake} was called; true when it closed. */
    boolean awaitWake(long nanos) throws InterruptedException {
        woken.await(nanos, TimeUnit.NANOSECONDS);
        return isFinished();
    }

    /** Waits only for the channel to close. */
    boolean awaitFinished(long nanos) {
        try {
            return finished.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return isFinished();
        }
    }

    /** Ends a wait early (cancellation); the channel itself is left alone. */
    void wake() {
        woken.countDown();
    }

    boolean isFinished() {
        return finished.getCount() == 0;
    }

    /** The transport failure that ended the channel, or null when it closed normally. */
    SSHException error() {
        return error;
    }

    /** Asks the server to close the channel without waiting for its answer. */
    void requestClose() throws TransportException {
        sendClose();
    }
}
