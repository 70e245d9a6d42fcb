package io.spotsh.fanout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into lines for a listener. Splits on the newline byte before decoding, which is safe for
 * UTF-8 (0x0A never occurs inside a multi-byte character). A line longer than {@code maxLine} is handed on in
 * pieces rather than buffered without bound.
 */
final class LineSplitter {
    private final Consumer<String> sink;
    private final int maxLine;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    LineSplitter(Consumer<String> sink, int maxLine) {
        this.sink = sink;
        this.maxLine = maxLine;
    }

    void write(byte[] data, int offset, int length) {
        int lineStart = offset;
        int end = offset + length;
        // eight bytes at a time: every byte a node prints passes here
        for (int i = MarkerScanner.indexOf(data, offset, end, (byte) '\n'); i < end;
             i = MarkerScanner.indexOf(data, lineStart, end, (byte) '\n')) {
            emit(data, lineStart, i - lineStart);
            lineStart = i + 1;
        }
        if (lineStart < end) {
            partial.write(data, lineStart, end - lineStart);
            if (partial.size() >= maxLine) {
                flush();
            }
        }
    }

    private void emit(byte[] data, int offset, int length) {
        String line;
        if (partial.size() == 0) {
            line = new String(data, offset, length, StandardCharsets.UTF_8);
        } else {
            partial.write(data, offset, length);
            line = partial.toString(StandardCharsets.UTF_8);
            partial.reset();
        }
        sink.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }

    /** Hands on a last line that had no newline. */
    void flush() {
        if (partial.size() > 0) {
            sink.accept(partial.toString(StandardCharsets.UTF_8));
            partial.reset();
        }
    }
}
