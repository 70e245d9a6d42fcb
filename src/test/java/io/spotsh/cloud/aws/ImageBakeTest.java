package io.spotsh.cloud.aws;

import io.spotsh.cli.Main;
import io.spotsh.cloud.CloudTests;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.NodeImages;
import io.spotsh.common.Log;
import io.spotsh.common.StatusLine;
import io.spotsh.fanout.Fanout;
import io.spotsh.fanout.FanoutSettings;
import io.spotsh.fanout.Target;
import io.spotsh.fanout.ssh.ShellCommand;
import io.spotsh.fanout.ssh.SshTransport;
import io.spotsh.node.ClusterKey;
import io.spotsh.registry.EmbeddedServer;
import io.spotsh.registry.ImageRecords;
import io.spotsh.registry.Registry;
import io.spotsh.registry.RegistrySettings;
import io.spotsh.registry.TestRecords;
import io.spotsh.types.TestTypes;
import io.spotsh.workflow.Cluster;
import io.spotsh.workflow.ImageBaker;
import io.spotsh.workflow.WorkflowException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.CreateLaunchTemplateRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spotsh image bake|ls|rm} against moto with a real registry and a real SSH step. Moto's instances have no
 * SSH, so the builder's SSH is a real Apache MINA SSHD on loopback that takes the part of the builder exactly as its
 * userdata describes it: the test reads the cloud-config the builder was launched with (from the CreateLaunchTemplate
 * request EC2 received), serves the host key minted there and accepts only the key authorized there, for Debian's
 * {@code admin}. The bake goes through spotsh's fan-out with host-key checking, so a wrong key in the userdata fails
 * the test. Its {@code ami/bake.sh} is a stand-in that installs stub programs (the real one needs apt and the network,
 * and is proven in a debootstrap chroot elsewhere).
 */
class ImageBakeTest extends OnMoto {
    private static final String BUILDER_TYPE = "m5.large";
    private static final String BASE_NAME = "debian-12-amd64-20260101-1234";
    private static Registry registry;

    private final List<SshServer> servers = new ArrayList<>();
    private final List<String> shown = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** How many looks at a baked image EC2 answers "pending" before moto's "available" (a snapshot takes minutes). */
    private final AtomicInteger pendingLooks = new AtomicInteger(1);
    private final ExecutionInterceptor snapshotting = new ExecutionInterceptor() {
        @Override
        public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
            if (context.response() instanceof DescribeImagesResponse d && d.images().size() == 1
                    && d.images().get(0).tags().stream().anyMatch(t -> t.key().equals(NodeImages.IMAGE_TAG))
                    && pendingLooks.getAndDecrement() > 0) {
                return d.toBuilder().images(d.images().get(0).toBuilder().state(ImageState.PENDING).build()).build();
            }
            return context.response();
        }
    };
    private final AtomicInteger builderExecs = new AtomicInteger();
    private CallLog calls;
    private Rewrites rewrites;
    private AwsProvider aws;
    private Fanout fanout;
    private Path work;
    private String out;

    @BeforeEach
    void open() throws IOException {
        if (registry == null) {
            registry = Registry.open(RegistrySettings.embedded(stateDir.root()));
        }
        calls = new CallLog();
        rewrites = new Rewrites();
        Instant t = Instant.now();
        rewrites.prices = List.of(Rewrites.price("us-east-1a", BUILDER_TYPE, "0.03", t),
                Rewrites.price("us-east-1a", AwsTestKit.TYPE, "0.05", t));
        aws = AwsTestKit.provider(moto.endpoint(), stateDir, calls, rewrites, snapshotting);
        work = CloudTests.tempDir("spotsh-image-bake");
        FanoutSettings settings = FanoutSettings.builder().clusterKey(ClusterKey.open(stateDir).privateKeyPath())
                .userKeys(false).sshDir(work.resolve("no-ssh-dir")).connectTimeout(Duration.ofSeconds(5))
                .retries(2, Duration.ofMillis(50), Duration.ofMillis(200)).build();
        fanout = new Fanout(settings, new SshTransport(settings));
    }

    @AfterEach
    void close() throws IOException {
        fanout.close();
        aws.close();
        for (SshServer s : servers) {
            s.stop(true);
        }
        CloudTests.delete(work);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
            registry = null;
        }
        if (stateDir != null) {
            new EmbeddedServer(RegistrySettings.embedded(stateDir.root())).stop();
        }
    }

    @Test
    void bakeRecordsTheRegionsImageLaunchesBootItAndLsRmWorkThroughTheCli() throws Exception {
        String base = registerBase();
        leaksSeen = new ArrayList<>();
        ImageBaker.Baked baked = baker().bake(settings(checkout("exit 0")));
        assertEquals(2, leaksSeen.size(), leaksSeen.toString());
        assertEquals("alive:[]", leaksSeen.get(0), "a builder whose spotsh runs is no leak");
        assertTrue(leaksSeen.get(1).contains(baked.builder()), "a crashed bake's builder is a leak for reap: " + leaksSeen);

        // the builder: launched from the base image, as a test of its own, terminated and nothing left
        CreateLaunchTemplateRequest template = lastTemplate();
        assertEquals(base, template.launchTemplateData().imageId());
        assertTrue(aws.tagged().stream().noneMatch(i -> baked.test().equals(i.test())), "the builder is gone");
        assertEquals("finished", registry.test(baked.test()).state());
        assertTrue(new TestRecords(() -> registry).instances(baked.test()).stream()
                .allMatch(r -> r.state().equals("terminated")), "the registry shows the builder terminated");
        Path bakedHome = work.resolve("builder-home").resolve("spotsh-bake");
        assertTrue(Files.isRegularFile(bakedHome.resolve("ami").resolve("bake.sh")), "put copied the checkout");
        assertTrue(Files.isExecutable(bakedHome.resolve("bin").resolve("redis-server")), "bake.sh ran on the builder");
        assertTrue(builderExecs.get() >= 1, "commands reached the builder over SSH");
        assertTrue(out().contains("builder | bake.sh: installing"), "bake output is shown live, prefixed: " + out());

        // the image: created once, IMDSv2 only, tagged, available, recorded as the region's node image
        assertEquals(1, calls.count("CreateImage"), calls.calls().toString());
        ModifyImageAttributeRequest imds = calls.requests(ModifyImageAttributeRequest.class).get(0);
        assertEquals(baked.imageId(), imds.imageId());
        assertEquals("v2.0", imds.imdsSupport().value());
        Image image = raw.describeImages(r -> r.imageIds(baked.imageId())).images().get(0);
        Map<String, String> tags = image.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
        assertEquals("node", tags.get(NodeImages.IMAGE_TAG));
        assertEquals("test-build", tags.get(NodeImages.BUILD_TAG));
        assertTrue(tags.get(NodeImages.TYPES_TAG).contains("redis"), tags.toString());
        assertFalse(tags.get(NodeImages.TYPES_TAG).contains("cassandra"), tags.toString());
        assertNotNull(tags.get(NodeImages.BAKED_TAG));
        assertTrue(baked.tools().containsAll(List.of("redis-server", "redis-cli", "redis-benchmark", "sadc")),
                baked.tools().toString());
        assertTrue(shown.stream().anyMatch(l -> l.startsWith("image " + baked.imageId() + ": pending")),
                "a progress line while the image is pending: " + shown);
        assertTrue(out().contains("Image " + baked.imageId() + " is available after"), out());
        ImageRecords.ImageRow current = new ImageRecords(() -> registry).current("aws", AwsTestKit.REGION);
        assertEquals(baked.imageId(), current.imageId());
        // the whole bake in a bounded number of EC2 calls (no polling storms): lookups, one fleet, image, terminate
        assertTrue(calls.count() <= 20, calls.count() + " calls: " + calls.calls());
        assertEquals(1, calls.count("CreateFleet"), calls.calls().toString());

        // a launch boots the recorded image and records it; a type whose programs the image lacks is refused
        calls.clear();
        String name = AwsTestKit.unique("on-image");
        try (Cluster cluster = new Cluster(new Log(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)), () -> registry, p -> aws, (test, role, params) -> AwsTestKit.userData(test.name(), role),
                new TestTypes(), "aws", false)) {
            cluster.launch(Map.of("name", name, "type", "redis", "dataNodes", 3, "clientNodes", 1,
                    "instanceType", AwsTestKit.TYPE));
            assertTrue(calls.requests(CreateLaunchTemplateRequest.class).stream()
                    .allMatch(r -> r.launchTemplateData().imageId().equals(baked.imageId())));
            assertEquals(baked.imageId(), new TestRecords(() -> registry).image(name));
            cluster.terminate();
            int fleetsBefore = calls.count("CreateFleet");
            Exception refused = assertThrows(Exception.class, () -> cluster.launch(Map.of("name", AwsTestKit.unique("cass"),
                    "type", "cassandra", "dataNodes", 3, "clientNodes", 1, "instanceType", AwsTestKit.TYPE)));
            assertTrue(refused.getMessage().contains("lacks cassandra") && refused.getMessage().contains("image bake"),
                    refused.getMessage());
            assertEquals(fleetsBefore, calls.count("CreateFleet"), "nothing launched for a refused type");
        }

        // image ls and image rm through the command line
        assertEquals(0, spotsh("image", "ls"), out);
        String line = out.lines().filter(l -> l.contains(baked.imageId())).findFirst().orElse("");
        assertTrue(line.contains("available") && line.contains("yes") && line.contains(AwsTestKit.REGION), out);
        List<String> snapshots = image.blockDeviceMappings().stream().filter(m -> m.ebs() != null)
                .map(m -> m.ebs().snapshotId()).toList();
        assertFalse(snapshots.isEmpty(), "moto gives the image a snapshot");
        assertEquals(0, spotsh("image", "rm", baked.imageId()), out);
        assertTrue(raw.describeImages(r -> r.owners("self")).images().stream().noneMatch(i -> i.imageId().equals(baked.imageId())),
                "deregistered");
        for (String s : snapshots) {
            Ec2Exception gone = assertThrows(Ec2Exception.class, () -> raw.describeSnapshots(r -> r.snapshotIds(s)));
            assertTrue(gone.awsErrorDetails().errorCode().contains("NotFound"), gone.getMessage());
        }
        assertNull(new ImageRecords(() -> registry).get(baked.imageId()), "forgotten by the registry");
        assertEquals(2, spotsh("image", "rm", "not-an-image"), out);
    }

    @Test
    void aFailedBakeTerminatesTheBuilderAndRecordsNoImage() throws Exception {
        registerBase();
        int recorded = new ImageRecords(() -> registry).all("aws").size();
        ImageBaker baker = baker();
        WorkflowException failed = assertThrows(WorkflowException.class,
                () -> baker.bake(settings(checkout("echo 'bake.sh: apt-get failed' >&2; exit 7"))));
        assertTrue(failed.getMessage().contains("ami/bake.sh failed"), failed.getMessage());
        assertEquals(0, calls.count("CreateImage"));
        assertEquals(recorded, new ImageRecords(() -> registry).all("aws").size());
        List<Instance> builders = aws.tagged().stream().filter(i -> i.test() != null && i.test().startsWith("image-")).toList();
        assertTrue(builders.isEmpty(), "no builder left: " + builders);
        assertTrue(calls.count("TerminateInstances") + calls.count("DeleteFleets") >= 1, calls.calls().toString());
    }

    @Test
    void theShellsImagesRefusesBadArgumentsBeforeLaunchingAnything() {
        long before = raw.describeInstances().reservations().stream().mapToLong(r -> r.instances().size()).sum();
        assertEquals(2, spotsh("-e", "images.bake(region: '" + AwsTestKit.REGION + "', from: '" + work.resolve("nowhere") + "')"), out);
        assertTrue(out.contains("no ami/bake.sh under") && out.contains("--from"), out);
        assertEquals(2, spotsh("-e", "images.bake(instanceTyp: 'm5.large')"), out);
        assertTrue(out.contains("unknown argument 'instanceTyp'") && out.contains("instanceType"), out);
        assertEquals(2, spotsh("image", "ls", "extra"), out);
        assertEquals(2, spotsh("image", "ls", "--from", "x"), out);
        assertTrue(out.contains("--from is for image bake"), out);
        assertEquals(before, raw.describeInstances().reservations().stream().mapToLong(r -> r.instances().size()).sum(),
                "nothing launched");
    }

    @Test
    void theLocalCloudHasNoImagesExitThree() throws IOException {
        Path state = CloudTests.tempDir("spotsh-image-local");
        try {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"--state-dir", state.toString(), "--provider", "local", "image", "bake"},
                    System.in, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(o, true, StandardCharsets.UTF_8),
                    Map.of());
            String text = o.toString(StandardCharsets.UTF_8);
            assertEquals(3, code, text);
            assertTrue(text.contains("no node images") && text.contains("spotsh tools install"), text);
            assertFalse(Files.exists(state.resolve("keys")), "nothing made for a cloud without images");

            o.reset();
            code = Main.run(new String[] {"--state-dir", state.toString(), "--provider", "local", "-e", "images.ls()"},
                    System.in, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(o, true, StandardCharsets.UTF_8),
                    Map.of());
            assertEquals(3, code, "the shell's images says the same: " + o.toString(StandardCharsets.UTF_8));
        } finally {
            CloudTests.stopLocal(state);
        }
    }

    // ---- the pieces --------------------------------------------------------------------------------------

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    private String out() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    private ImageBaker baker() {
        return new ImageBaker(aws, new TestRecords(() -> registry), new ImageRecords(() -> registry), () -> fanout,
                ClusterKey.open(stateDir).publicKeyLine(), new TestTypes(),
                new Log(new PrintStream(logged, true, StandardCharsets.UTF_8)), new StatusLine() {
                    @Override
                    public void show(String text) {
                        shown.add(text);
                    }

                    @Override
                    public void clear() {
                    }
                });
    }

    private ImageBaker.Settings settings(Path checkout) {
        return ImageBaker.Settings.defaults(checkout, "test-build").with(BUILDER_TYPE, "self", "debian-12-amd64-*")
                .timeouts(Duration.ofSeconds(60), Duration.ofSeconds(60)).reach(this::builderOnLoopback);
    }

    /** The stock Debian image of the region, as moto can hold it: registered by this account, found by name. */
    private String registerBase() {
        List<Image> there = raw.describeImages(r -> r.owners("self").filters(f -> f.name("name").values(BASE_NAME))).images();
        return there.isEmpty() ? raw.registerImage(r -> r.name(BASE_NAME).rootDeviceName("/dev/xvda")).imageId()
                : there.get(0).imageId();
    }

    /** A checkout with the node scripts and an ami/bake.sh that installs stubs for the redis type, then runs {@code end}. */
    private Path checkout(String end) throws IOException {
        Path dir = Files.createDirectories(work.resolve("checkout"));
        Files.createDirectories(dir.resolve("scripts"));
        Files.writeString(dir.resolve("scripts").resolve("phone-home.sh"), "#!/bin/sh\n");
        Files.createDirectories(dir.resolve("ami"));
        Files.writeString(dir.resolve("ami").resolve("bake.sh"), """
                set -eu
                echo "bake.sh: installing the node tools"
                [ -f scripts/phone-home.sh ] || { echo "bake.sh: no scripts/phone-home.sh" >&2; exit 2; }
                mkdir -p bin
                for t in redis-server redis-cli redis-benchmark sadc; do printf '#!/bin/sh\\n' > bin/$t; chmod 755 bin/$t; done
                """ + end + "\n");
        return dir;
    }

    /** Set by a test that wants {@link #leaksWhileBaking} checked when the builder is up. */
    private List<String> leaksSeen;

    /**
     * The builder is a test like any other for {@code cluster.leaks()}: not a leak while its spotsh runs, a leak as
     * soon as the process recorded as its owner is gone (as after a crash), so {@code spotsh reap} would end it.
     * Returns what leaks() said in each case.
     */
    private List<String> leaksWhileBaking(Instance builder) {
        List<String> seen = new ArrayList<>();
        String test = builder.test();
        String owner = (String) registry.sql("SELECT owner_process FROM spotsh.tests WHERE name = ?", test).get(0)
                .get("owner_process");
        try (Cluster cluster = new Cluster(new Log(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)), () -> registry, p -> AwsTestKit.provider(moto.endpoint(), stateDir), (t, role, params) -> "",
                new TestTypes(), "aws", false)) {
            seen.add("alive:" + cluster.leaks().stream().map(l -> String.valueOf(l.get("instance_id"))).toList());
            String[] parts = owner.split(":", -1);
            parts[2] = "1"; // the same pid started at another time: that process is gone
            new TestRecords(() -> registry).setOwner(test, String.join(":", parts), false);
            seen.add("crashed:" + cluster.leaks().stream().map(l -> l.get("instance_id") + " " + l.get("why")).toList());
        } finally {
            new TestRecords(() -> registry).setOwner(test, owner, false);
        }
        return seen;
    }

    private CreateLaunchTemplateRequest lastTemplate() {
        List<CreateLaunchTemplateRequest> sent = calls.requests(CreateLaunchTemplateRequest.class);
        return sent.get(sent.size() - 1);
    }

    /**
     * Plays the builder over SSH, as its userdata says: serves the host key and authorizes the key from the
     * cloud-config EC2 was sent, runs commands with {@code /bin/sh} in its own home (a {@code sudo} that runs the
     * command, as Debian's passwordless sudo for {@code admin} does), SFTP rooted there.
     */
    private Target builderOnLoopback(Instance builder, String user, String hostKeyLine) {
        if (leaksSeen != null) {
            leaksSeen.addAll(leaksWhileBaking(builder));
        }
        try {
            String cloudConfig = userData(lastTemplate().launchTemplateData().userData());
            KeyPair hostKey = privateKey(cloudConfig);
            assertEquals(hostKeyLine, PublicKeyEntry.toString(hostKey.getPublic()), "the host key spotsh expects is the one it sent");
            PublicKey authorized = PublicKeyEntry.parsePublicKeyEntry(
                    cloudConfig.lines().dropWhile(l -> !l.startsWith("ssh_authorized_keys:")).skip(1).findFirst()
                            .orElseThrow().strip().substring(2)).resolvePublicKey(null, Map.of(), null);
            Path home = Files.createDirectories(work.resolve("builder-home"));
            Path shims = Files.createDirectories(work.resolve("builder-shims"));
            Files.writeString(shims.resolve("sudo"), "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n");
            shims.resolve("sudo").toFile().setExecutable(true);
            SshServer server = SshServer.setUpDefaultServer();
            server.setHost("127.0.0.1");
            server.setPort(0);
            server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
            server.setPublickeyAuthenticator((u, key, session) -> user.equals(u) && KeyUtils.compareKeys(key, authorized));
            String path = home.resolve("spotsh-bake").resolve("bin") + ":" + shims
                    + ":/usr/bin:/bin";
            server.setCommandFactory((channel, command) -> {
                builderExecs.incrementAndGet();
                return new ShellCommand("cd '" + home + "' && PATH='" + path + "' && export PATH && " + command,
                        "builder", "/bin/sh");
            });
            server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
            server.setFileSystemFactory(new VirtualFileSystemFactory(home));
            server.start();
            servers.add(server);
            return new Target("builder", "127.0.0.1", server.getPort(), user, hostKeyLine);
        } catch (Exception e) {
            throw new IllegalStateException("cannot play the builder over SSH: " + e.getMessage(), e);
        }
    }

    private static String userData(String base64) throws IOException {
        byte[] bytes = Base64.getDecoder().decode(base64);
        if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static KeyPair privateKey(String cloudConfig) throws Exception {
        String pem = cloudConfig.lines().dropWhile(l -> !l.contains("ed25519_private: |")).skip(1)
                .takeWhile(l -> l.startsWith("    ")).map(String::strip).collect(Collectors.joining("\n")) + "\n";
        try (InputStream in = new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))) {
            return SecurityUtils.loadKeyPairIdentities(null, null, in, null).iterator().next();
        }
    }

    private int spotsh(String... words) {
        List<String> args = new ArrayList<>(List.of("--state-dir", stateDir.root().toString(), "--provider", "aws",
                "--aws-endpoint", moto.endpoint().toString(), "--region", AwsTestKit.REGION));
        args.addAll(List.of(words));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int code = Main.run(args.toArray(String[]::new), System.in, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(o, true, StandardCharsets.UTF_8), Map.of());
        out = o.toString(StandardCharsets.UTF_8);
        return code;
    }
}
