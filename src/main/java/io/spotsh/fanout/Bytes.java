package io.spotsh.fanout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Byte search for the output path, where every byte a node prints passes: lines here, the resident shell's markers. */
public final class Bytes {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Bytes() {
    }

    /**
     * The index of the first {@code b} in {@code data[from, end)}, or {@code end}: eight bytes at a time (a byte
     * equal to {@code b} becomes zero under XOR, and the classic has-zero-byte test finds the lowest), since a plain
     * loop costs about as much as the rest of an output byte's handling.
     */
    public static int indexOf(byte[] data, int from, int end, byte b) {
        long pattern = (b & 0xffL) * ONES;
        int i = from;
        for (; i + 8 <= end; i += 8) {
            long x = (long) LONGS.get(data, i) ^ pattern;
            long zeros = (x - ONES) & ~x & HIGHS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return end;
    }
}
