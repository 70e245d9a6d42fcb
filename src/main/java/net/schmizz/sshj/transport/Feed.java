package net.schmizz.sshj.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.IntConsumer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the copied {@link Reader} does for one connection, for spotsh's read loops (io.spotsh.fanout.ssh.ReadLoop):
 * reads what the socket has and hands it to the connection's decoder in the reader's pieces. Lives in SSHJ's package
 * for the decoder's entry point and the transport's write lock, which are package-private.
 */
public final class Feed {
    private final TransportImpl trans;
    private final Decoder decoder;
    private final byte[] buf;
    private final ByteBuffer bb;
    private int needed = 1;
    private int held;

    public Feed(TransportImpl trans) {
        this.trans = trans;
        this.decoder = trans.getDecoder();
        this.buf = new byte[Math.min(Reader.BUFFER_SIZE, decoder.getMaxPacketLength())];
        this.bb = ByteBuffer.wrap(buf);
    }

    /** The lock SSHJ holds while it encodes and writes a packet of this transport; null when it is not SSHJ's own. */
    public static ReentrantLock writeLockOf(Transport transport) {
        return transport instanceof TransportImpl impl ? impl.getWriteLock() : null;
    }

    /** The lock SSHJ holds while it encodes and writes a packet. */
    public ReentrantLock writeLock() {
        return trans.getWriteLock();
    }

    /**
     * Reads what the channel has, up to about 64 KiB so that one busy connection does not hold the others up, and
     * decodes it; false at the end of the stream. The channel is non-blocking.
     */
    public boolean readable(SocketChannel ch, IntConsumer received) throws IOException {
        int budget = 64 * 1024;
        while (budget > 0) {
            if (held == 0) {
                bb.clear().limit(Math.min(Math.max(needed, Reader.GREEDY), buf.length));
                int read = ch.read(bb);
                if (read < 0) {
                    return false;
                }
                if (read == 0) {
                    return true;
                }
                received.accept(read);
                budget -= read;
                held = read;
            }
            int given = Math.min(needed, held);
            needed = decoder.received(buf, given);
            held -= given;
            if (held > 0) {
                System.arraycopy(buf, given, buf, 0, held);
            }
        }
        return true;
    }
}
