package io.spotsh.cloud.local;

import io.spotsh.cloud.Instance;
import io.spotsh.node.ClusterKey;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.SFTPClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test's SSH session to one local instance, the way fan-out will connect: SSHJ, the cluster key, and the host
 * key checked against the fingerprint the node registered. One shared SSHJ config (building one is slow).
 */
final class NodeSsh implements AutoCloseable {
    private static final DefaultConfig CONFIG = new DefaultConfig();

    record Result(int exit, String stdout, String stderr) {
    }

    private final SSHClient client;

    private NodeSsh(SSHClient client) {
        this.client = client;
    }

    static NodeSsh connect(Instance instance, String hostKeyFingerprint, ClusterKey key) throws IOException {
        SSHClient client = new SSHClient(CONFIG);
        client.setConnectTimeout(5_000);
        client.setTimeout(30_000);
        client.addHostKeyVerifier(hostKeyFingerprint);
        try {
            client.connect(instance.address(), instance.sshPort());
            client.authPublickey("root", client.loadKeys(key.privateKeyPath().toString()));
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        return new NodeSsh(client);
    }

    Result exec(String command) throws IOException {
        try (Session session = client.startSession(); Session.Command cmd = session.exec(command)) {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(cmd.getErrorStream()));
            String out = read(cmd.getInputStream());
            cmd.join(30, TimeUnit.SECONDS);
            return new Result(cmd.getExitStatus(), out, err.join());
        }
    }

    /** Starts a command and leaves it running; the caller signals and reads it. */
    Session.Command start(Session session, String command) throws IOException {
        return session.exec(command);
    }

    Session session() throws IOException {
        return client.startSession();
    }

    SFTPClient sftp() throws IOException {
        return client.newSFTPClient();
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    static String read(InputStream in) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
