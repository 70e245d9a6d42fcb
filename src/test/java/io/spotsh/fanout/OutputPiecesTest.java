package io.spotsh.fanout;

import io.spotsh.common.ShellQuote;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small parts output passes through: byte search, tail buffer, line splitter, node-name ranges, backoff. */
class OutputPiecesTest {
    /** The lines a splitter hands on, decoded. */
    private static LineSplitter.Sink strings(List<String> to) {
        return (data, offset, length) -> to.add(new String(data, offset, length, StandardCharsets.UTF_8));
    }

    @Test
    void tailBufferKeepsTheEndAndCountsEverything() {
        TailBuffer tail = new TailBuffer(10);
        for (String piece : List.of("abc", "defgh", "ijklmnop", "q")) {
            tail.write(piece.getBytes(StandardCharsets.UTF_8), 0, piece.length());
        }
        assertEquals("hijklmnopq", tail.text());
        assertEquals(17, tail.total());
        assertTrue(tail.truncated());

        TailBuffer big = new TailBuffer(4);
        byte[] data = "0123456789".getBytes(StandardCharsets.UTF_8);
        big.write(data, 2, 7);
        assertEquals("5678", big.text());

        TailBuffer small = new TailBuffer(1024);
        small.write(data, 0, 3);
        assertEquals("012", small.text());
        assertFalse(small.truncated());
    }

    @Test
    void lineSplitterJoinsPiecesAndKeepsUtf8Whole() {
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(strings(lines), 1000);
        byte[] text = "héllo wörld\r\nsecond\nthird".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < text.length; i++) {
            splitter.write(text, i, 1);
        }
        splitter.flush();
        assertEquals(List.of("héllo wörld", "second", "third"), lines);

        List<String> pieces = new ArrayList<>();
        LineSplitter bounded = new LineSplitter(strings(pieces), 4);
        byte[] longLine = "abcdefghij\n".getBytes(StandardCharsets.UTF_8);
        bounded.write(longLine, 0, longLine.length);
        assertEquals("abcdefghij", String.join("", pieces));
    }

    @Test
    void linesSplitTheSameWhateverTheChunksAndOffsets() {
        java.util.Random random = new java.util.Random(42);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            text.append(random.nextInt(10) == 0 ? '\n' : (char) ('a' + random.nextInt(26)));
        }
        text.append("\n\n");
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of(text.substring(0, text.length() - 1).split("\n", -1));
        for (int round = 0; round < 50; round++) {
            List<String> lines = new ArrayList<>();
            LineSplitter splitter = new LineSplitter(strings(lines), 100_000);
            for (int at = 0; at < bytes.length; ) {
                int n = Math.min(bytes.length - at, 1 + random.nextInt(40));
                byte[] chunk = new byte[n + 16]; // the piece sits inside a larger array, as in a packet buffer
                int offset = random.nextInt(16);
                System.arraycopy(bytes, at, chunk, offset, n);
                splitter.write(chunk, offset, n);
                at += n;
            }
            splitter.flush();
            assertEquals(expected, lines);
        }
    }

    @Test
    void nodeNamesFoldIntoRanges() {
        assertEquals("data-[1-3,5]", NameRanges.fold(List.of("data-3", "data-1", "data-2", "data-5")));
        assertEquals("data-[1-2],client-1,head", NameRanges.fold(List.of("data-1", "client-1", "data-2", "head")));
        assertEquals("data-7", NameRanges.fold(List.of("data-7")));
    }

    @Test
    void backoffIsJitteredAndCapped() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int attempt = 0; attempt < 30; attempt++) {
            long delay = backoff.delayNanos(attempt);
            assertTrue(delay >= 0 && delay <= Duration.ofSeconds(1).toNanos(), "attempt " + attempt + ": " + delay);
            assertTrue(delay <= Duration.ofMillis(100).toNanos() << Math.min(attempt, 20));
        }
    }

    @Test
    void shellQuotingSurvivesQuotes() {
        assertEquals("'it'\\''s'", ShellQuote.quote("it's"));
    }

    @Test
    void indexOfFindsTheFirstMatchAtEveryPositionAndAlignment() {
        java.util.Random random = new java.util.Random(11);
        for (int length = 0; length < 40; length++) {
            for (int from = 0; from <= length; from++) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                for (int k = 0; k < data.length; k++) {
                    if (data[k] == 037) {
                        data[k] = (byte) 0x9f; // a byte that differs only in the high bit: no false match
                    }
                }
                assertEquals(length, Bytes.indexOf(data, from, length, (byte) 037));
                for (int at = from; at < length; at++) {
                    byte[] copy = data.clone();
                    copy[at] = 037;
                    if (at + 1 < length) {
                        copy[at + 1] = 037;
                    }
                    assertEquals(at, Bytes.indexOf(copy, from, length, (byte) 037), "at " + at + " from " + from);
                }
            }
        }
    }
}
