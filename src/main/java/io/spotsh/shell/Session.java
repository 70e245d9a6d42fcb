package io.spotsh.shell;

import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Providers;
import io.spotsh.common.Log;
import io.spotsh.common.StateDir;
import io.spotsh.common.StatusLine;
import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.FanoutSettings;
import io.spotsh.fanout.ssh.SshTransport;
import io.spotsh.fanout.ssh.crypto.SshCrypto;
import io.spotsh.node.ClusterKey;
import io.spotsh.node.UserDataRenderer;
import io.spotsh.registry.Registry;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.script.Engine;
import io.spotsh.script.SessionBinding;
import io.spotsh.tools.LocalTools;
import io.spotsh.types.TestTypes;
import io.spotsh.workflow.Cluster;
import io.spotsh.workflow.ImageBaker;
import io.spotsh.workflow.Images;
import io.spotsh.workflow.Nodes;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything one spotsh process shares between the shell, a plan and {@code -e}: the state directory, the
 * binding with the product's objects ({@code registry}, {@code cluster}, {@code nodes}, created on first
 * use: starting the shell starts no PostgreSQL) and the Groovy engine. Closing it ends what the session
 * launched (unless kept) and closes what it opened, newest first.
 */
public final class Session implements AutoCloseable {
    /**
     * What the command line decided for this session. {@code sshSessions}: every remote command in a new SSH
     * session instead of the node's resident shell (see {@code fanout.ResidentShell}). {@code install}: the local
     * cloud installs what its nodes run and is missing here ({@code --no-install} turns it off).
     */
    public record Settings(StateDir stateDir, RegistrySettings registry, String provider, boolean keep,
                           boolean dryRun, Map<String, Map<String, Object>> providerSettings, boolean sshSessions,
                           SshCrypto sshCrypto, boolean install) {
        public Settings(StateDir stateDir, RegistrySettings registry, String provider, boolean keep, boolean dryRun,
                        Map<String, Map<String, Object>> providerSettings) {
            this(stateDir, registry, provider, keep, dryRun, providerSettings, false, SshCrypto.ALL);
        }

        public Settings(StateDir stateDir, RegistrySettings registry, String provider, boolean keep, boolean dryRun,
                        Map<String, Map<String, Object>> providerSettings, boolean sshSessions, SshCrypto sshCrypto) {
            this(stateDir, registry, provider, keep, dryRun, providerSettings, sshSessions, sshCrypto, true);
        }
    }

    private final Settings settings;
    private final SessionBinding binding;
    private final Engine engine;
    private final Log log;
    private volatile StatusLine statusLine = StatusLine.NONE;
    private volatile boolean interactive;
    private boolean closed;

    public Session(Settings settings, UserDataRenderer userData, List<String> args, PrintStream out) {
        this.settings = settings;
        this.log = new Log(out);
        this.binding = new SessionBinding(log, args);
        this.engine = new Engine(binding);
        binding.bindLazy("registry", Registry.class, () -> Registry.open(settings.registry(), log::log));
        binding.bindLazy("cluster", Cluster.class, () -> {
            Cluster cluster = new Cluster(log, this::registry, this::openProvider, userData, new TestTypes(),
                    settings.provider(), settings.keep());
            cluster.setStatusLine(statusLine);
            cluster.setInteractive(interactive);
            cluster.setDryRun(settings.dryRun());
            cluster.setLocalTools(new LocalTools(settings.stateDir(), settings.install(), log));
            cluster.setFanout(() -> {
                FanoutSettings fanoutSettings = FanoutSettings.builder()
                        .clusterKey(ClusterKey.open(settings.stateDir()).privateKeyPath())
                        .residentShell(!settings.sshSessions()).build();
                return new Fanout(fanoutSettings, new SshTransport(fanoutSettings, settings.sshCrypto()));
            });
            return cluster;
        });
        binding.bindLazy("nodes", Nodes.class, () -> cluster().getNodes());
        binding.bindLazy("images", Images.class, () -> {
            Images images = new Images(log, this::registry, this::openProvider, settings.provider(), () -> {
                FanoutSettings fanoutSettings = FanoutSettings.builder()
                        .clusterKey(ClusterKey.open(settings.stateDir()).privateKeyPath()).build();
                return new Fanout(fanoutSettings, new SshTransport(fanoutSettings, settings.sshCrypto()));
            }, () -> ClusterKey.open(settings.stateDir()).publicKeyLine(),
                    ImageBaker.Settings.defaults(ImageBaker.defaultSource(), version()));
            images.setStatusLine(statusLine);
            return images;
        });
    }

    public StateDir stateDir() {
        return settings.stateDir();
    }

    public SessionBinding binding() {
        return binding;
    }

    public Engine engine() {
        return engine;
    }

    public Log log() {
        return log;
    }

    /** Where the workflow shows live progress (the shell's terminal status line). */
    public void setStatusLine(StatusLine statusLine) {
        this.statusLine = statusLine;
        Object cluster = binding.peek("cluster");
        if (cluster instanceof Cluster c) {
            c.setStatusLine(statusLine);
        }
        if (binding.peek("images") instanceof Images images) {
            images.setStatusLine(statusLine);
        }
    }

    /** An operator at a prompt: a failed sanity check is shown for fixing rather than ending the session. */
    public void setInteractive(boolean interactive) {
        this.interactive = interactive;
        if (binding.peek("cluster") instanceof Cluster c) {
            c.setInteractive(interactive);
        }
    }

    public Registry registry() {
        return (Registry) binding.getVariable("registry");
    }

    public Images images() {
        return (Images) binding.getVariable("images");
    }

    public Cluster cluster() {
        return (Cluster) binding.getVariable("cluster");
    }

    private Provider openProvider(String name) {
        // each provider gets only its own settings (--aws-endpoint means nothing to the local cloud)
        return Providers.open(name, settings.stateDir(), settings.providerSettings().getOrDefault(name, Map.of()));
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

    /** Ends the session's test (unless kept) and closes the registry; safe to call twice (exit + shutdown hook). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        // the cluster (and a bake's builder) first: ending a test needs the registry and the provider
        List<Object> created = new ArrayList<>(binding.createdObjects());
        created.sort(java.util.Comparator.comparing(o -> o instanceof Cluster || o instanceof Images ? 0 : 1));
        for (Object o : created) {
            if (o instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = new IllegalStateException("closing " + o.getClass().getSimpleName() + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
