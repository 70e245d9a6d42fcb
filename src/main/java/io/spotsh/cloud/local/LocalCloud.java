package io.spotsh.cloud.local;

import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Tags;
import io.spotsh.cloud.TerminateResult;
import io.spotsh.common.Log;
import io.spotsh.node.SshKeys;
import io.spotsh.tools.LocalTools;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The local cloud itself, inside the daemon: its instances (records, sandboxes, SSH endpoints, boot processes),
 * its fault plans and its clock. The verbs mirror {@link io.spotsh.cloud.Provider}; {@link LocalCloudDaemon}
 * serves them over HTTP. All state changes happen under this object's lock; slow work (starting boot processes,
 * killing process trees, deleting sandboxes) happens outside it.
 */
final class LocalCloud implements Closeable {
    static final String USER_SHUTDOWN = "Client.UserInitiatedShutdown";
    static final String LOST_SANDBOX = "Server.InternalError";
    private static final Pattern ID = Pattern.compile("i-[0-9a-f]{17}");
    private static final Duration KEEP_TERMINATED = Duration.ofHours(1);

    private final Path dir;
    private final Log log;
    private final InstanceStore store;
    private final LocalSshServer ssh;
    private final MetadataServer metadata;
    private final AddressPool addresses;
    private final Map<String, LocalInstance> instances = new LinkedHashMap<>();
    /** The sessions of each live instance's SSH commands. */
    private final Map<String, NodeProcesses.Sessions> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, daemonThreads("local-cloud-timer"));
    /** Lays out new instances' folders. */
    private final ExecutorService disk = Executors.newFixedThreadPool(4, daemonThreads("local-cloud-disk"));
    /** Empties the folders of terminated instances, one after another. */
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(daemonThreads("local-cloud-cleaner"));

    /** Opens the cloud in {@code dir} ({@code <stateDir>/local-cloud}), bringing back every instance on record. */
    LocalCloud(Path dir, int sshPort, Log log) throws IOException {
        this.dir = dir;
        this.log = log;
        this.store = new InstanceStore(dir.resolve("records"));
        this.ssh = new LocalSshServer(sshPort);
        ssh.start();
        this.metadata = new MetadataServer(dir, this::liveMetaData);
        List<LocalInstance> known = store.loadAll((file, e) -> log.log("skipping unreadable record " + file + ": " + e));
        known.forEach(i -> instances.put(i.id, i));
        this.addresses = new AddressPool(known.stream().map(i -> i.ip).toList(),
                known.stream().filter(LocalInstance::live).map(i -> i.ip).toList(), AddressPool.listenable(sshPort));
        recover();
        timers.execute(SshKeys::generateEd25519);  // the first key pays for the crypto provider's start-up: not a launch
        timers.scheduleWithFixedDelay(this::purge, 1, 10, TimeUnit.MINUTES);
    }

    /** Requests {@code count} instances in one zone, all or nothing; boots follow on the timers. */
    synchronized List<Instance> launch(LaunchRequest request) {
        LaunchFaults faults = LaunchFaults.parse(request.options());
        String type = request.instanceType() == null ? LocalZones.DEFAULT_TYPE : request.instanceType();
        String zone = request.zone() == null ? LocalZones.zones(type).get(0).name() : LocalZones.require(request.zone());
        faults.checkCapacity(zone, type, request.count(),
                instances.values().stream().filter(i -> i.live() && i.zone.equals(zone)).count());
        Map<String, String> tags = new LinkedHashMap<>(request.tags());
        tags.putIfAbsent(Tags.TEST, request.test());
        tags.putIfAbsent(Tags.ROLE, request.role());
        tags.values().removeIf(java.util.Objects::isNull);
        long start = System.nanoTime();
        List<String> ids = newIds(request.count());
        List<LaunchFaults.Plan> plans = faults.plan(ids);
        Instant now = Instant.now();
        List<LocalInstance> launched = new ArrayList<>();
        List<Callable<Void>> layouts = new ArrayList<>();
        try {
            for (int n = 0; n < ids.size(); n++) {
                LaunchFaults.Plan plan = plans.get(n);
                LocalInstance i = new LocalInstance(ids.get(n), zone, type, addresses.allocate(), ssh.port(), tags, now,
                        plan.dud(), plan.sshUnreachable(), now.plus(plan.bootDelay()));
                if (plan.reclaimAfter() != null) {
                    i.noticeAt = now.plus(plan.reclaimAfter());
                    i.reclaimAt = i.noticeAt.plus(plan.notice());
                }
                launched.add(i);
                KeyPair hostKey = SshKeys.generateEd25519();
                layouts.add(() -> {
                    sandbox(i.id).create(i, hostKey, request.userData() == null ? "" : request.userData(), faults.disks());
                    store.save(i);
                    return null;
                });
                ssh.add(i.id, i.ip, hostKey, sandbox(i.id), sessions.computeIfAbsent(i.id, id -> new NodeProcesses.Sessions()));
                instances.put(i.id, i);
            }
            layOut(layouts);
        } catch (RuntimeException e) {
            launched.forEach(this::forget);
            throw e;
        }
        launched.forEach(this::schedule);
        log.log("launched " + ids.size() + " " + type + " in " + zone + " for test " + request.test() + ", role "
                + request.role() + LaunchFaults.summary(plans) + " in " + (System.nanoTime() - start) / 1_000_000 + " ms: "
                + abbreviate(ids));
        return launched.stream().map(LocalInstance::toInstance).toList();
    }

    synchronized List<Instance> describe(Collection<String> ids) {
        List<Instance> found = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            LocalInstance i = instances.get(id);
            if (i != null) {
                found.add(i.toInstance());
            }
        }
        return found;
    }

    /** Live instances carrying spotsh's test tag. */
    synchronized List<Instance> tagged() {
        return instances.values().stream().filter(i -> i.live() && i.tags.containsKey(Tags.TEST))
                .map(LocalInstance::toInstance).toList();
    }

    synchronized int live() {
        return liveIds().size();
    }

    synchronized List<String> liveIds() {
        return instances.values().stream().filter(LocalInstance::live).map(i -> i.id).toList();
    }

    int sshPort() {
        return ssh.port();
    }

    /** How many instance addresses the SSH server listens on now. */
    int sshAddresses() {
        return ssh.boundAddresses();
    }

    /**
     * Ends instances now: their SSH endpoint goes, every process they run is killed, their sandbox is emptied;
     * the record stays (as {@code terminated}, with {@code reason}) for an hour, as EC2 keeps it.
     */
    TerminateResult terminate(Collection<String> ids, String reason) {
        List<String> accepted = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        Set<String> ending = new LinkedHashSet<>();
        Set<NodeProcesses.Session> doomed = new HashSet<>();
        synchronized (this) {
            Instant now = Instant.now();
            for (String id : new LinkedHashSet<>(ids)) {
                LocalInstance i = instances.get(id);
                if (i == null) {
                    failed.put(id, ID.matcher(String.valueOf(id)).matches()
                            ? "InvalidInstanceID.NotFound: the instance ID '" + id + "' does not exist"
                            : "InvalidInstanceID.Malformed: '" + id + "' is not an instance ID");
                    continue;
                }
                accepted.add(id);
                if (i.live()) {
                    i.state = InstanceState.TERMINATED;
                    i.stateReason = reason;
                    i.terminatedAt = now;
                    ssh.remove(i.ip);
                    addresses.release(i.ip);
                    doomed.addAll(sessionsOf(i));
                    store.save(i);
                    ending.add(id);
                }
            }
        }
        if (!ending.isEmpty()) {
            long start = System.nanoTime();
            int signalled = NodeProcesses.kill(doomed);
            cleaner.execute(() -> ending.forEach(this::wipe));  // the caller need not wait for the disk
            log.log("terminated " + ending.size() + " (" + reason + "; " + signalled + " process groups and"
                    + " descendants killed in " + (System.nanoTime() - start) / 1_000_000 + " ms): " + abbreviate(ending));
        }
        return new TerminateResult(accepted, failed);
    }

    /** The state directory is gone (deleted under the daemon): ends every live instance's processes, records nothing. */
    void abandon() {
        Set<NodeProcesses.Session> doomed = new HashSet<>();
        synchronized (this) {
            for (LocalInstance i : instances.values()) {
                if (i.live()) {
                    i.state = InstanceState.TERMINATED;
                    i.stateReason = LOST_SANDBOX;
                    ssh.remove(i.ip);
                    doomed.addAll(sessionsOf(i));
                }
            }
        }
        NodeProcesses.kill(doomed);
    }

    /**
     * Kills ({@code up} false) or restarts the SSH server of live instances, a fault for drills: while down, the
     * address refuses connections and open connections have dropped. Returns the ids it applied to.
     */
    synchronized List<String> sshServer(Collection<String> ids, boolean up) {
        List<String> done = new ArrayList<>();
        for (String id : ids) {
            LocalInstance i = instances.get(id);
            if (i == null || !i.live()) {
                continue;
            }
            if (up) {
                bindIfAnswering(i);
            } else {
                ssh.kill(i.ip);
            }
            log.log((up ? "SSH server restarted for " : "SSH server killed for ") + id);
            done.add(id);
        }
        return done;
    }

    /** A spot interruption of live instances, now: the notice at once, termination after {@code notice}. */
    List<Instance> reclaim(Collection<String> ids, Duration notice) {
        List<String> noticed = new ArrayList<>();
        synchronized (this) {
            Instant now = Instant.now();
            for (String id : ids) {
                LocalInstance i = instances.get(id);
                if (i != null && i.live()) {
                    i.noticeAt = now;
                    i.reclaimAt = now.plus(notice);
                    i.noticeGiven = false;
                    noticed.add(id);
                }
            }
        }
        noticed.forEach(this::giveNotice);
        return describe(noticed);
    }

    @Override
    public void close() throws IOException {
        timers.shutdownNow();
        disk.shutdownNow();
        cleaner.shutdown();
        try {
            cleaner.awaitTermination(30, TimeUnit.SECONDS);  // what is left is emptied by the next daemon
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ssh.close();
        metadata.close();
    }

    /** The meta-data folder of a live instance, else null: what the metadata service serves. */
    private synchronized Path liveMetaData(String id) {
        LocalInstance i = instances.get(id);
        return i != null && i.live() ? sandbox(id).metaData() : null;
    }

    /** Writes the new instances' folders and records, a few at a time: it is all file system work. */
    private void layOut(List<Callable<Void>> layouts) {
        try {
            for (Future<Void> done : disk.invokeAll(layouts)) {
                done.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while laying out new instances", e);
        }
    }

    /** Arranges what is still to come for a live instance: its boot and its reclaim. */
    private void schedule(LocalInstance i) {
        if (!i.live()) {
            return;
        }
        if (!i.dud && i.bootStartedAt == null) {
            timers.schedule(() -> boot(i.id), untilMillis(i.bootAt), TimeUnit.MILLISECONDS);
        }
        if (i.noticeAt != null) {
            if (i.noticeGiven) {
                timers.schedule(() -> reclaimNow(i.id), untilMillis(i.reclaimAt), TimeUnit.MILLISECONDS);
            } else {
                timers.schedule(() -> giveNotice(i.id), untilMillis(i.noticeAt), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** All local nodes' interruption watchers together ask the metadata service at most this often a second. */
    static final int METADATA_LOOKS_PER_SECOND = 4;

    /** All local nodes' sysstat collectors together take at most this many samples a second. */
    static final int SYSSTAT_SAMPLES_PER_SECOND = 20;

    /**
     * Seconds between one node's looks for an interruption notice. On EC2 each node polls every 5 s on its own cores;
     * here every node shares this machine's (a look is a curl, about 15 ms of CPU), so the watchers of N live nodes
     * together stay near {@value #METADATA_LOOKS_PER_SECOND} looks a second (1,000 nodes: every 250 s). A notice does
     * not wait for the next look: {@link #giveNotice} wakes the node's watcher. The looks are what remains if that
     * signal is lost, so a node with a reclaim planned and a shorter notice still looks at least twice within it.
     */
    static long interruptionPoll(LocalInstance i, int live) {
        long poll = spacing(live, METADATA_LOOKS_PER_SECOND, 5);
        if (i.noticeAt != null && i.reclaimAt != null) {
            long notice = java.time.Duration.between(i.noticeAt, i.reclaimAt).toSeconds();
            poll = Math.min(poll, Math.max(1, notice / 2));
        }
        return poll;
    }

    /**
     * Seconds between one node's sysstat samples: 10, as the node image's collector, until the live nodes together
     * would take more than {@value #SYSSTAT_SAMPLES_PER_SECOND} samples a second (200 nodes); past that, longer (1,000
     * nodes: every 50 s). Every local node samples the same machine, so the cluster still sees it 20 times a second;
     * at 100 samples a second the collectors (sadc and the pause's sleep, about 3 ms each) took a quarter of a 2-core
     * machine from the test.
     */
    static long sysstatInterval(int live) {
        return spacing(live, SYSSTAT_SAMPLES_PER_SECOND, 10);
    }

    /** Seconds between one node's turns so that {@code live} nodes together take about {@code perSecond}; at least {@code least}. */
    private static long spacing(int live, int perSecond, long least) {
        return Math.max(least, (live + perSecond - 1) / perSecond);
    }

    /** Boot: the SSH endpoint starts answering (unless unreachable by plan) and userdata runs. */
    private void boot(String id) {
        LocalInstance i;
        long poll;
        long sysstat;
        synchronized (this) {
            i = instances.get(id);
            if (i == null || !i.live() || i.bootStartedAt != null) {
                return;
            }
            i.bootStartedAt = Instant.now();
            store.save(i);
            bindIfAnswering(i);
            int live = live();
            poll = interruptionPoll(i, live);
            sysstat = sysstatInterval(live);
        }
        Process process;
        try {
            process = NodeProcesses.boot(id, i.ip, sandbox(id), metadata.baseUrl(id), poll, sysstat);
        } catch (IOException e) {
            log.log("cannot run the userdata of " + id + ": " + e.getMessage());
            return;
        }
        NodeProcesses.Session session = NodeProcesses.sessionOf(process);
        synchronized (this) {
            if (!i.live()) {  // terminated while the process was starting
                NodeProcesses.kill(Set.of(session));
                return;
            }
            i.bootSession = session;
            store.save(i);
        }
        process.onExit().thenAccept(p -> bootEnded(id, p));
    }

    private synchronized void bootEnded(String id, Process process) {
        LocalInstance i = instances.get(id);
        if (i != null && i.live()) {
            i.bootExit = process.exitValue();
            store.save(i);
            if (i.bootExit != 0) {
                log.log("userdata of " + id + " exited with status " + i.bootExit + " (see " + sandbox(id).bootOutput() + ")");
            }
        }
    }

    private void giveNotice(String id) {
        Instant reclaimAt;
        synchronized (this) {
            LocalInstance i = instances.get(id);
            if (i == null || !i.live() || i.noticeGiven) {
                return;
            }
            i.noticeGiven = true;
            reclaimAt = i.reclaimAt;
            sandbox(id).writeInterruptNotice(reclaimAt);
            store.save(i);
        }
        // as EC2 would, the node sees it within seconds, not at its next look (which can be minutes away here)
        boolean woken = NodeProcesses.wakeInterruptionWatch(id, sandbox(id));
        log.log("spot interruption notice for " + id + ": reclaimed at " + reclaimAt
                + (woken ? "" : " (its interruption watcher was not told: it sees the notice at its next look)"));
        timers.schedule(() -> reclaimNow(id), untilMillis(reclaimAt), TimeUnit.MILLISECONDS);
    }

    private void reclaimNow(String id) {
        terminate(List.of(id), Instance.SPOT_TERMINATION);
    }

    /** After a daemon restart: SSH endpoints back up, pending boots and reclaims rescheduled, leftovers cleaned. */
    private void recover() {
        List<LocalInstance> ended = new ArrayList<>();
        for (LocalInstance i : instances.values()) {
            if (!i.live()) {
                ended.add(i);
                continue;
            }
            try {
                ssh.add(i.id, i.ip, SshKeys.read(sandbox(i.id).hostKey()), sandbox(i.id),
                        sessions.computeIfAbsent(i.id, id -> new NodeProcesses.Sessions()));
            } catch (RuntimeException e) {
                log.log("instance " + i.id + " lost its sandbox (" + e.getMessage() + "): marking it terminated");
                i.state = InstanceState.TERMINATED;
                i.stateReason = LOST_SANDBOX;
                i.terminatedAt = Instant.now();
                store.save(i);
                ended.add(i);
                continue;
            }
            bindIfAnswering(i);
            schedule(i);
        }
        if (!ended.isEmpty()) {
            cleaner.execute(() -> {
                NodeProcesses.kill(ended.stream().flatMap(i -> sessionsOf(i).stream()).toList());
                ended.forEach(i -> wipe(i.id));
            });
        }
        log.log("local cloud in " + dir + ": " + live() + " live instances, " + ended.size() + " terminated on record");
    }

    /** Forgets terminated instances after {@link #KEEP_TERMINATED}, record and folder. */
    private void purge() {
        List<String> old = new ArrayList<>();
        synchronized (this) {
            Instant cutoff = Instant.now().minus(KEEP_TERMINATED);
            instances.values().removeIf(i -> {
                boolean gone = !i.live() && i.terminatedAt != null && i.terminatedAt.isBefore(cutoff);
                if (gone) {
                    old.add(i.id);
                }
                return gone;
            });
        }
        for (String id : old) {
            try {
                store.delete(id);
                sandbox(id).delete();
            } catch (IOException | RuntimeException e) {
                log.log("cannot remove the folder of the old instance " + id + ": " + e.getMessage());
            }
        }
    }

    /** Every session the instance's processes run in: userdata's and its SSH commands'; forgets the latter. */
    private Set<NodeProcesses.Session> sessionsOf(LocalInstance i) {
        Set<NodeProcesses.Session> all = new HashSet<>();
        if (i.bootSession != null) {
            all.add(i.bootSession);
        }
        NodeProcesses.Sessions ssh = sessions.remove(i.id);
        if (ssh != null) {
            all.addAll(ssh.all());
        }
        return all;
    }

    private void bindIfAnswering(LocalInstance i) {
        if (i.sshAnswers()) {
            try {
                ssh.bind(i.ip);
            } catch (IOException e) {
                log.log("cannot open SSH for " + i.id + " on " + i.ip + ":" + i.sshPort + ": " + e.getMessage());
            }
        }
    }

    /** Undoes a launch that failed half-way. */
    private void forget(LocalInstance i) {
        instances.remove(i.id);
        sessions.remove(i.id);
        ssh.remove(i.ip);
        addresses.release(i.ip);
        store.delete(i.id);
        try {
            sandbox(i.id).delete();
        } catch (IOException e) {
            log.log("cannot remove the folder of the failed launch " + i.id + ": " + e.getMessage());
        }
    }

    private void wipe(String id) {
        try {
            sandbox(id).wipe();
        } catch (IOException e) {
            log.log("cannot empty the folder of " + id + ": " + e.getMessage());
        }
    }

    private Sandbox sandbox(String id) {
        return new Sandbox(dir.resolve("instances").resolve(id), LocalTools.binDir(dir.toAbsolutePath().getParent()));
    }

    private List<String> newIds(int count) {
        List<String> ids = new ArrayList<>(count);
        while (ids.size() < count) {
            String id = String.format("i-%016x%x", random.nextLong(), random.nextInt(16));
            if (!instances.containsKey(id) && !ids.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static long untilMillis(Instant at) {
        return Math.max(0, Duration.between(Instant.now(), at).toMillis());
    }

    private static String abbreviate(Collection<String> ids) {
        List<String> list = new ArrayList<>(ids);
        return list.size() <= 6 ? String.join(",", list)
                : String.join(",", list.subList(0, 5)) + ",... (" + (list.size() - 5) + " more)";
    }
}
