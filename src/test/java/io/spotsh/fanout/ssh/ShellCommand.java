package io.spotsh.fanout.ssh;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * What an sshd does with an exec request, for the MINA test servers: {@code /bin/sh -c command} ({@code SHELL} is
 * {@code /bin/sh}, as sshd sets it to the login shell) with stdin, stdout and stderr pumped between it and the channel, TERM and KILL signal requests honoured (sent to the command's process group), and
 * the group killed when the channel closes. {@code NODE} is set to the server's node name so one command can behave per node.
 */
public final class ShellCommand implements Command {
    private final String command;
    private final String node;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private InputStream in;
    private Process process;

    private final String loginShell;

    /** {@code loginShell} is what {@code SHELL} says, as sshd sets it from the user's entry. */
    public ShellCommand(String command, String node, String loginShell) {
        this.command = command;
        this.node = node;
        this.loginShell = loginShell;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in; // a command's is empty (the client sends EOF); the resident shell reads its commands here
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

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        // its own process group, so a signal reaches the shell and everything it started
        ProcessBuilder builder = new ProcessBuilder("setsid", "/bin/sh", "-c", command);
        Map<String, String> vars = builder.environment();
        vars.put("NODE", node);
        vars.put("SHELL", loginShell);
        process = builder.start();
        pump(in, process.getOutputStream(), true);
        env.addSignalListener((ch, signal) -> kill(signal == Signal.KILL), Signal.TERM, Signal.KILL, Signal.INT);
        Thread pumpOut = pump(process.getInputStream(), out, false);
        Thread pumpErr = pump(process.getErrorStream(), err, false);
        Thread waiter = new Thread(() -> {
            try {
                int status = process.waitFor();
                pumpOut.join();
                pumpErr.join();
                exit.onExit(status);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-sshd-wait");
        waiter.setDaemon(true);
        waiter.start();
    }

    private void kill(boolean forcibly) {
        try {
            new ProcessBuilder("kill", "-s", forcibly ? "KILL" : "TERM", "--", "-" + process.pid())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Carries {@code from} to {@code to}. The channel's stream is never closed here: MINA ends the session when data
     * arrives for a channel whose stream was closed, while sshd drops what a command that exited did not read (a
     * client may still be writing to it), so once {@code to} fails the rest is read and dropped.
     */
    private static Thread pump(InputStream from, OutputStream to, boolean closeAtEnd) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[32 * 1024];
            boolean carrying = true;
            try {
                int n;
                while ((n = from.read(buffer)) > 0) {
                    if (carrying) {
                        try {
                            to.write(buffer, 0, n);
                            to.flush();
                        } catch (IOException gone) {
                            carrying = false; // the process closed its end: drop the rest, as sshd does
                        }
                    }
                }
                if (closeAtEnd && carrying) {
                    to.close(); // EOF on the process's stdin
                }
            } catch (IOException ignored) {
                // the channel closed under us
            }
        }, "test-sshd-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (process != null && process.isAlive()) {
            kill(true);
        }
    }
}
