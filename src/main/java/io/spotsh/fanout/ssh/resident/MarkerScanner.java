package io.spotsh.fanout.ssh.resident;

import io.spotsh.fanout.Bytes;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits one output stream of a {@link ResidentShell} into the commands' own bytes and the shell's markers. A
 * marker is {@code <prefix><body>\n}, written by one {@code printf} (so atomically into the pipe): it may land in
 * the middle of a command's line, and removing it leaves the command's bytes exactly as written. The prefix holds a
 * random nonce per shell, so a command cannot print one by accident. Bytes that might begin a marker are held back
 * until the next chunk decides.
 */
final class MarkerScanner {
    private static final int MAX_BODY = 64;

    private final byte[] prefix;
    private final Sink sink;
    private final Consumer<String> markers;
    private final byte[] held;
    private int heldLength; // bytes of the prefix matched so far, held back from the sink
    private final StringBuilder body = new StringBuilder();
    private boolean inBody;

    /** Where the command's bytes go. */
    @FunctionalInterface
    interface Sink {
        void write(byte[] data, int offset, int length);
    }

    MarkerScanner(String prefix, Sink sink, Consumer<String> markers) {
        this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
        this.sink = sink;
        this.markers = markers;
        this.held = new byte[this.prefix.length];
    }

    void write(byte[] data, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            if (inBody) {
                byte b = data[i++];
                if (b == '\n') {
                    inBody = false;
                    String marker = body.toString();
                    body.setLength(0);
                    markers.accept(marker);
                } else if (body.length() < MAX_BODY) {
                    body.append((char) (b & 0xff));
                }
            } else if (heldLength == 0) {
                // the common case, a command's own bytes: pass on everything up to the next possible marker
                int from = i;
                i = Bytes.indexOf(data, i, end, prefix[0]);
                if (i > from) {
                    sink.write(data, from, i - from);
                }
                if (i < end) {
                    hold(data[i++]);
                }
            } else if (data[i] == prefix[heldLength]) {
                hold(data[i++]);
            } else {
                release(); // not a marker after all; this byte is looked at again
            }
        }
    }

    private void hold(byte b) {
        held[heldLength++] = b;
        if (heldLength == prefix.length) {
            heldLength = 0;
            inBody = true;
        }
    }

    /**
     * Passes on the held bytes but the first, then rescans those: a partial match such as "\037\037spotsh" must
     * still find the marker that starts at its second byte.
     */
    private void release() {
        byte[] copy = Arrays.copyOf(held, heldLength);
        heldLength = 0;
        sink.write(copy, 0, 1);
        if (copy.length > 1) {
            write(copy, 1, copy.length - 1);
        }
    }

    /** Passes on whatever is held back (the stream ended). */
    void flush() {
        if (heldLength > 0) {
            byte[] copy = Arrays.copyOf(held, heldLength);
            heldLength = 0;
            sink.write(copy, 0, copy.length);
        }
    }
}
