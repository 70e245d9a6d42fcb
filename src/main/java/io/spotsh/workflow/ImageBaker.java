package io.spotsh.workflow;

import io.spotsh.cloud.CapacityException;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.NodeImages;
import io.spotsh.cloud.Provider;
import io.spotsh.cloud.Tags;
import io.spotsh.cloud.Zone;
import io.spotsh.common.BadInput;
import io.spotsh.common.FileTree;
import io.spotsh.common.Log;
import io.spotsh.common.StatusLine;
import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.NodeResult;
import io.spotsh.fanout.PrefixedPrinter;
import io.spotsh.fanout.RunOptions;
import io.spotsh.fanout.RunResult;
import io.spotsh.fanout.Target;
import io.spotsh.node.SshKeys;
import io.spotsh.registry.ImageRecords;
import io.spotsh.registry.TestInfo;
import io.spotsh.registry.TestRecords;
import io.spotsh.types.TestTypes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code spotsh image bake}: one builder instance from the region's stock Debian 12 image, launched, recorded and
 * tagged like any test's node (a test named {@code image-...} with one {@code builder}, so {@code leaks()} and
 * {@code reap} see it), reached over SSH through the same fan-out as a test's nodes, given the node scripts
 * ({@code put}), baked with {@code ami/bake.sh} (live output), probed for the programs each test type needs, then
 * snapshot into an image (IMDSv2 only), waited on until available, tagged and recorded as the region's node image
 * in the registry. The builder is terminated on every exit path, and verified gone.
 *
 * <p>The builder has no spotsh on it and does not phone home: its userdata is a cloud-config that authorizes the
 * cluster key for Debian's {@code admin} user and installs a host key minted here, so the first connection already
 * checks the host.
 */
public final class ImageBaker implements AutoCloseable {
    /** Debian's AWS account: the owner of the official images. */
    public static final String DEBIAN_OWNER = "136693071363";
    public static final String DEBIAN_12 = "debian-12-amd64-*";
    static final String ROLE = "builder";
    static final String REMOTE_DIR = "spotsh-bake";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** How spotsh reaches the builder: its address and port 22 on a cloud, with the host key it was given. */
    public interface Reach {
        Target target(Instance builder, String user, String hostKeyLine);

        Reach DIRECT = (builder, user, hostKey) -> new Target(ROLE, builder.address(), 22, user, hostKey);
    }

    /**
     * @param source       the folder holding {@code ami/bake.sh}, {@code scripts/} and {@code ycsb-cql/} (a spotsh
     *                     checkout)
     * @param instanceType the builder's type
     * @param baseOwner    owner of the base image (Debian's by default)
     * @param baseName     name pattern of the base image, newest taken
     * @param user         the base image's login user ({@code admin} on Debian)
     * @param build        this spotsh's version, tagged on the image
     */
    public record Settings(Path source, String instanceType, String baseOwner, String baseName, String user,
                           String build, Duration sshTimeout, Duration imageTimeout, Duration ttl, Reach reach) {
        public static Settings defaults(Path source, String build) {
            return new Settings(source, "m5.large", DEBIAN_OWNER, DEBIAN_12, "admin", build, Duration.ofMinutes(10),
                    Duration.ofMinutes(45), Duration.ofHours(3), Reach.DIRECT);
        }

        public Settings with(String instanceType, String baseOwner, String baseName) {
            return new Settings(source, instanceType == null ? this.instanceType : instanceType,
                    baseOwner == null ? this.baseOwner : baseOwner, baseName == null ? this.baseName : baseName, user,
                    build, sshTimeout, imageTimeout, ttl, reach);
        }

        public Settings reach(Reach reach) {
            return new Settings(source, instanceType, baseOwner, baseName, user, build, sshTimeout, imageTimeout, ttl,
                    reach);
        }

        public Settings timeouts(Duration ssh, Duration image) {
            return new Settings(source, instanceType, baseOwner, baseName, user, build, ssh, image, ttl, reach);
        }
    }

    /** What a bake made. */
    public record Baked(String imageId, String name, String region, String test, String builder, List<String> types,
                        List<String> tools) {
    }

    private final Provider provider;
    private final NodeImages images;
    private final TestRecords records;
    private final ImageRecords imageRecords;
    private final Supplier<Fanout> fanout;
    private final String clusterKeyLine;
    private final TestTypes types;
    private final Log log;
    private final StatusLine status;
    private volatile String builderInFlight;

    public ImageBaker(Provider provider, TestRecords records, ImageRecords imageRecords, Supplier<Fanout> fanout,
                      String clusterKeyLine, TestTypes types, Log log, StatusLine status) {
        this.provider = provider;
        this.images = imagesOf(provider);
        this.records = records;
        this.imageRecords = imageRecords;
        this.fanout = fanout;
        this.clusterKeyLine = clusterKeyLine;
        this.types = types;
        this.log = log;
        this.status = status == null ? StatusLine.NONE : status;
    }

    /** The provider's images, or the error a cloud without them gets (the local cloud). */
    public static NodeImages imagesOf(Provider provider) {
        if (provider instanceof NodeImages images) {
            return images;
        }
        throw new NoImages(provider.name());
    }

    /** A cloud without node images: its nodes run this machine's programs. */
    public static final class NoImages extends BadInput {
        public NoImages(String provider) {
            super("the " + provider + " cloud has no node images: its nodes run this machine's programs;"
                    + " 'spotsh tools install TYPE...' provides them (image bake, ls and rm are for --provider aws)");
        }
    }

    /**
     * Where {@code ami/bake.sh} and the node scripts are: the checkout spotsh runs from (its jar or classes are in
     * {@code target/}), else the working directory.
     */
    public static Path defaultSource() {
        try {
            Path code = Path.of(ImageBaker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("ami").resolve("bake.sh"))) {
                    return p;
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // no code source (an unusual class loader): fall back to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    public Baked bake(Settings settings) {
        Path staged = stage(settings.source()); // first: a wrong --from launches nothing
        try {
            return bake(settings, staged);
        } finally {
            FileTree.deleteQuietly(staged.getParent());
        }
    }

    private Baked bake(Settings settings, Path staged) {
        String base = images.baseImage(settings.baseOwner(), settings.baseName());
        Instant now = Instant.now();
        String name = "image-" + STAMP.format(now) + "-" + Long.toString(System.nanoTime() % 46656, 36);
        TestInfo test = records.create(name, "image", provider.name(), Map.of(), settings.ttl());
        records.setOwner(name, OwnerProcess.current().toString(), false);
        records.setRegion(name, provider.region());
        records.setState(name, "launching");
        log.log("Baking a node image in " + provider.region() + ": builder " + settings.instanceType() + " from "
                + base + " (" + settings.baseName() + " of " + settings.baseOwner() + "), test " + name);
        String state = "failed";
        String builder = null;
        try {
            KeyPair hostKey = SshKeys.generateEd25519();
            Instance launched = launch(test, settings, base, hostKey);
            builder = launched.id();
            Instance running = awaitRunning(builder, settings.sshTimeout());
            Target target = settings.reach().target(running, settings.user(),
                    SshKeys.publicKeyLine(hostKey.getPublic(), null));
            awaitSsh(target, settings.sshTimeout());
            records.setState(name, "running");
            RunResult put = fanout.get().put(List.of(target), staged, REMOTE_DIR, RunOptions.defaults().withQuiet(true));
            put.check();
            log.log("Copied the node scripts to the builder (" + put.getTotalBytes() + " bytes)");
            runBake(target);
            List<String> tools = probe(target);
            List<String> held = ImageTools.typesHeld(types, tools);
            log.log("The builder has " + String.join(", ", tools) + "; tools of " + (held.isEmpty() ? "no test type"
                    : String.join(", ", held)));
            String imageName = "spotsh-node-" + STAMP.format(Instant.now());
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(NodeImages.IMAGE_TAG, "node");
            tags.put("Name", imageName);
            tags.put(NodeImages.BUILD_TAG, settings.build());
            tags.put(NodeImages.TYPES_TAG, String.join(",", held));
            tags.put(NodeImages.TOOLS_TAG, abbreviate(String.join(",", tools)));
            tags.put(NodeImages.BAKED_TAG, Instant.now().toString());
            tags.put(Tags.TEST, name);
            String imageId = images.createImage(builder, imageName, tags);
            log.log("Creating image " + imageId + " (" + imageName + ") from " + builder + "...");
            awaitAvailable(imageId, settings.imageTimeout());
            imageRecords.record(imageId, provider.name(), provider.region(), imageName, settings.build(), held, tools,
                    name);
            log.log("Image " + imageId + " is " + provider.region() + "'s node image now (recorded in the registry)");
            state = "finished";
            return new Baked(imageId, imageName, provider.region(), name, builder, held, tools);
        } finally {
            end(name, builder, state);
        }
    }

    /** One spot builder in the cheapest zone that has room, recorded as the test's one expected instance. */
    private Instance launch(TestInfo test, Settings settings, String base, KeyPair hostKey) {
        Map<String, String> tags = Tags.of(test.name(), ROLE, System.getProperty("user.name") + "@"
                + OwnerProcess.hostname(), records.registryId(), Instant.now(), test.expiresAt() == null ? null
                : test.expiresAt().toInstant());
        List<Zone> zones = provider.zones(settings.instanceType());
        if (zones.isEmpty()) {
            throw new WorkflowException(provider.name() + " lists no availability zones for " + settings.instanceType());
        }
        Map<String, String> refused = new LinkedHashMap<>();
        for (Zone zone : zones) {
            records.addZone(test.name(), zone.name());
            records.requesting(test.name(), Launcher.REQUEST_WINDOW);
            try {
                List<Instance> got = provider.launch(new LaunchRequest(test.name(), ROLE, 1, zone.name(),
                        settings.instanceType(), null, cloudConfig(hostKey), tags, Map.of("ami", base)));
                builderInFlight = got.get(0).id();
                records.recordInstances(test.name(), ROLE, List.of(got.get(0).id()), zone.name());
                log.log("Requested the builder in " + zone.name() + ": " + got.get(0).id());
                return got.get(0);
            } catch (CapacityException e) {
                refused.put(zone.name(), e.code());
                records.event(test.name(), "capacity-refused", ROLE, null, zone.name() + " " + e.code() + ": "
                        + e.getMessage());
                log.log("Zone " + zone.name() + " refused the builder (" + e.code() + "); trying the next");
            } finally {
                records.requesting(test.name(), null);
            }
        }
        throw new WorkflowException("no zone could supply a " + settings.instanceType() + " builder: " + refused
                + " (--instance-type another type)");
    }

    /** The builder's userdata: the cluster key for the login user, and the host key minted here. */
    String cloudConfig(KeyPair hostKey) {
        String privateKey = new String(SshKeys.privateKeyText(hostKey, "spotsh-builder"), StandardCharsets.US_ASCII);
        StringBuilder text = new StringBuilder("#cloud-config\n");
        text.append("ssh_authorized_keys:\n  - ").append(clusterKeyLine).append('\n');
        text.append("ssh_deletekeys: true\nssh_genkeytypes: []\nssh_keys:\n  ed25519_private: |\n");
        privateKey.lines().forEach(l -> text.append("    ").append(l).append('\n'));
        text.append("  ed25519_public: ").append(SshKeys.publicKeyLine(hostKey.getPublic(), "spotsh-builder")).append('\n');
        return text.toString();
    }

    private Instance awaitRunning(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Instance> seen = provider.describe(List.of(id));
            Instance i = seen.isEmpty() ? null : seen.get(0);
            if (i != null && i.state() == InstanceState.RUNNING && i.address() != null) {
                return i;
            }
            if (i != null && !i.state().live()) {
                throw new WorkflowException("the builder " + id + " ended before it ran: " + i.stateReason());
            }
            if (System.nanoTime() > deadline) {
                throw new WorkflowException("the builder " + id + " is not running after " + timeout + " ("
                        + (i == null ? "not found" : i.state()) + ")");
            }
            pause(Duration.ofSeconds(2));
        }
    }

    private void awaitSsh(Target target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            RunResult r = fanout.get().run(List.of(target), "true", RunOptions.defaults().withQuiet(true)
                    .withTimeout(Duration.ofSeconds(30)));
            if (r.allOk()) {
                log.log("The builder answers SSH at " + target.describe());
                return;
            }
            if (System.nanoTime() > deadline) {
                NodeResult failed = r.getFailed().get(0);
                throw new WorkflowException("the builder does not answer SSH at " + target.describe() + " after "
                        + timeout + ": " + failed.getError());
            }
            status.show("waiting for the builder's SSH at " + target.describe());
            pause(Duration.ofSeconds(5));
        }
    }

    private void runBake(Target target) {
        String command = "cd " + REMOTE_DIR + " && if [ \"$(id -u)\" = 0 ]; then sh ami/bake.sh; else sudo -n sh ami/bake.sh; fi";
        log.log("Running ami/bake.sh on the builder...");
        PrefixedPrinter printer = new PrefixedPrinter(log.out(), List.of(target), log.lineByLine());
        RunResult r;
        try {
            r = fanout.get().run(List.of(target), command, RunOptions.defaults().withListener(printer));
        } finally {
            printer.flush();
        }
        if (!r.allOk()) {
            NodeResult failed = r.getFailed().get(0);
            throw new WorkflowException("ami/bake.sh failed on the builder (" + failed.getStatus() + "): "
                    + (failed.getError() != null ? failed.getError() : failed.getLastStderrLine()));
        }
    }

    private List<String> probe(Target target) {
        RunResult r = fanout.get().run(List.of(target), ImageTools.probe(ImageTools.needed(types)),
                RunOptions.defaults().withQuiet(true));
        r.check();
        return r.getResults().get(0).getStdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private void awaitAvailable(String imageId, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextLine = 60;
        try {
            while (true) {
                NodeImages.Image image = images.image(imageId);
                String state = image == null ? "not visible yet" : image.state();
                if (image != null && image.available()) {
                    log.log("Image " + imageId + " is available after "
                            + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
                    return;
                }
                if (image != null && image.failed()) {
                    throw new WorkflowException("image " + imageId + " failed: " + state);
                }
                if (System.nanoTime() > deadline) {
                    throw new WorkflowException("image " + imageId + " is still " + state + " after " + timeout
                            + "; it may still complete: spotsh image ls");
                }
                long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
                status.show("image " + imageId + ": " + state + ", " + seconds + " s");
                if (seconds >= nextLine) {
                    // a line a minute too, for a log or a terminal without a status line (a snapshot takes minutes)
                    log.log("Image " + imageId + " is " + state + " after " + seconds + " s");
                    nextLine = seconds + 60;
                }
                pause(Duration.ofSeconds(5));
            }
        } finally {
            status.clear();
        }
    }

    /** Terminates the builder and verifies it is gone, then closes the test as any test is closed. */
    private void end(String test, String builder, String state) {
        String id = builder != null ? builder : builderInFlight;
        try {
            if (id != null) {
                Map<String, String> left = new TerminateVerifier(TerminateVerifier.DEFAULT_TIMEOUT)
                        .terminate(provider, List.of(id));
                if (left.isEmpty()) {
                    records.setInstanceState(test, id, "terminated");
                    log.log("Terminated the builder " + id);
                } else {
                    log.log("The builder " + id + " is not terminated yet (" + left.get(id) + "); spotsh reap ends it");
                    state = "failed";
                }
            }
        } finally {
            builderInFlight = null;
            records.setState(test, state);
        }
    }

    /** Ends a builder still in flight (the session closing under a bake: Ctrl-C twice, SIGTERM). */
    @Override
    public void close() {
        String id = builderInFlight;
        if (id != null) {
            new TerminateVerifier(TerminateVerifier.DEFAULT_TIMEOUT).terminate(provider, List.of(id));
            builderInFlight = null;
        }
    }

    /** Copies what bake.sh needs into a fresh folder (ycsb-cql without its build output), checking it is there. */
    static Path stage(Path source) {
        Path bake = source.resolve("ami").resolve("bake.sh");
        if (!Files.isRegularFile(bake)) {
            throw new BadInput("no ami/bake.sh under " + source.toAbsolutePath() + ": bake from a spotsh checkout"
                    + " (run spotsh from it, or pass --from DIR)");
        }
        if (!Files.isRegularFile(source.resolve("scripts").resolve("phone-home.sh"))) {
            throw new BadInput("no scripts/phone-home.sh under " + source.toAbsolutePath() + " (ami/bake.sh installs"
                    + " the node scripts from there)");
        }
        try {
            Path dir = Files.createTempDirectory("spotsh-bake").resolve(REMOTE_DIR);
            Files.createDirectories(dir);
            for (String part : List.of("ami", "scripts", "ycsb-cql")) {
                Path from = source.resolve(part);
                if (Files.isDirectory(from)) {
                    copy(from, dir.resolve(part));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the bake from " + source + ": " + e.getMessage(), e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path rel = from.relativize(p);
                if (rel.getNameCount() > 0 && rel.getName(0).toString().equals("target")) {
                    continue; // ycsb-cql's build output: bake.sh builds it again
                }
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else if (Files.isRegularFile(p)) {
                    Files.copy(p, dest);
                }
            }
        }
    }

    private static String abbreviate(String text) {
        // EC2 tag values hold at most 256 characters
        return text.length() <= 256 ? text : text.substring(0, 253) + "...";
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkflowException("image bake interrupted", e);
        }
    }
}
