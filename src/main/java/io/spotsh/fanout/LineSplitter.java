package io.spotsh.fanout;

import java.util.Arrays;

/**
 * Cuts a byte stream into lines for a sink, as bytes: a printer that writes them out again never decodes them
 * (300 nodes printing 1 MiB each are 300 MiB of strings made and dropped otherwise). Splits on the newline byte,
 * which is safe for UTF-8 (0x0A never occurs inside a multi-byte character), and drops a carriage return before
 * it. A line longer than {@code maxLine} is handed on in pieces rather than buffered without bound.
 */
final class LineSplitter {
    /** Receives one line without its terminator; the bytes are only valid during the call. */
    @FunctionalInterface
    interface Sink {
        void line(byte[] data, int offset, int length);
    }

    private final Sink sink;
    private final int maxLine;
    private byte[] partial = new byte[0]; // a line begun in an earlier write
    private int partialLength;

    LineSplitter(Sink sink, int maxLine) {
        this.sink = sink;
        this.maxLine = maxLine;
    }

    void write(byte[] data, int offset, int length) {
        int lineStart = offset;
        int end = offset + length;
        // eight bytes at a time: every byte a node prints passes here
        for (int i = Bytes.indexOf(data, offset, end, (byte) '\n'); i < end;
             i = Bytes.indexOf(data, lineStart, end, (byte) '\n')) {
            if (partialLength == 0) {
                emit(data, lineStart, i - lineStart);
            } else {
                keep(data, lineStart, i - lineStart);
                emit(partial, 0, partialLength);
                partialLength = 0;
            }
            lineStart = i + 1;
        }
        if (lineStart < end) {
            keep(data, lineStart, end - lineStart);
            if (partialLength >= maxLine) {
                flush();
            }
        }
    }

    private void keep(byte[] data, int offset, int length) {
        if (partialLength + length > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partialLength + length, Math.min(2 * partial.length + 64, maxLine)));
        }
        System.arraycopy(data, offset, partial, partialLength, length);
        partialLength += length;
    }

    private void emit(byte[] data, int offset, int length) {
        sink.line(data, offset, length > 0 && data[offset + length - 1] == '\r' ? length - 1 : length);
    }

    /** Hands on a last line that had no newline. */
    void flush() {
        if (partialLength > 0) {
            int length = partialLength;
            partialLength = 0; // first: the sink may throw
            sink.line(partial, 0, length);
        }
    }
}
