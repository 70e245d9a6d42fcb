package io.spotsh.cloud.local;

import io.spotsh.cloud.CloudTests;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.common.StateDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local cloud daemon's own life: started once however many clients ask at once, gone when idle. */
class DaemonLifecycleTest {
    private Path stateDir;

    @BeforeEach
    void setUp() {
        stateDir = CloudTests.tempDir("spotsh-daemon");
    }

    @AfterEach
    void tearDown() {
        try {
            new LocalProvider(new StateDir(stateDir), Map.of()).stopDaemon(true);
        } finally {
            CloudTests.delete(stateDir);
        }
    }

    /** The file's text, or null while it is missing or empty. */
    private static String read(Path file) {
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? null : text;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Test
    void clientsAskingAtOnceShareOneDaemon() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Object>> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                clients.add(() -> new LocalProvider(new StateDir(stateDir), Map.of()).status().get("pid"));
            }
            Set<Object> pids = new HashSet<>();
            for (Future<Object> pid : pool.invokeAll(clients)) {
                pids.add(pid.get());
            }
            assertEquals(1, pids.size(), pids.toString());
            assertTrue(Files.readString(stateDir.resolve("local-cloud/daemon.log")).contains("serving on 127.0.0.1"));
        } finally {
            pool.shutdownNow();
        }
    }

    /** After spotsh is rebuilt, an idle daemon of the old build gives way; one with live instances keeps them. */
    @Test
    void aDaemonOfAnotherBuildIsReplacedOnlyWhenIdle() throws Exception {
        Path dir = stateDir.resolve("local-cloud");
        LocalProvider cloud = new LocalProvider(new StateDir(stateDir), Map.of());
        Object first = cloud.status().get("pid");
        String id = cloud.launch(new LaunchRequest("old-build", "data", 1, "local-a", null, null,
                "#!/bin/sh\nexec sleep 300\n", Map.of(), Map.of())).get(0).id();
        olderBuild(dir);
        Object busy = new LocalProvider(new StateDir(stateDir), Map.of()).status().get("pid");
        assertEquals(first, busy, "a daemon with a live instance keeps serving it");

        cloud.terminate(List.of(id));
        olderBuild(dir);
        Object second = new LocalProvider(new StateDir(stateDir), Map.of()).status().get("pid");
        assertFalse(first.equals(second), "an idle daemon of another build gives way to this build's");
        assertEquals(DaemonInfo.currentBuild(), DaemonInfo.read(dir).build());
    }

    /** Rewrites daemon.json as a daemon of another spotsh build would have written it. */
    private static void olderBuild(Path dir) throws Exception {
        DaemonInfo info = DaemonInfo.read(dir);
        new DaemonInfo(info.pid(), info.port(), info.token(), "0123456789abcdef").write(dir);
    }

    @Test
    void deletingTheStateDirectoryEndsTheInstancesAndTheDaemon() throws Exception {
        LocalProvider cloud = new LocalProvider(new StateDir(stateDir), Map.of());
        String userData = "#!/bin/sh\necho $$ > \"$SPOTSH_ROOT/boot.pid\"\nexec sleep 300\n";
        String id = cloud.launch(new LaunchRequest("gone", "data", 1, "local-a", null, null, userData, Map.of(), Map.of()))
                .get(0).id();
        Path pidFile = cloud.instanceRoot(id).resolve("boot.pid");
        long sleeper = CloudTests.await("the boot to start", Duration.ofSeconds(30),
                () -> read(pidFile) == null ? null : Long.valueOf(read(pidFile)));
        long daemon = ((Number) cloud.status().get("pid")).longValue();

        CloudTests.delete(stateDir);

        CloudTests.await("the daemon to notice and exit", Duration.ofSeconds(30),
                () -> ProcessHandle.of(daemon).filter(ProcessHandle::isAlive).isEmpty() ? true : null);
        assertTrue(ProcessHandle.of(sleeper).filter(ProcessHandle::isAlive).isEmpty(), "the instance's boot is gone too");
        assertFalse(Files.exists(stateDir), "nothing was written back");
    }

    @Test
    void anIdleDaemonExitsByItselfAndTheNextCallStartsAnother() {
        LocalProvider cloud = new LocalProvider(new StateDir(stateDir), Map.of("idleTimeout", "1s"));
        long pid = ((Number) cloud.status().get("pid")).longValue();

        CloudTests.await("the idle daemon to exit", Duration.ofSeconds(15),
                () -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty() ? true : null);
        assertFalse(Files.exists(stateDir.resolve("local-cloud/daemon.json")), "it took its address file along");

        assertTrue(cloud.zones(null).size() == 3, "the next call starts a new daemon");
        assertFalse(cloud.status().get("pid").equals(pid));
    }

    /**
     * After {@code kill -9} the daemon's file outlives it; whoever binds its port next is not sent the token (nor
     * anything else): a client that had been using the daemon and a new one both start a fresh daemon instead.
     */
    @Test
    void aStaleDaemonFileSendsNothingToWhoeverHoldsItsPortNow() throws Exception {
        Path dir = stateDir.resolve("local-cloud");
        LocalProvider used = new LocalProvider(new StateDir(stateDir), Map.of());
        long killed = ((Number) used.status().get("pid")).longValue();
        DaemonInfo stale = DaemonInfo.read(dir);
        ProcessHandle daemon = ProcessHandle.of(killed).orElseThrow();
        daemon.destroyForcibly();  // SIGKILL: no shutdown hook removes daemon.json
        daemon.onExit().get(30, TimeUnit.SECONDS);
        assertEquals(stale, DaemonInfo.read(dir), "the file names the dead daemon");

        try (Impostor impostor = new Impostor(stale.port())) {
            long fresh = ((Number) used.status().get("pid")).longValue();
            long freshToo = ((Number) new LocalProvider(new StateDir(stateDir), Map.of()).status().get("pid")).longValue();
            assertFalse(fresh == killed, "a new daemon took over");
            assertEquals(fresh, freshToo, "both clients use the new daemon");
            assertFalse(DaemonInfo.read(dir).port() == stale.port());
            assertEquals(0, impostor.connections(), "the impostor was never connected to");
            assertEquals(0, impostor.bytes(), "the impostor received nothing");
        }
        String log = Files.readString(dir.resolve("daemon.log"));
        assertTrue(log.contains("is stale, it names the local cloud daemon pid " + killed), log);
        assertFalse(log.contains(stale.token()), "the token is never logged");
    }

    /** A plain listener on a given loopback port that counts the connections and bytes it gets. */
    private static final class Impostor implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();
        private final Thread acceptor;

        Impostor(int port) throws IOException {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            acceptor = new Thread(this::serve, "impostor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    connections.incrementAndGet();
                    s.setSoTimeout(2000);
                    byte[] buffer = new byte[4096];
                    for (int n; (n = s.getInputStream().read(buffer)) > 0; ) {
                        bytes.addAndGet(n);
                    }
                } catch (IOException e) {
                    // closed, or a silent client
                }
            }
        }

        int connections() {
            return connections.get();
        }

        long bytes() {
            return bytes.get();
        }

        @Override
        public void close() throws Exception {
            server.close();
            acceptor.join(5000);
        }
    }
}
