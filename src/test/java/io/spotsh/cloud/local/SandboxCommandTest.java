package io.spotsh.cloud.local;

import io.spotsh.node.SshKeys;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local cloud's SSH server moving a command's stdin, stdout and stderr on its one stream thread, through a real
 * SSHJ client on loopback: both directions at once, output past the point where the pipe pauses, a client or a command
 * that does not read, the client's EOF, a client that goes away, many commands at once.
 */
class SandboxCommandTest {
    private static final DefaultConfig CONFIG = new DefaultConfig();
    private static final String IP = "127.0.0.1";

    @TempDir
    static Path dir;
    private static LocalSshServer server;
    private static Sandbox sandbox;
    private static Path clientKey;
    private static String hostFingerprint;

    @BeforeAll
    static void start() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        sandbox = new Sandbox(dir.resolve("node"), dir.resolve("tools/bin"));
        Files.createDirectories(sandbox.home().resolve(".ssh"));
        Files.createDirectories(sandbox.tmp());
        KeyPair client = SshKeys.generateEd25519();
        clientKey = dir.resolve("id_ed25519");
        SshKeys.write(client, "test", clientKey, true);
        Files.writeString(sandbox.authorizedKeys(), SshKeys.publicKeyLine(client.getPublic(), "test") + "\n");
        KeyPair host = SshKeys.generateEd25519();
        hostFingerprint = SshKeys.fingerprint(host.getPublic());
        server = new LocalSshServer(port);
        server.start();
        server.add("i-test", IP, host, sandbox, new NodeProcesses.Sessions());
        server.bind(IP);
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void stdinAndStdoutStreamBothWaysAtOnce() throws Exception {
        byte[] payload = new byte[6 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        try (SSHClient ssh = connect(); Session session = ssh.startSession()) {
            Session.Command cat = session.exec("cat");
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> readAll(cat.getInputStream()));
            try (OutputStream in = cat.getOutputStream()) {
                for (int at = 0; at < payload.length; at += 100_000) {
                    in.write(payload, at, Math.min(100_000, payload.length - at));
                }
                in.flush();  // SSHJ's close() drops what it still holds when the window is shut; flush waits for it
            }
            assertArrayEquals(payload, back.get(60, TimeUnit.SECONDS), "every byte through cat and back, in order");
            cat.join(30, TimeUnit.SECONDS);
            assertEquals(0, cat.getExitStatus());
        }
        try (SSHClient ssh = connect(); Session session = ssh.startSession()) {
            Session.Command sum = session.exec("sha256sum");
            try (OutputStream in = sum.getOutputStream()) {
                in.write(payload);
                in.flush();
            }
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
            assertEquals(digest + "  -\n", new String(readAll(sum.getInputStream()), StandardCharsets.UTF_8));
        }
    }

    @Test
    void outputPastThePauseArrivesWholeOnBothStreams() throws Exception {
        try (SSHClient ssh = connect(); Session session = ssh.startSession()) {
            Session.Command cmd = session.exec(
                    "head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2; echo end; echo gone >&2; exit 5");
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(cmd.getErrorStream()));
            byte[] out = readAll(cmd.getInputStream());
            cmd.join(30, TimeUnit.SECONDS);
            assertEquals(3_000_000 + 4, out.length);
            assertEquals("end\n", new String(out, 3_000_000, 4, StandardCharsets.US_ASCII));
            byte[] e = err.get(30, TimeUnit.SECONDS);
            assertEquals(2_000_000 + 5, e.length);
            assertEquals(5, cmd.getExitStatus());
        }
    }

    @Test
    void aClientThatDoesNotReadHoldsTheCommandBack() throws Exception {
        Path done = sandbox.tmp().resolve("wrote-all");
        try (SSHClient ssh = connect(); Session session = ssh.startSession()) {
            // 20 MB is far past what the SSH window, the daemon (256 KiB) and the pipe hold together
            Session.Command cmd = session.exec("head -c 20000000 /dev/zero && touch " + done);
            Thread.sleep(1_000);
            assertFalse(Files.exists(done), "the command waits on its pipe while nobody reads");
            assertEquals(20_000_000, readAll(cmd.getInputStream()).length);
            cmd.join(30, TimeUnit.SECONDS);
            assertEquals(0, cmd.getExitStatus());
            assertTrue(Files.exists(done));
        }
    }

    @Test
    void aCommandThatDoesNotReadItsStdinStillEnds() throws Exception {
        try (SSHClient ssh = connect(); Session session = ssh.startSession()) {
            Session.Command cmd = session.exec("echo started; sleep 0.3; echo finished");
            // 1 MiB: past what the pipe and the daemon take, within the SSH window (a client blocked on the window
            // when the channel closes deadlocks inside SSHJ, which is not what this is about)
            cmd.getOutputStream().write(new byte[1024 * 1024]);
            cmd.getOutputStream().flush();
            assertEquals("started\nfinished\n", new String(readAll(cmd.getInputStream()), StandardCharsets.UTF_8));
            cmd.join(30, TimeUnit.SECONDS);
            assertEquals(0, cmd.getExitStatus());
        }
    }

    @Test
    void theClientsEofEndsTheCommandsStdin() throws Exception {
        try (SSHClient ssh = connect(); Session session = ssh.startSession()) {
            Session.Command cmd = session.exec("wc -c; echo after");
            cmd.getOutputStream().write("abcdef".getBytes(StandardCharsets.US_ASCII));
            cmd.getOutputStream().close();  // SSH EOF
            assertEquals("6\nafter\n", new String(readAll(cmd.getInputStream()), StandardCharsets.UTF_8));
            cmd.join(30, TimeUnit.SECONDS);
            assertEquals(0, cmd.getExitStatus());
        }
    }

    @Test
    void aClientThatGoesAwayClosesTheCommandsPipes() throws Exception {
        Path pidFile = sandbox.tmp().resolve("writer.pid");
        SSHClient ssh = connect();
        Session session = ssh.startSession();
        Session.Command cmd = session.exec("echo $$ > " + pidFile + "; while echo x; do sleep 0.02; done");
        assertEquals('x', cmd.getInputStream().read());
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ssh.disconnect();
        // its stdout is closed: the next echo fails and the loop ends
        ProcessHandle writer = ProcessHandle.of(pid).orElse(null);
        if (writer != null) {
            writer.onExit().get(30, TimeUnit.SECONDS);
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void manyCommandsAtOnceEachGetTheirOwnStreams() throws Exception {
        List<SSHClient> clients = new ArrayList<>();
        try {
            for (int c = 0; c < 8; c++) {
                clients.add(connect());
            }
            List<CompletableFuture<String>> results = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                SSHClient ssh = clients.get(i % clients.size());
                int n = i;
                results.add(CompletableFuture.supplyAsync(() -> {
                    try (Session session = ssh.startSession()) {
                        Session.Command cmd = session.exec("echo out" + n + "; echo err" + n + " >&2; exit " + (n % 7));
                        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(cmd.getErrorStream()));
                        String out = new String(readAll(cmd.getInputStream()), StandardCharsets.UTF_8);
                        cmd.join(30, TimeUnit.SECONDS);
                        return out + "|" + new String(err.join(), StandardCharsets.UTF_8) + "|" + cmd.getExitStatus();
                    } catch (IOException e) {
                        return e.toString();
                    }
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals("out" + i + "\n|err" + i + "\n|" + (i % 7), results.get(i).get(60, TimeUnit.SECONDS));
            }
        } finally {
            for (SSHClient c : clients) {
                c.close();
            }
        }
    }

    private static SSHClient connect() throws IOException {
        SSHClient ssh = new SSHClient(CONFIG);
        ssh.setConnectTimeout(5_000);
        ssh.setTimeout(60_000);
        ssh.addHostKeyVerifier(hostFingerprint);
        ssh.connect(IP, serverPort());
        ssh.authPublickey("root", ssh.loadKeys(clientKey.toString()));
        return ssh;
    }

    private static int serverPort() {
        return server.port();
    }

    private static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
