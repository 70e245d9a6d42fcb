package io.spotsh.cloud.local;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * An SSH exec request or shell on a local instance: {@code /bin/sh -c COMMAND} (or an interactive {@code sh -i})
 * with its {@code root/} as HOME and working directory (as a root login on a node) and {@code SPOTSH_ROOT} set, in a
 * process group of its own. stdin, stdout and stderr are streamed both ways; the exit status goes back to the
 * client (128 + N for a process killed by signal N, as a shell reports it); a signal the client sends reaches
 * the whole process group. When the client goes away first the command's pipes are closed, as OpenSSH does
 * without a terminal: what ignores that (e.g. {@code nohup}) keeps running until the instance ends.
 */
final class SandboxCommand implements Command {
    /** Variables a client may pass (OpenSSH's usual AcceptEnv). */
    private static final List<String> ACCEPTED_ENV_PREFIXES = List.of("LANG", "LC_", "TERM");

    private final LocalSshServer.Node node;
    private final String command;
    private final ExecutorService pumps;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;

    /** {@code command} null is a shell. */
    SandboxCommand(LocalSshServer.Node node, String command, ExecutorService pumps) {
        this.node = node;
        this.command = command;
        this.pumps = pumps;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        List<String> argv = command == null ? List.of("setsid", "/bin/sh", "-i") : List.of("setsid", "/bin/sh", "-c", command);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(node.sandbox().home().toFile());
        Map<String, String> vars = pb.environment();
        vars.clear();
        env.getEnv().forEach((name, value) -> {
            if (ACCEPTED_ENV_PREFIXES.stream().anyMatch(name::startsWith)) {
                vars.put(name, value);
            }
        });
        vars.putAll(NodeProcesses.environment(node.id(), node.ip(), node.sandbox()));
        Process p = pb.start();
        process = p;
        node.sessions().add(NodeProcesses.sessionOf(p));
        env.addSignalListener((ch, signal) -> signal(signal));
        CompletableFuture<Void> stdout = pump(p.getInputStream(), out, false);
        CompletableFuture<Void> stderr = pump(p.getErrorStream(), err, false);
        pump(in, p.getOutputStream(), true);
        CompletableFuture.allOf(stdout, stderr, p.onExit())
                .whenComplete((done, failure) -> exit.onExit(p.exitValue()));
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process p = process;
        if (p != null && p.isAlive()) {
            closeQuietly(p.getOutputStream());
            closeQuietly(p.getInputStream());
            closeQuietly(p.getErrorStream());
        }
    }

    /** Sends a signal to the command's process group (its pid is the group id: it was started with setsid). */
    private void signal(Signal signal) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        try {
            NodeProcesses.signalGroup(p.pid(), signal.name());
        } catch (IOException e) {
            p.destroy();  // kill(1) missing: TERM to the shell at least
        }
    }

    private CompletableFuture<Void> pump(InputStream from, OutputStream to, boolean closeWhenDone) {
        return CompletableFuture.runAsync(() -> {
            // a pipe hands over at most a few KiB a read; three pumps live as long as each resident shell, so at a
            // thousand nodes a larger buffer is heap held for nothing (32 KiB: 96 MB)
            byte[] buffer = new byte[8 * 1024];
            try {
                for (int n; (n = from.read(buffer)) >= 0; ) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException stopped) {
                // the other side went away: nothing left to carry
            } finally {
                if (closeWhenDone) {
                    closeQuietly(to);
                }
            }
        }, pumps);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }
}
