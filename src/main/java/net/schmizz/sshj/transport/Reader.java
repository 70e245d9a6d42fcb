/*
 * Copyright (C)2009 - SSHJ Contributors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package net.schmizz.sshj.transport;

import org.slf4j.Logger;

import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * SSHJ 0.40.0's transport reader thread, changed by spotsh in three places: a connection on a spotsh socket is read by
 * a read loop ({@link io.spotsh.fanout.ssh.ReadLoop}) and this thread only steps in while the connection's write lock
 * is taken; the receive buffer's size; and reads of small pieces (see {@link #GREEDY}). SSHJ's reader allocates the
 * largest packet it accepts (256 KiB) for every connection, which a fan-out holding a thousand connections pays as
 * 256 MB of heap (scripts/bench/scale.sh). The decoder takes a packet in as many pieces as the socket hands it (it returns
 * how many bytes it still needs), so reading into a smaller buffer changes nothing but the number of reads for packets
 * larger than it: this one holds a whole channel data packet (32 KiB of data, SSHJ's local maximum, plus headers,
 * padding and MAC) and stays under {@code jdk.nio.maxCachedBufferSize}, so the socket's temporary direct buffer is
 * cached per thread. The pom keeps SSHJ's own class out of the shaded jar; on Maven's class path the project's classes
 * come first.
 */
public final class Reader extends Thread {
    /** KiB; {@code -Dspotsh.sshjReaderKiB=256} restores SSHJ's own size, which scripts/bench/scale.sh compares. */
    static final int BUFFER_SIZE = Integer.getInteger("spotsh.sshjReaderKiB", 36) * 1024;
    /**
     * While the decoder waits for a packet's first block (or the rest of a small packet), a read takes up to this
     * much: a command's end comes as two small packets, which one read then picks up instead of four (SSHJ reads
     * exactly what the decoder asks for). Larger pieces are read as asked, so moving what is left over to the front
     * of the buffer stays a copy of at most this much.
     */
    static final int GREEDY = 4096;

    private final Logger log;
    private final TransportImpl trans;

    public Reader(TransportImpl trans) {
        this.trans = trans;
        log = trans.getConfig().getLoggerFactory().getLogger(getClass());
        setName("sshj-Reader");
        setDaemon(true);
    }

    @Override
    public void run() {
        if (io.spotsh.fanout.ssh.ReadLoop.serve(trans, trans.getConnInfo().out, this)) {
            log.debug("Stopping");
            return;
        }
        try {
            final Decoder decoder = trans.getDecoder();
            final InputStream inp = trans.getConnInfo().in;
            final byte[] recvbuf = new byte[Math.min(BUFFER_SIZE, decoder.getMaxPacketLength())];
            int needed = 1;
            int held = 0; // bytes read but not yet given to the decoder, at the front of recvbuf
            while (!isInterrupted()) {
                if (held == 0) {
                    int read;
                    try {
                        read = inp.read(recvbuf, 0, Math.min(Math.max(needed, GREEDY), recvbuf.length));
                    } catch (SocketTimeoutException e) {
                        if (isInterrupted()) {
                            throw e;
                        }
                        continue;
                    }
                    if (read == -1) {
                        throw new TransportException("Broken transport; encountered EOF");
                    }
                    held = read;
                }
                // the decoder takes at most what it asked for: it drops what a packet leaves over
                int given = Math.min(needed, held);
                needed = decoder.received(recvbuf, given);
                held -= given;
                if (held > 0) {
                    System.arraycopy(recvbuf, given, recvbuf, 0, held);
                }
            }
        } catch (Exception e) {
            if (!isInterrupted()) {
                trans.die(e);
            }
        }
        log.debug("Stopping");
    }
}
