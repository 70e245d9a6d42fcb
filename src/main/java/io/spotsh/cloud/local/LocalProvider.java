package io.spotsh.cloud.local;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.OnDemandPrices;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.cloud.Zone;
import io.spotsh.common.Durations;
import io.spotsh.common.StateDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A spot cloud on this machine: spotsh's default provider and its demo. Each instance is a sandbox folder
 * ({@link #instanceRoot}) with an {@code i-} id, its own loopback address 127.100.x.y with a real SSH server on
 * it (port 2222, its own ed25519 host key, keys from its {@code root/.ssh/authorized_keys}, exec, shell and SFTP),
 * and two instance-store "disks" (folders). It boots by running the request's userdata with {@code /bin/sh}, with
 * the instance metadata as files, so nodes phone home through the real registry path. Zones {@code local-a},
 * {@code local-b}, {@code local-c} have fixed pretend spot prices.
 *
 * <p>Instances belong to a daemon process per state directory ({@link LocalCloudDaemon}), started on first use,
 * so they outlive the spotsh that launched them: a later spotsh sees, uses and terminates them. This class is
 * its thin client; the daemon exits after 10 minutes without instances or calls.
 *
 * <pre>{@code
 * Provider cloud = Providers.open("local", stateDir, Map.of());
 * List<Instance> data = cloud.launch(new LaunchRequest("t1", "data", 50, "local-a", null, null, userData, tags,
 *         Map.of("dudRate", 0.05, "slowBoot", "2s..20s")));
 * cloud.terminate(data.stream().map(Instance::id).toList());
 * }</pre>
 *
 * <p>Launch options ({@link #launchOptions()}) inject faults (duds, slow boots, unreachable SSH, reclaims, zone
 * capacity); the README's "The local cloud" lists them. Unknown options are refused, so a typo does not silently
 * launch a healthy cluster.
 * Provider settings (from {@code Providers.open}): {@code sshPort} (default 2222) and {@code idleTimeout}
 * (default 10 min), used when this call starts the daemon.
 *
 * <p>Beyond {@link Provider}: {@link #reclaim} interrupts chosen instances now, {@link #status} reports the
 * daemon (pid, live instances, memory), {@link #stopDaemon} ends it.
 */
public final class LocalProvider implements Provider, OnDemandPrices {
    private final DaemonClient client;
    private final Path cloudDir;

    public LocalProvider(StateDir stateDir, Map<String, Object> settings) {
        Map<String, Object> s = settings == null ? Map.of() : settings;
        int sshPort = s.containsKey("sshPort") ? ((Number) s.get("sshPort")).intValue() : DaemonInfo.DEFAULT_SSH_PORT;
        Duration idle = s.containsKey("idleTimeout") ? Durations.parse(s.get("idleTimeout"), "idleTimeout")
                : DaemonInfo.DEFAULT_IDLE_TIMEOUT;
        DaemonLauncher launcher = new DaemonLauncher(stateDir.root(), sshPort, idle);
        this.cloudDir = launcher.dir();
        this.client = new DaemonClient(launcher);
    }

    /** The fault-injection options above: {@code dudRate}, {@code slowBoot}, ..., {@code seed}, {@code disks}. */
    @Override
    public List<String> launchOptions() {
        return LaunchFaults.OPTIONS;
    }

    @Override
    public boolean runsHere() {
        return true;
    }

    @Override
    public String name() {
        return LocalProviderFactory.NAME;
    }

    @Override
    public List<Instance> launch(LaunchRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("test", request.test());
        body.put("role", request.role());
        body.put("count", request.count());
        body.put("zone", request.zone());
        body.put("instanceType", request.instanceType());
        body.put("maxPrice", request.maxPrice());
        body.put("userData", request.userData());
        body.put("tags", request.tags());
        body.put("options", request.options());
        return Wire.instances(call("/launch", body).get("instances"));
    }

    @Override
    public List<Instance> describe(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return List.of();
        }
        return Wire.instances(call("/describe", Map.of("ids", new ArrayList<>(instanceIds))).get("instances"));
    }

    @Override
    @SuppressWarnings("unchecked")
    public TerminateResult terminate(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return new TerminateResult(List.of(), Map.of());
        }
        Map<String, Object> reply = call("/terminate", Map.of("ids", new ArrayList<>(instanceIds)));
        return new TerminateResult((List<String>) reply.get("accepted"), (Map<String, String>) reply.get("failed"));
    }

    @Override
    public List<Instance> tagged() {
        return Wire.instances(call("/tagged", Map.of()).get("instances"));
    }

    /** The pretend list price of the type (see {@link LocalZones}): fixed, so local cost figures are repeatable. */
    @Override
    public OptionalDouble onDemandHourly(String instanceType) {
        return OptionalDouble.of(LocalZones.onDemand(instanceType));
    }

    @Override
    public List<Zone> zones(String instanceType) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instanceType", instanceType);
        return Wire.zones(call("/zones", body).get("zones"));
    }

    /** A spot interruption of these instances now: notice at once, terminated after {@code notice}. */
    public List<Instance> reclaim(Collection<String> instanceIds, Duration notice) {
        return Wire.instances(call("/reclaim", Map.of("ids", new ArrayList<>(instanceIds), "notice",
                notice.toMillis() + "ms")).get("instances"));
    }

    /**
     * Kills the SSH server of these live instances, as {@code kill -9 sshd} on a machine would: their addresses
     * refuse connections and their open connections drop until {@link #restartSsh}. Returns the ids it hit.
     */
    @SuppressWarnings("unchecked")
    public List<String> killSsh(Collection<String> instanceIds) {
        return (List<String>) call("/ssh", Map.of("ids", new ArrayList<>(instanceIds), "up", false)).get("ids");
    }

    /** Starts the SSH server of these live instances again (after {@link #killSsh}). Returns the ids it hit. */
    @SuppressWarnings("unchecked")
    public List<String> restartSsh(Collection<String> instanceIds) {
        return (List<String>) call("/ssh", Map.of("ids", new ArrayList<>(instanceIds), "up", true)).get("ids");
    }

    /** The daemon's pid, live instances, SSH addresses and memory (rssKiB, peakRssKiB); starts it if needed. */
    public Map<String, Object> status() {
        return call("/status", Map.of());
    }

    /**
     * Stops the daemon if one runs; with {@code terminateInstances} its live instances are terminated first,
     * else they stay on record and come back (SSH, pending boots and reclaims) with the next daemon.
     * Returns false when no daemon was running.
     */
    public boolean stopDaemon(boolean terminateInstances) {
        return client.call("/stop", Map.of("terminate", terminateInstances), false) != null;
    }

    /** The instance's folder: its root file system, where {@code var/log/spotsh-boot.log} and the rest live. */
    public Path instanceRoot(String instanceId) {
        return cloudDir.resolve("instances").resolve(instanceId);
    }

    private Map<String, Object> call(String path, Map<String, Object> body) {
        return client.call(path, body, true);
    }

    @Override
    public String toString() {
        return "local cloud in " + cloudDir;
    }
}
