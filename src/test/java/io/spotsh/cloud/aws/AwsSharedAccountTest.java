package io.spotsh.cloud.aws;

import io.spotsh.cli.Main;
import io.spotsh.common.StateDir;
import io.spotsh.registry.EmbeddedServer;
import io.spotsh.registry.RegistrySettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 as it was filed: two operators, each with a state folder of their own (so two embedded registries),
 * one EC2 account (one moto). Operator A launches a test with {@code ttl: '2h', keep: true}; operator B runs
 * {@code spotsh reap}. B must leave A's live instances alone, may end one of A's whose {@code spotsh:expires}
 * has passed, lists A's as foreign with {@code --dry-run --all} / {@code leaks(all: true)}, and goes on past a
 * tag it cannot read. Time passing is played by re-tagging A's instances behind spotsh's back.
 */
class AwsSharedAccountTest extends OnMoto {
    private static final String WEST = "us-west-2";
    private static StateDir a;
    private static StateDir b;
    private String out;

    @BeforeAll
    static void twoOperators() throws IOException {
        a = AwsTestKit.stateDir(raw);
        b = AwsTestKit.stateDir(raw);
        try (Ec2Client west = rawIn(WEST)) {
            String ami = west.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
            Files.writeString(a.root().resolve("ami").resolve(WEST), ami + "\n");
        }
    }

    @AfterAll
    static void stopRegistries() {
        for (StateDir dir : new StateDir[] {a, b}) {
            if (dir != null) {
                new EmbeddedServer(RegistrySettings.embedded(dir.root())).stop();
            }
        }
    }

    private static Ec2Client rawIn(String region) {
        AwsTestKit.requireLoopback(moto.endpoint());
        return Ec2Client.builder().endpointOverride(moto.endpoint()).region(Region.of(region))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new CallLog())).build();
    }

    /** {@code spotsh} as operator {@code dir} runs it, in {@code region}; the output lands in {@link #out}. */
    private int spotsh(StateDir dir, String region, String... args) {
        List<String> all = new ArrayList<>(List.of("--state-dir", dir.root().toString(), "--provider", "aws",
                "--aws-endpoint", moto.endpoint().toString(), "--region", region));
        all.addAll(List.of(args));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int code = Main.run(all.toArray(String[]::new), System.in, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(o, true, StandardCharsets.UTF_8), Map.of());
        out = o.toString(StandardCharsets.UTF_8);
        return code;
    }

    private int plan(StateDir dir, String region, String plan) throws IOException {
        Path file = Files.writeString(dir.root().resolve("plan-" + System.nanoTime() + ".groovy"), plan);
        return spotsh(dir, region, "-f", file.toString());
    }

    private String registryId(StateDir dir) throws IOException {
        assertEquals(0, plan(dir, AwsTestKit.REGION, "println 'REGISTRY ' + registry.id()\n"), out);
        return out.lines().filter(l -> l.startsWith("REGISTRY ")).findFirst().orElseThrow().substring(9).trim();
    }

    /** Operator A launches a kept 3-node test with a 2 h ttl, as in the issue; returns its instances' ids. */
    private List<String> aLaunches(String name, String region) throws IOException {
        int code = plan(a, region, "cluster.launch(name: '" + name + "', dataNodes: 3, clientNodes: 0, instanceType: '"
                + AwsTestKit.TYPE + "', az: '" + region + "a', ttl: '2h', keep: true)\n");
        assertEquals(0, code, out);
        List<String> ids = instancesOf(region, name).stream().map(Instance::instanceId).toList();
        assertEquals(3, ids.size(), out);
        return ids;
    }

    private static List<Instance> instancesOf(String region, String test) {
        try (Ec2Client ec2 = rawIn(region)) {
            return ec2.describeInstances(r -> r.filters(f -> f.name("tag:spotsh:test").values(test))).reservations()
                    .stream().flatMap(r -> r.instances().stream()).toList();
        }
    }

    private static Map<String, String> states(String test) {
        return instancesOf(AwsTestKit.REGION, test).stream()
                .collect(Collectors.toMap(Instance::instanceId, i -> i.state().nameAsString()));
    }

    /** Sets a tag behind spotsh's back: time passing, or someone editing tags by hand. */
    private static void tag(String id, String key, String value) {
        raw.createTags(r -> r.resources(id).tags(Tag.builder().key(key).value(value).build()));
    }

    private void aEnds(String name) throws IOException {
        assertEquals(0, plan(a, AwsTestKit.REGION, "cluster.use('" + name + "')\ncluster.terminate()\n"), out);
    }

    @Test
    void bsReapLeavesAsLiveTestAlone() throws IOException {
        String aId = registryId(a);
        assertNotEquals(aId, registryId(b), "each registry has an id of its own");
        String name = AwsTestKit.unique("a-live");
        List<String> ids = aLaunches(name, AwsTestKit.REGION);
        for (Instance i : instancesOf(AwsTestKit.REGION, name)) {
            assertTrue(i.tags().contains(Tag.builder().key("spotsh:registry").value(aId).build()), i.tags().toString());
        }

        assertEquals(0, spotsh(b, AwsTestKit.REGION, "reap"), out);

        assertTrue(out.contains("aws: 0 leaked instances found, 0 terminated, 0 left"), out);
        assertEquals(Map.of(ids.get(0), "running", ids.get(1), "running", ids.get(2), "running"), states(name));
        aEnds(name);
        assertTrue(states(name).values().stream().allMatch("terminated"::equals), "A still ends its own: " + out);
    }

    @Test
    void bsReapEndsAsExpiredInstanceAndOnlyThatOne() throws IOException {
        String aId = registryId(a);
        String name = AwsTestKit.unique("a-expired");
        List<String> ids = aLaunches(name, AwsTestKit.REGION);
        tag(ids.get(0), "spotsh:expires", Instant.now().minus(Duration.ofMinutes(1)).toString());

        assertEquals(0, spotsh(b, AwsTestKit.REGION, "reap"), out);

        assertTrue(out.contains("aws: 1 leaked instances found, 1 terminated, 0 left"), out);
        assertTrue(out.contains("Reaping " + ids.get(0) + " of test " + name + ": expired, of registry " + aId), out);
        assertEquals(Map.of(ids.get(0), "terminated", ids.get(1), "running", ids.get(2), "running"), states(name));
        aEnds(name);
    }

    @Test
    void bListsAsInstancesAsForeignWithTheirOwnerAndExpiry() throws IOException {
        String aId = registryId(a);
        String name = AwsTestKit.unique("a-foreign");
        List<String> ids = aLaunches(name, AwsTestKit.REGION);

        assertEquals(0, plan(b, AwsTestKit.REGION, "cluster.leaks(all: true).findAll { it.test == '" + name + "' }.each {"
                + " println 'ROW ' + [it.instance_id, it.verdict, it.registry, it.owner, it.expires].join(' ') }\n"
                + "println 'LEAKS ' + cluster.leaks().size()\n"), out);

        List<String> rows = out.lines().filter(l -> l.startsWith("ROW ")).toList();
        assertEquals(3, rows.size(), out);
        for (String row : rows) {
            String[] f = row.split(" ");
            assertTrue(ids.contains(f[1]), row);
            assertEquals("foreign", f[2], row);
            assertEquals(aId, f[3], row);
            assertTrue(f[4].contains("@"), "the owner, user@host: " + row);
            assertTrue(Instant.parse(f[5]).isAfter(Instant.now().plus(Duration.ofMinutes(100))), "the 2 h expiry: " + row);
        }
        assertTrue(out.contains("LEAKS 0"), "leaks() without all: nothing of B's to end: " + out);

        assertEquals(0, spotsh(b, AwsTestKit.REGION, "reap", "--dry-run", "--all"), out);
        assertTrue(ids.stream().allMatch(out::contains) && out.contains("foreign") && out.contains(aId), out);
        assertTrue(out.contains("3 foreign (left alone)"), out);

        assertEquals(2, spotsh(b, AwsTestKit.REGION, "reap", "--all"), out);
        assertTrue(out.contains("--all") && out.contains("--dry-run"), "says --all needs --dry-run: " + out);
        assertEquals(3, states(name).values().stream().filter("running"::equals).count());
        aEnds(name);
    }

    @Test
    void aMalformedExpiryTagIsReportedAndTheReapGoesOn() throws IOException {
        String name = AwsTestKit.unique("a-garbled");
        List<String> ids = aLaunches(name, AwsTestKit.REGION);
        tag(ids.get(0), "spotsh:expires", "next tuesday");
        tag(ids.get(1), "spotsh:expires", Instant.now().minus(Duration.ofMinutes(1)).toString());

        assertEquals(0, spotsh(b, AwsTestKit.REGION, "reap"), out);

        assertTrue(out.contains(ids.get(0) + " (test " + name + ", us-east-1): malformed spotsh:expires tag 'next tuesday'"),
                out);
        assertTrue(out.contains("1 terminated, 0 left, 1 skipped"), out);
        assertEquals(Map.of(ids.get(0), "running", ids.get(1), "terminated", ids.get(2), "running"), states(name));
        aEnds(name);
        assertTrue(states(name).values().stream().allMatch("terminated"::equals), "its own registry still ends it");
    }

    @Test
    void reapLooksInEveryRegionItsRegistryLaunchedIn() throws IOException {
        String name = AwsTestKit.unique("a-west");
        List<String> ids = aLaunches(name, WEST);
        assertEquals(0, plan(a, AwsTestKit.REGION, "registry.finishTest('" + name + "', 'finished')\n"), out);

        assertEquals(0, spotsh(b, AwsTestKit.REGION, "reap"), out);
        assertTrue(instancesOf(WEST, name).stream().allMatch(i -> i.state().nameAsString().equals("running")),
                "B never launched in " + WEST + " and A's test is not B's to end");

        assertEquals(0, spotsh(a, AwsTestKit.REGION, "reap"), out);

        assertTrue(out.contains("regions us-east-1, " + WEST), out);
        assertTrue(out.contains("aws: 3 leaked instances found, 3 terminated, 0 left"), out);
        assertEquals(ids.size(), instancesOf(WEST, name).stream()
                .filter(i -> i.state().nameAsString().equals("terminated")).count());
    }
}
