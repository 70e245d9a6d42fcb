package io.spotsh.workflow;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.cloud.Zone;
import io.spotsh.registry.Registry;
import io.spotsh.registry.RegistryException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider for the workflow's logic tests: instances "boot" by registering straight into the real
 * registry and answer SSH's identification line on their own loopback address. Chosen instances are duds
 * (never register); zones can refuse. The real clouds are proven by their own contract tests.
 */
final class FakeCloud implements Provider {
    private static final AtomicInteger ADDRESSES = new AtomicInteger(1);

    final Map<String, Instance> instances = new ConcurrentHashMap<>();
    final Map<String, ServerSocket> sshd = new ConcurrentHashMap<>();
    final Set<String> refusingZones = ConcurrentHashMap.newKeySet();
    /** {@code zone/role}: the zone refuses requests of that role only (the other roles launched there first). */
    final Set<String> refusingRoles = ConcurrentHashMap.newKeySet();
    /** How many of the next launched instances are duds. */
    final AtomicInteger dudsToCome = new AtomicInteger();
    final List<String> duds = new ArrayList<>();
    final AtomicInteger launchCalls = new AtomicInteger();
    private final Registry registry;

    FakeCloud(Registry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public synchronized List<Instance> launch(LaunchRequest request) {
        launchCalls.incrementAndGet();
        if (refusingZones.contains(request.zone()) || refusingRoles.contains(request.zone() + "/" + request.role())) {
            throw new CapacityException(request.zone(), request.instanceType(), "InsufficientInstanceCapacity",
                    "no " + request.instanceType() + " capacity in " + request.zone());
        }
        List<Instance> launched = new ArrayList<>();
        for (int i = 0; i < request.count(); i++) {
            String id = "i-" + HexFormat.of().toHexDigits(System.nanoTime() ^ (long) (Math.random() * Long.MAX_VALUE)).substring(0, 16) + "f";
            int n = ADDRESSES.getAndIncrement();
            String ip = "127.99." + (n / 250) + "." + (n % 250 + 2);
            Instance instance = new Instance(id, request.zone(), request.instanceType(), InstanceState.RUNNING, ip, null,
                    0, null, null, request.tags(), Instant.now());
            boolean dud = dudsToCome.getAndUpdate(d -> Math.max(0, d - 1)) > 0;
            if (dud) {
                duds.add(id);
            } else {
                instance = withPort(instance, listen(id, ip));
            }
            instances.put(id, instance);
            launched.add(instance);
        }
        // boot: the non-duds phone home (after the launch returns, as on a cloud)
        List<Instance> boot = new ArrayList<>(launched);
        Thread t = new Thread(() -> {
            for (Instance i : boot) {
                if (!duds.contains(i.id())) {
                    phoneHome(request, i);
                }
            }
        });
        t.start();
        return launched;
    }

    /** As phone-home.sh: an id the launcher has not recorded yet is told to retry, and it does. */
    private void phoneHome(LaunchRequest request, Instance i) {
        for (int attempt = 0; ; attempt++) {
            try {
                registry.register(request.test(), request.role(), i.id(), i.privateIp(), "ip-" + i.privateIp(),
                        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake" + i.id().replace("-", ""));
                return;
            } catch (RegistryException e) {
                if (!Registry.RETRY.equals(e.sqlState()) || attempt > 500) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private static Instance withPort(Instance i, int port) {
        return new Instance(i.id(), i.zone(), i.instanceType(), i.state(), i.privateIp(), i.publicIp(), port,
                i.stateReason(), i.interruptAt(), i.tags(), i.launchedAt());
    }

    private int listen(String id, String ip) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(ip));
            sshd.put(id, server);
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                        out.write("SSH-2.0-FakeCloud\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "fake-sshd-" + id);
            t.setDaemon(true);
            t.start();
            return server.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A spot interruption, as the cloud would report it. */
    void reclaim(String id) {
        end(id, Instance.SPOT_TERMINATION);
    }

    private void end(String id, String reason) {
        Instance i = instances.get(id);
        instances.put(id, new Instance(i.id(), i.zone(), i.instanceType(), InstanceState.TERMINATED, i.privateIp(),
                i.publicIp(), i.sshPort(), reason, null, i.tags(), i.launchedAt()));
        ServerSocket s = sshd.remove(id);
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a listener that is already gone
            }
        }
    }

    @Override
    public List<Instance> describe(Collection<String> ids) {
        List<Instance> found = new ArrayList<>();
        for (String id : ids) {
            if (instances.containsKey(id)) {
                found.add(instances.get(id));
            }
        }
        return found;
    }

    @Override
    public TerminateResult terminate(Collection<String> ids) {
        List<String> accepted = new ArrayList<>();
        Map<String, String> failed = new HashMap<>();
        for (String id : ids) {
            if (instances.containsKey(id)) {
                end(id, "Client.UserInitiatedShutdown");
                accepted.add(id);
            } else {
                failed.put(id, "InvalidInstanceID.NotFound");
            }
        }
        return new TerminateResult(accepted, failed);
    }

    @Override
    public List<Instance> tagged() {
        return instances.values().stream().filter(i -> i.state().live()).toList();
    }

    @Override
    public List<Zone> zones(String instanceType) {
        return List.of(new Zone("fake-a", instanceType, 0.05), new Zone("fake-b", instanceType, 0.06));
    }

    long live() {
        return instances.values().stream().filter(i -> i.state().live()).count();
    }

    @Override
    public void close() {
        for (ServerSocket s : new LinkedHashMap<>(sshd).values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // test teardown
            }
        }
    }
}
