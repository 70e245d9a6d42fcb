package io.spotsh.fanout;

import io.spotsh.common.Log;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefixedPrinterTest {
    private static final List<Target> NODES = List.of(
            new Target("data-1", "127.0.0.1", 22, "root", null), new Target("data-10", "127.0.0.2", 22, "root", null));

    /** Counts the writes that reach the stream under the printer: each would be a system call on a file. */
    private static final class CountingStream extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public synchronized void write(int b) {
            writes.incrementAndGet();
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes.incrementAndGet();
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void lineByLineWritesEachLineAsItComes() {
        CountingStream sink = new CountingStream();
        PrefixedPrinter printer = new PrefixedPrinter(new PrintStream(sink, false, StandardCharsets.UTF_8), NODES, true);

        printer.line(NODES.get(0), OutputListener.Stream.STDOUT, "Linux a");
        assertEquals("data-1  | Linux a\n", sink.text());
        printer.line(NODES.get(1), OutputListener.Stream.STDERR, "oops");
        assertEquals("data-1  | Linux a\ndata-10 | oops\n", sink.text());
    }

    @Test
    void linesGoOutAsTheBytesTheNodeSentInOneWriteEach() throws Exception {
        CountingStream sink = new CountingStream();
        // autoflush, as System.out: every write to the PrintStream is a write to the stream under it
        PrefixedPrinter printer = new PrefixedPrinter(new PrintStream(sink, true, StandardCharsets.UTF_8), NODES, true);

        byte[] packet = "..héllo..".getBytes(StandardCharsets.UTF_8);
        printer.line(NODES.get(1), OutputListener.Stream.STDOUT, packet, 2, packet.length - 4);
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xE9}; // not UTF-8: passed on as sent, not replaced
        printer.line(NODES.get(0), OutputListener.Stream.STDERR, latin1, 0, latin1.length);

        assertEquals(2, sink.writes.get());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write("data-10 | héllo\ndata-1  | caf".getBytes(StandardCharsets.UTF_8));
        expected.write(0xE9);
        expected.write('\n');
        assertArrayEquals(expected.toByteArray(), sink.bytes.toByteArray());
    }

    @Test
    void blocksGoOutInFewWritesAndEveryLineArrivesWithoutAFlush() throws InterruptedException {
        CountingStream sink = new CountingStream();
        PrefixedPrinter printer = new PrefixedPrinter(new PrintStream(sink, true, StandardCharsets.UTF_8), NODES, false);
        String line = "x".repeat(100);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            Target node = NODES.get(i % 2);
            printer.line(node, OutputListener.Stream.STDOUT, line + i);
            expected.append(node.name()).append(node.name().length() == 6 ? " " : "").append(" | ").append(line).append(i).append('\n');
        }
        // 2000 lines (about 220 KB): 64 KiB blocks plus whatever the delayed flush sent meanwhile, not 2000 writes
        assertTrue(sink.writes.get() < 200, sink.writes.get() + " writes for 2000 lines");

        // the last lines arrive on their own, a short delay later, with no caller flushing
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!sink.text().equals(expected.toString()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected.toString(), sink.text());
    }

    @Test
    void logsToStreamsOtherThanStdoutAreLineByLine() {
        assertTrue(new Log(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).lineByLine());
    }
}
