package io.spotsh.fanout;

import io.spotsh.fanout.ssh.LoopbackNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** put and get over SFTP on the same persistent connections, checked by SHA-256 on both sides. */
class FanoutTransferTest {
    @TempDir
    static Path dir;
    static LoopbackNodes cluster;
    static Fanout fanout;

    @BeforeAll
    static void start() throws IOException {
        cluster = LoopbackNodes.start(dir, 3);
        fanout = LoopbackNodes.fanout(cluster.settings());
    }

    @AfterAll
    static void stop() throws IOException {
        fanout.close();
        cluster.close();
    }

    @Test
    void putThenGetRoundTripsAFileByteForByte() throws Exception {
        Path local = randomFile(dir.resolve("payload.bin"), 3 * 1024 * 1024 + 17);

        RunResult put = fanout.put(cluster.targets(), local, "/", RunOptions.defaults()).check();

        assertEquals(RunResult.Kind.TRANSFER, put.getKind());
        assertEquals(3L * Files.size(local), put.getTotalBytes());
        for (int n = 1; n <= 3; n++) {
            assertEquals(sha256(local), sha256(cluster.node(n).root().resolve("payload.bin")));
            assertTrue(put.get("data-" + n).getMegabytesPerSecond() > 0);
        }
        assertTrue(put.table().render().contains("MB/s"), put.table().render());
        assertTrue(put.summary().contains("MB/s"), put.summary());

        Path back = dir.resolve("back");
        RunResult get = fanout.get(cluster.targets(), "/payload.bin", back, RunOptions.defaults()).check();

        assertEquals(3L * Files.size(local), get.getTotalBytes());
        for (int n = 1; n <= 3; n++) {
            assertEquals(sha256(local), sha256(back.resolve("data-" + n).resolve("payload.bin")));
        }
    }

    @Test
    void getCopiesADirectoryTreeIntoOneFolderPerNode() throws Exception {
        for (int n = 1; n <= 3; n++) {
            Path logs = Files.createDirectories(cluster.node(n).root().resolve("logs/deep"));
            Files.writeString(logs.getParent().resolve("system.log"), "node " + n + "\n");
            randomFile(logs.resolve("gc.bin"), 200_000 + n);
        }
        Path results = dir.resolve("results");

        RunResult get = fanout.get(cluster.targets(), "/logs", results, RunOptions.defaults()).check();

        for (int n = 1; n <= 3; n++) {
            Path copy = results.resolve("data-" + n).resolve("logs");
            assertEquals("node " + n + "\n", Files.readString(copy.resolve("system.log")));
            assertEquals(sha256(cluster.node(n).root().resolve("logs/deep/gc.bin")), sha256(copy.resolve("deep/gc.bin")));
            assertEquals(200_000 + n + 7, get.get("data-" + n).getBytes());
        }
    }

    @Test
    void aMissingRemoteFileFailsThatNodeWithItsPath() throws Exception {
        Files.writeString(cluster.node(2).root().resolve("only-on-2.txt"), "x");

        RunResult get = fanout.get(cluster.targets(), "/only-on-2.txt", dir.resolve("partial"), RunOptions.defaults());

        assertEquals(List.of("data-2"), get.getOk().stream().map(NodeResult::getName).toList());
        NodeResult missing = get.get("data-1");
        assertEquals(FailureStage.TRANSFER, missing.getPhase());
        assertTrue(missing.getError().contains("only-on-2.txt"), missing.getError());
    }

    @Test
    void putCopiesADirectoryOnTheCommandConnections() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("upload/conf"));
        Files.writeString(conf.resolve("cassandra.yaml"), "num_tokens: 16\n");
        fanout.run(cluster.targets(), "true");
        int before = cluster.totalConnections();

        RunResult put = fanout.put(cluster.targets(), conf, "/etc-copy", RunOptions.defaults()).check();

        assertEquals(before, cluster.totalConnections());
        assertEquals(3L * "num_tokens: 16\n".length(), put.getTotalBytes());
        for (int n = 1; n <= 3; n++) {
            assertEquals("num_tokens: 16\n", Files.readString(cluster.node(n).root().resolve("etc-copy/cassandra.yaml")));
        }
    }

    static Path randomFile(Path file, int size) throws IOException {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return Files.write(file, data);
    }

    static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStreamSink.INSTANCE);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Discards bytes; the digest stream has already seen them. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
