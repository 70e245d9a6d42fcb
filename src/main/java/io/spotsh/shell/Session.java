package io.spotsh.shell;

import io.spotsh.common.Log;
import io.spotsh.common.StateDir;
import io.spotsh.script.Engine;
import io.spotsh.script.SessionBinding;

import java.io.PrintStream;
import java.util.List;

/**
 * Everything one spotsh process shares between the shell, a plan and {@code -e}: the state directory, the
 * binding with the product's objects (created on first use) and the Groovy engine. Closing it closes
 * whatever the session opened.
 */
public final class Session implements AutoCloseable {
    private final StateDir stateDir;
    private final SessionBinding binding;
    private final Engine engine;

    public Session(StateDir stateDir, List<String> args, PrintStream out) {
        this.stateDir = stateDir;
        this.binding = new SessionBinding(new Log(out), args);
        this.engine = new Engine(binding);
    }

    public StateDir stateDir() {
        return stateDir;
    }

    public SessionBinding binding() {
        return binding;
    }

    public Engine engine() {
        return engine;
    }

    public static String version() {
        try (java.io.InputStream in = Session.class.getResourceAsStream("/io/spotsh/version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (java.io.IOException e) {
            return "dev";
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Object created : binding.createdObjects()) {
            if (created instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = new IllegalStateException("closing " + created.getClass().getSimpleName() + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
