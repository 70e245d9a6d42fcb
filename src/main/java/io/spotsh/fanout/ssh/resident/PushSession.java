package io.spotsh.fanout.ssh.resident;

import io.spotsh.fanout.FanoutException;
import io.spotsh.fanout.NodeOutput;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.Connection;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.transport.TransportException;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One command in a session channel of its own, its output pushed on as it arrives ({@link PushChannel}).
 *
 * <p>Starting is pipelined ({@link #start}): the caller sends the channel-open request and does not wait; the
 * reader thread sends the exec request and EOF (like {@code ssh -n}) the moment the server confirms the channel,
 * and nobody waits for the exec request's answer (a refusal is noticed when it comes). So a command costs the
 * server's round trips but no thread hand-offs on this side until it ends.
 *
 * <p>The thread that runs the command waits on {@link #awaitWake}: woken when the channel closes, when starting
 * it failed, or when the fan-out is cancelled ({@link #wake}).
 */
public final class PushSession extends PushChannel {
    private final NodeOutput output;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch woken = new CountDownLatch(1);
    private final Object startLock = new Object();
    private volatile SSHException error;
    private String command;
    private volatile StartState state = StartState.NEW;
    private volatile String startFailure;

    /** Where starting the command stands: only a command that was sent can have run. */
    enum StartState { NEW, SENT, ABANDONED }

    public PushSession(Connection connection, NodeOutput output) {
        super(connection);
        this.output = output;
    }

    @Override
    void received(boolean stdout, byte[] data, int offset, int length) {
        if (stdout) {
            output.stdout(data, offset, length);
        } else {
            output.stderr(data, offset, length);
        }
    }

    /** Asks the server for the channel; the command follows when it confirms (see the class comment). */
    public void start(String commandLine) throws TransportException {
        synchronized (startLock) {
            command = commandLine;
        }
        trans.write(buildOpenReq());
    }

    @Override
    protected void gotUnknown(Message msg, SSHPacket buf) throws ConnectionException, TransportException {
        super.gotUnknown(msg, buf); // an open failure ends the channel there, which wakes the caller
        if (msg == Message.CHANNEL_OPEN_CONFIRMATION) {
            sendCommand();
        }
    }

    /** On the reader thread, as the channel is confirmed: exec and EOF, or a close when the caller gave up. */
    private void sendCommand() {
        synchronized (startLock) {
            try {
                if (state == StartState.ABANDONED) {
                    sendClose();
                    return;
                }
                state = StartState.SENT;
                sendChannelRequest("exec", true, new Buffer.PlainBuffer().putString(command, getRemoteCharset()));
                getOutputStream().close(); // EOF, like ssh -n: a command reading stdin ends instead of waiting
            } catch (IOException e) {
                failStart("the server did not start the command: " + FanoutException.messageOf(e));
            }
        }
    }

    /** A refused exec request is the only request here that wants an answer, so any failure answer is it. */
    @Override
    public void handle(Message msg, SSHPacket buf) throws SSHException {
        super.handle(msg, buf);
        if (msg == Message.CHANNEL_FAILURE) {
            failStart("the server did not start the command (exec request refused)");
        }
    }

    private void failStart(String why) {
        if (startFailure == null) {
            startFailure = why;
        }
        woken.countDown();
    }

    /** Why the server never confirmed the channel: its refusal, the lost connection, or no answer yet. */
    public String openFailure() {
        if (openEvent.inError()) {
            try {
                openEvent.tryAwait(0, TimeUnit.MILLISECONDS);
            } catch (ConnectionException e) {
                return FanoutException.messageOf(e.getCause() != null ? e.getCause() : e);
            }
        }
        return error != null ? FanoutException.messageOf(error) : "no answer from the server";
    }

    /** Why the command could not be started once the channel was open, or null. */
    public String startFailure() {
        return startFailure;
    }

    /** Whether the server has confirmed the channel. */
    public boolean isOpened() {
        return openEvent.isSet();
    }

    /**
     * Gives up on a command that has not been sent yet (the channel is closed as soon as the server confirms it);
     * returns false when it was already sent, so it may be running.
     */
    public boolean abandonIfNotSent() {
        synchronized (startLock) {
            if (state == StartState.NEW) {
                state = StartState.ABANDONED;
                return true;
            }
            return state == StartState.ABANDONED;
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

    /** Waits until the channel closed, starting failed or {@link #wake} was called; true when closed or failed. */
    public boolean awaitWake(long nanos) throws InterruptedException {
        woken.await(nanos, TimeUnit.NANOSECONDS);
        return isFinished() || startFailure != null;
    }

    /** Waits only for the channel to close. */
    public boolean awaitFinished(long nanos) {
        return await(finished, nanos);
    }

    /** Ends a wait early (cancellation); the channel itself is left alone. */
    public void wake() {
        woken.countDown();
    }

    public boolean isFinished() {
        return finished.getCount() == 0;
    }

    /** The transport failure that ended the channel, or null when it closed normally. */
    public SSHException error() {
        return error;
    }

    /** Asks the server to close the channel without waiting for its answer. */
    public void requestClose() throws TransportException {
        sendClose();
    }
}
