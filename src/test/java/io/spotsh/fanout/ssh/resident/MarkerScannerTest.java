package io.spotsh.fanout.ssh.resident;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MarkerScannerTest {
    private static final String PREFIX = "\037spotsh-abc ";

    private final ByteArrayOutputStream passed = new ByteArrayOutputStream();
    private final List<String> markers = new ArrayList<>();
    private final MarkerScanner scanner = new MarkerScanner(PREFIX, passed::write, markers::add);

    private void feed(String text, int... cuts) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        int from = 0;
        for (int cut : cuts) {
            scanner.write(bytes, from, cut - from);
            from = cut;
        }
        scanner.write(bytes, from, bytes.length - from);
    }

    @Test
    void markersAnywhereAreTakenOutAndTheRestPassesUnchanged() {
        feed("half a li" + PREFIX + "P42\n" + "ne\nall done" + PREFIX + "S3\n");

        assertEquals("half a line\nall done", passed.toString(StandardCharsets.ISO_8859_1));
        assertEquals(List.of("P42", "S3"), markers);
    }

    @Test
    void aMarkerSplitAcrossEveryPossibleChunkBoundaryIsStillFound() {
        String text = "x\037y" + PREFIX + "S0\n" + "\037spotsh-ab" + "z" + PREFIX + "E\n";
        for (int a = 0; a <= text.length(); a++) {
            for (int b = a; b <= text.length(); b++) {
                MarkerScannerTest t = new MarkerScannerTest();
                t.feed(text, a, b);
                assertEquals("x\037y\037spotsh-abz", t.passed.toString(StandardCharsets.ISO_8859_1), "cuts " + a + "," + b);
                assertEquals(List.of("S0", "E"), t.markers, "cuts " + a + "," + b);
            }
        }
    }

    @Test
    void aPartialPrefixInsideAPartialPrefixRestartsTheMatch() {
        feed("\037spo\037spotsh-abc S1\n");

        assertEquals("\037spo", passed.toString(StandardCharsets.ISO_8859_1));
        assertEquals(List.of("S1"), markers);
    }

    @Test
    void heldBackBytesComeOutWhenTheStreamEnds() {
        feed("tail\037spot");
        assertEquals("tail", passed.toString(StandardCharsets.ISO_8859_1));
        scanner.flush();
        assertEquals("tail\037spot", passed.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void randomBinaryOutputPassesThroughByteForByte() {
        byte[] data = new byte[200_000];
        new Random(7).nextBytes(data);
        for (int i = 0; i < data.length; i += 97) {
            data[i] = 037; // plenty of false starts
        }
        for (int i = 0; i < data.length; i += 4096) {
            scanner.write(data, i, Math.min(4096, data.length - i));
        }
        scanner.flush();
        assertEquals(data.length, passed.size());
        assertEquals(java.util.Arrays.hashCode(data), java.util.Arrays.hashCode(passed.toByteArray()));
        assertEquals(List.of(), markers);
    }
}
