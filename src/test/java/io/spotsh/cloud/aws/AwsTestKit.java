package io.spotsh.cloud.aws;

import io.spotsh.cloud.CloudTests;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.LaunchRequest;
import io.spotsh.cloud.Tags;
import io.spotsh.common.StateDir;
import io.spotsh.registry.EmbeddedServer;
import io.spotsh.registry.RegistrySettings;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Subnet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the aws provider's tests share. Credentials are dummies given to the SDK through system properties, the
 * SDK's profile files are empty temporary files and instance metadata is off, so no test can pick up a real
 * account; every endpoint is checked to be loopback before a provider or client is made.
 */
final class AwsTestKit {
    static final String REGION = "us-east-1";
    static final String TYPE = "m5d.xlarge";
    private static String ami;
    /** Every folder made here; deleted when the test JVM exits, a registry started in one stopped first. */
    private static final List<Path> FOLDERS = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AwsTestKit::deleteFolders, "aws-test-folders"));
        Path empty = tempDir("spotsh-aws-profiles");
        try {
            Files.writeString(empty.resolve("config"), "");
            Files.writeString(empty.resolve("credentials"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty("aws.configFile", empty.resolve("config").toString());
        System.setProperty("aws.sharedCredentialsFile", empty.resolve("credentials").toString());
        System.setProperty("aws.disableEc2Metadata", "true");
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
    }

    private AwsTestKit() {
    }

    /** A temporary folder deleted when the test JVM exits (a state folder's embedded registry stopped first). */
    static synchronized Path tempDir(String prefix) {
        Path dir = CloudTests.tempDir(prefix);
        FOLDERS.add(dir);
        return dir;
    }

    private static synchronized void deleteFolders() {
        for (Path dir : FOLDERS) {
            if (Files.isDirectory(dir.resolve("pgsql"))) {
                new EmbeddedServer(RegistrySettings.embedded(dir)).stop();
            }
            CloudTests.delete(dir);
        }
    }

    static MotoServer moto() {
        return MotoServer.get();
    }

    static void requireLoopback(URI endpoint) {
        assertTrue(endpoint != null && CallLog.loopback(endpoint.getHost()),
                "tests talk to moto on loopback only, not " + endpoint);
    }

    /** A provider on {@code endpoint}, with a {@link CallLog} first in line so nothing leaves loopback. */
    static AwsProvider provider(URI endpoint, StateDir stateDir, ExecutionInterceptor... more) {
        requireLoopback(endpoint);
        List<ExecutionInterceptor> interceptors = new ArrayList<>();
        interceptors.add(new CallLog());
        interceptors.addAll(List.of(more));
        AwsProvider p = AwsProvider.open(stateDir, AwsSettings.from(Map.of("endpoint", endpoint.toString(),
                "region", REGION)), interceptors);
        requireLoopback(p.endpoint());
        return p;
    }

    /** A plain SDK client for looking at moto behind the provider's back. */
    static Ec2Client raw(URI endpoint) {
        requireLoopback(endpoint);
        return Ec2Client.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new CallLog())).build();
    }

    /** A state directory with moto's first image recorded as the region's node image. */
    static StateDir stateDir(Ec2Client raw) {
        Path dir = tempDir("spotsh-aws-state");
        try {
            Files.createDirectories(dir.resolve("ami"));
            Files.writeString(dir.resolve("ami").resolve(REGION), "# baked by ami/bake.sh\n" + ami(raw) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new StateDir(dir);
    }

    static synchronized String ami(Ec2Client raw) {
        if (ami == null) {
            ami = raw.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
        }
        return ami;
    }

    /** Zone → its default subnet in moto (moto places an instance by its subnet, not by a zone override). */
    static Map<String, String> subnets(Ec2Client raw) {
        Map<String, String> out = new TreeMap<>();
        for (Subnet s : raw.describeSubnets().subnets()) {
            out.put(s.availabilityZone(), s.subnetId());
        }
        return out;
    }

    static LaunchRequest request(String test, String role, int count, String zone, Map<String, Object> options) {
        return request(test, role, count, zone, Instant.now().plus(Duration.ofHours(1)), options);
    }

    static LaunchRequest request(String test, String role, int count, String zone, Instant expires,
                                 Map<String, Object> options) {
        return new LaunchRequest(test, role, count, zone, TYPE, null, userData(test, role),
                Tags.of(test, role, "tester@ci", Instant.now(), expires), options);
    }

    static String userData(String test, String role) {
        return "#!/bin/sh\nSPOTSH_TEST='" + test + "'\nSPOTSH_ROLE='" + role + "'\nexec /opt/spotsh/scripts/phone-home.sh\n";
    }

    static List<String> ids(Collection<Instance> instances) {
        return instances.stream().map(Instance::id).toList();
    }

    /** Describes until every instance is in {@code state} or the timeout passes; returns the last look. */
    static List<Instance> await(AwsProvider p, Collection<String> ids, InstanceState state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Instance> now = p.describe(ids);
            if ((now.size() == ids.size() && now.stream().allMatch(i -> i.state() == state)) || System.nanoTime() > deadline) {
                return now;
            }
            MotoServer.sleep(200);
        }
    }

    static String unique(String base) {
        return base + "-" + Long.toString(System.nanoTime(), 36);
    }
}
