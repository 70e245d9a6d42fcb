package io.spotsh.fanout;

import java.nio.charset.StandardCharsets;

/**
 * The last {@code capacity} bytes of a stream and the count of all bytes seen: a node printing gigabytes keeps
 * memory flat while the result still shows how the output ended. Not thread-safe; one writer (the connection's
 * reader thread) at a time.
 */
final class TailBuffer {
    private final int capacity;
    private byte[] ring = new byte[0];
    private int start;
    private int size;
    private long total;

    TailBuffer(int capacity) {
        this.capacity = Math.max(0, capacity);
    }

    void write(byte[] data, int offset, int length) {
        total += length;
        if (capacity == 0 || length == 0) {
            return;
        }
        if (length >= capacity) {
            ensure(capacity);
            System.arraycopy(data, offset + length - capacity, ring, 0, capacity);
            start = 0;
            size = capacity;
            return;
        }
        ensure(Math.min(capacity, size + length));
        int n = ring.length;
        int at = (start + size) % n;
        int first = Math.min(length, n - at);
        System.arraycopy(data, offset, ring, at, first);
        System.arraycopy(data, offset + first, ring, 0, length - first);
        int overflow = size + length - n;
        if (overflow > 0) {
            start = (start + overflow) % n;
            size = n;
        } else {
            size += length;
        }
    }

    /** Grows the ring (doubling, up to capacity) so small outputs cost small arrays. */
    private void ensure(int needed) {
        if (needed <= ring.length) {
            return;
        }
        int length = Math.min(capacity, Math.max(needed, Math.max(256, ring.length * 2)));
        byte[] grown = bytesInto(new byte[length]);
        ring = grown;
        start = 0;
    }

    long total() {
        return total;
    }

    boolean truncated() {
        return total > size;
    }

    byte[] bytes() {
        return bytesInto(new byte[size]);
    }

    /** Copies the kept bytes, oldest first, to the front of {@code out}. */
    private byte[] bytesInto(byte[] out) {
        if (size > 0) {
            int first = Math.min(size, ring.length - start);
            System.arraycopy(ring, start, out, 0, first);
            System.arraycopy(ring, 0, out, first, size - first);
        }
        return out;
    }

    /** The kept bytes as UTF-8 text; a cut at the front may start mid-character, which decodes as U+FFFD. */
    String text() {
        if (start + size <= ring.length) { // in one piece (always, until the ring wrapped): no copy first
            return new String(ring, start, size, StandardCharsets.UTF_8);
        }
        return new String(bytes(), StandardCharsets.UTF_8);
    }
}
