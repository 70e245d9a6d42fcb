package io.spotsh.node;

import io.spotsh.cloud.CloudTests;
import io.spotsh.common.StateDir;
import io.spotsh.registry.Registry;
import io.spotsh.registry.RegistryTls;
import io.spotsh.registry.TestInfo;
import io.spotsh.types.redis.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserDataTest {
    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMA1PXf4Qo8ZR2dbJZ4ch1aB6tDy6Ul6bzwa6YRSK7fE spotsh-cluster";
    private static final String URL = "postgresql://spotsh_t1:s3cr3t@127.0.0.1:5432/spotsh";

    private Path dir;

    @BeforeEach
    void setUp() {
        dir = CloudTests.tempDir("spotsh-userdata");
    }

    @AfterEach
    void tearDown() {
        CloudTests.delete(dir);
    }

    /** A script past EC2's 16 KB goes gzipped (cloud-init unpacks it); one past that even gzipped is refused. */
    @Test
    void aLongScriptIsSentGzipped() throws Exception {
        String filler = "x".repeat(12_000);
        String script = CloudTests.userData().render(values(Map.of("filler", filler), Map.of(), "generic"));
        assertTrue(script.getBytes(StandardCharsets.UTF_8).length >= UserData.MAX_BYTES, "long enough to need it");
        byte[] sent = UserData.forEc2(script);
        assertTrue(sent.length < UserData.MAX_BYTES, "sent " + sent.length);
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(sent))) {
            assertEquals(script, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        String small = "#!/bin/sh\necho hello\n";
        assertEquals(small, new String(UserData.forEc2(small), StandardCharsets.UTF_8), "a script that fits goes as it is");

        StringBuilder noise = new StringBuilder();
        java.util.Random random = new java.util.Random(1);
        while (noise.length() < 40_000) {
            noise.append(Long.toString(random.nextLong(), 36));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CloudTests.userData().render(values(Map.of("noise", noise.toString()), Map.of(), "generic")));
        assertTrue(e.getMessage().contains("gzipped; EC2 takes less than 16384"), e.getMessage());
    }

    /**
     * With the registry's CA and every node script, as a test's nodes get it, what EC2 is sent fits its 16 KB (the
     * script has outgrown it raw, about 16.7 KB, so it goes gzipped, which cloud-init unpacks).
     */
    @Test
    void rendersOneCompactPosixScriptUnderTheEc2Limit() {
        String ca = RegistryTls.ensure(dir.resolve("tls"), List.of("127.0.0.1", "localhost")).caPem();
        String script = CloudTests.userData().render(new UserData.Values("t1", "data", URL + "?sslmode=verify-full", KEY,
                Map.of("rf", "3"), Map.of(), "generic", ca));
        assertTrue(script.startsWith("#!/bin/sh\n"), script.substring(0, 40));
        assertTrue(UserData.forEc2(script).length < UserData.MAX_BYTES, "sent " + UserData.forEc2(script).length);
        assertTrue(UserData.forEc2(script).length < UserData.MAX_BYTES / 2, "gzipped it has room to grow: "
                + UserData.forEc2(script).length);
        assertTrue(script.contains(ca.strip()), "the CA goes along");
        assertTrue(script.contains("SELECT spotsh.register("), "phone-home.sh is inlined");
        assertTrue(script.contains("mkfs.ext4"), "discover-storage.sh is inlined");
        assertTrue(script.contains("SPOTSH_PARAM_RF='3'"), script);
        assertTrue(script.lines().noneMatch(l -> (l.strip().startsWith("#") && !l.startsWith("#!")) || l.isBlank()),
                "comment and blank lines are left out");
        assertFalse(script.contains("@@"), "every placeholder is filled");
    }

    @Test
    void theScriptIsValidShellForDash() throws IOException {
        CloudTests.require("dash", "the userdata must run under a plain POSIX sh");
        Path file = dir.resolve("userdata.sh");
        Files.writeString(file, CloudTests.userData().render(values(trickyParams(), Map.of(), "generic")));
        CloudTests.Result check = CloudTests.run(dir, Map.of(), "dash", "-n", file.toString());
        assertEquals(0, check.status(), check.output());
    }

    @Test
    void aValueThatEqualsTheHereDocumentEndGetsAnotherDelimiter() {
        String script = CloudTests.userData().render(values(Map.of("x", "a\nSPOTSH_EOF\nb"), Map.of(), null));
        assertTrue(script.contains("<<'SPOTSH_EOF_1'"), "a delimiter no value contains");
        assertFalse(script.contains("<<'SPOTSH_EOF'\n"), script);
    }

    @Test
    void theSecretNeverShowsInToString() {
        UserData.Values v = values(Map.of(), Map.of(), null);
        assertFalse(v.toString().contains("s3cr3t"), v.toString());
        assertTrue(v.toString().contains("registrationUrl=***"), v.toString());
    }

    @Test
    void refusesValuesItCannotCarry() {
        UserData userData = CloudTests.userData();
        assertThrows(IllegalArgumentException.class, () -> userData.render(
                new UserData.Values("t\n1", "data", URL, KEY, Map.of(), Map.of(), null)));
        assertThrows(IllegalArgumentException.class, () -> userData.render(
                new UserData.Values("t1", "data", URL, "not a key", Map.of(), Map.of(), null)));
        assertThrows(IllegalArgumentException.class, () -> userData.render(values(Map.of(), Map.of("BAD-NAME", "x"), null)));
        assertThrows(IllegalArgumentException.class, () -> userData.render(values(Map.of(), Map.of("SPOTSH_ROOT", "/"), null)));
        assertThrows(IllegalArgumentException.class, () -> userData.render(values(Map.of("a.b", "1", "a-b", "2"), Map.of(), null)));
        assertThrows(IllegalArgumentException.class, () -> userData.render(values(Map.of(), Map.of(), "no-such-role")));
        IllegalArgumentException notPem = assertThrows(IllegalArgumentException.class, () -> userData.render(
                new UserData.Values("t1", "data", URL, KEY, Map.of(), Map.of(), null, "-----BEGIN PRIVATE KEY-----\nx")));
        assertTrue(notPem.getMessage().contains("registryCa must be PEM certificates"), notPem.getMessage());
    }

    @Test
    void theClasspathCarriesTheNodeScriptsOfThisTree() throws IOException {
        UserData.Scripts classpath = name -> {
            try (var in = UserData.class.getClassLoader().getResourceAsStream("node-scripts/" + name)) {
                return in == null ? null : new String(in.readAllBytes());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        for (String name : List.of("phone-home.sh", "discover-storage.sh", "userdata.sh.tmpl", "roles/generic.sh")) {
            String packaged = classpath.read(name);
            org.junit.jupiter.api.Assumptions.assumeTrue(packaged != null,
                    "the build does not copy scripts/" + name + " into node-scripts/ yet (pom.xml resources)");
            assertEquals(Files.readString(CloudTests.SCRIPTS.resolve(name)), packaged, name);
        }
    }

    /** The whole boot as a node runs it: dash, a metadata folder, the real registry, the generic role. */
    @Test
    void aNodeBootsFromAMetadataFolderAndRegisters() throws IOException {
        Registry registry = nodeRegistry();
        String testName = "ud-" + System.nanoTime();
        TestInfo test = registry.createTest(testName, "generic", "local", Map.of(), null);
        registry.recordInstances(testName, "data", List.of("i-0123456789abcdef0"), null);
        Path root = Files.createDirectories(dir.resolve("node"));
        KeyPair hostKey = SshKeys.generateEd25519();
        SshKeys.write(hostKey, "root@node", root.resolve("etc/ssh/ssh_host_ed25519_key"), true);
        Map<String, String> params = trickyParams();

        CloudTests.Result boot = boot(root, "i-0123456789abcdef0", "127.100.200.7", new UserData.Values(testName,
                "data", test.registrationUrl().uri(), KEY, params, Map.of("SPOTSH_PHONE_HOME_TIMEOUT", "60"), "generic",
                test.registrationUrl().caCertificate()));

        String bootLog = Files.readString(root.resolve("var/log/spotsh-boot.log"));
        assertEquals(0, boot.status(), boot.output() + "\n" + bootLog);
        assertEquals("ok", Files.readString(root.resolve("etc/spotsh/boot-status")).strip());
        List<Map<String, Object>> nodes = registry.nodes(testName);
        assertEquals(1, nodes.size(), nodes.toString());
        assertEquals("i-0123456789abcdef0", nodes.get(0).get("instance_id"));
        assertEquals("127.100.200.7", nodes.get(0).get("ip"));
        assertEquals(SshKeys.fingerprint(hostKey.getPublic()), nodes.get(0).get("host_key"));
        assertEquals("1", Files.readString(root.resolve("etc/spotsh/node-number")).strip());
        assertTrue(Files.readString(root.resolve("root/.ssh/authorized_keys")).contains(KEY));
        assertEquals(root.resolve("disks/ephemeral1"), Files.readSymbolicLink(root.resolve("mnt/ephemeral1")));
        assertTrue(Files.readString(root.resolve("var/lib/spotsh/ready")).startsWith("node 1 role data test " + testName));

        Path env = root.resolve("etc/spotsh/env");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
        for (Map.Entry<String, String> p : params.entrySet()) {
            String var = UserData.paramVariable(p.getKey());
            CloudTests.Result read = CloudTests.run(dir, Map.of(), "dash", "-c", ". \"$1\" && printf '%s' \"$" + var + "\"",
                    "sh", env.toString());
            assertEquals(p.getValue(), read.output(), var);
        }
        assertFalse(Files.exists(dir.resolve("pwned")), "no value was ever evaluated");
        // what the node phoned home with: TLS checked in full, against the registry's CA written next to env
        CloudTests.Result tls = CloudTests.run(dir, Map.of(), "dash", "-c",
                ". \"$1\" && printf '%s\\n%s' \"${SPOTSH_REGISTRY_URL#*\\?}\" \"$SPOTSH_REGISTRY_CA\"", "sh", env.toString());
        assertEquals("sslmode=verify-full\n" + root.resolve("etc/spotsh/registry-ca.crt"), tls.output());
        assertEquals(test.registrationUrl().caCertificate().strip(),
                Files.readString(root.resolve("etc/spotsh/registry-ca.crt")).strip());
        assertTrue(bootLog.matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+\\d+s boot: test .*"), bootLog);
        assertTrue(bootLog.contains("registered as data node 1") && bootLog.contains("boot finished"), bootLog);
        String password = test.registrationUrl().uri().replaceAll("^postgresql://[^:]*:([^@]*)@.*$", "$1");
        assertFalse(bootLog.contains(password) || boot.output().contains(password), "the password is never logged");
    }

    /**
     * {@code port: 6379.0} (a Groovy BigDecimal) goes the launch's way: the type checks it, the registry stores it,
     * {@link NodeUserData} renders it; the node's env file has {@code 6379}, which is what redis.conf gets.
     */
    @Test
    void aParameterReachesTheNodesEnvInItsCheckedForm() throws IOException {
        Registry registry = nodeRegistry();
        Map<String, Object> params = new Redis().params(Map.of("data", 3, "client", 1),
                Map.of("port", new BigDecimal("6379.0"), "requests", 1e6));
        TestInfo test = registry.createTest("ud-params-" + System.nanoTime(), "redis", "local", params, null);
        String script = new NodeUserData(new StateDir(dir.resolve("state"))).render(test, "data", test.params());
        assertTrue(script.contains("SPOTSH_PARAM_PORT='6379'\n") && !script.contains("6379.0"), "rendered as checked");

        Path root = Files.createDirectories(dir.resolve("node"));
        Path noMetadata = Files.createDirectories(dir.resolve("empty-meta-data"));
        Path file = Files.writeString(dir.resolve("userdata.sh"), script);
        // no instance-id: the boot stops at its metadata step, once the env file is written
        CloudTests.Result boot = CloudTests.run(dir, Map.of("SPOTSH_ROOT", root.toString(), "SPOTSH_METADATA_DIR",
                noMetadata.toString()), "dash", file.toString());
        assertEquals("failed: metadata: no instance-id", Files.readString(root.resolve("etc/spotsh/boot-status")).strip(),
                boot.output());
        Path env = root.resolve("etc/spotsh/env");
        CloudTests.Result read = CloudTests.run(dir, Map.of(), "dash", "-c",
                ". \"$1\" && printf '%s %s' \"$SPOTSH_PARAM_PORT\" \"$SPOTSH_PARAM_REQUESTS\"", "sh", env.toString());
        assertEquals("6379 1000000", read.output());
    }

    @Test
    void aRefusedPhoneHomeFailsTheBootAndSaysSo() throws IOException {
        Registry registry = nodeRegistry();
        String testName = "ud-refused-" + System.nanoTime();
        String url = registry.createTest(testName, "generic", "local", Map.of(), null).registrationUrl().uri();
        String wrong = url.replaceAll("^(postgresql://[^:]*:)[^@]*@", "$1wrong-password@");
        Path root = Files.createDirectories(dir.resolve("node"));

        CloudTests.Result boot = boot(root, "i-0aaaaaaaaaaaaaaaa", "127.100.200.8", new UserData.Values(testName, "data",
                wrong, KEY, Map.of(), Map.of(), null, registry.test(testName).registrationUrl().caCertificate()));

        assertEquals(1, boot.status(), boot.output());
        assertTrue(Files.readString(root.resolve("var/log/spotsh-boot.log")).contains("password authentication failed"));
        assertTrue(Files.readString(root.resolve("etc/spotsh/boot-status")).startsWith("failed: phone-home (exit status 3)"));
        assertTrue(registry.nodes(testName).isEmpty());
    }

    @Test
    void storageDiscoveryLinksFolderDisksAndReportsWhatIsMissing() throws IOException {
        Path root = Files.createDirectories(dir.resolve("node"));
        Path disk = Files.createDirectories(root.resolve("disks/ephemeral0"));
        Path mapping = dir.resolve("mapping");
        Files.writeString(mapping, "ephemeral0 " + disk + "\nephemeral1 " + root.resolve("disks/missing") + "\nami sda1\n");

        CloudTests.Result result = CloudTests.run(dir, Map.of("SPOTSH_ROOT", root.toString()), "sh",
                CloudTests.SCRIPTS.resolve("discover-storage.sh").toString(), mapping.toString());

        assertEquals(1, result.status(), result.output());
        assertTrue(result.output().contains("ephemeral0 " + root.resolve("mnt/ephemeral0")), result.output());
        assertTrue(result.output().contains("ephemeral1: " + root.resolve("disks/missing") + " is not a folder"), result.output());
        assertEquals(disk, Files.readSymbolicLink(root.resolve("mnt/ephemeral0")));
    }

    private static Registry nodeRegistry() {
        CloudTests.require("dash", "the userdata must run under a plain POSIX sh");
        CloudTests.require("psql", "phone-home.sh registers with psql");
        return CloudTests.registry();
    }

    /** Renders the userdata and runs it under dash as the local cloud would, with a metadata folder in root. */
    private CloudTests.Result boot(Path root, String id, String ip, UserData.Values values) throws IOException {
        writeMetadata(root.resolve("meta-data"), root, id, ip);
        Path script = Files.writeString(dir.resolve("userdata.sh"), CloudTests.userData().render(values));
        // in a session of its own, ended afterwards: userdata leaves the interruption watcher running, as on a node
        ProcessBuilder pb = new ProcessBuilder("setsid", "dash", script.toString()).directory(dir.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(Map.of("SPOTSH_ROOT", root.toString(), "SPOTSH_METADATA_DIR", root.resolve("meta-data").toString()));
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            return new CloudTests.Result(p.waitFor(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            // not started as a group leader, setsid runs dash itself: its pid is the session's group
            new ProcessBuilder("kill", "-s", "KILL", "--", "-" + p.pid()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
    }

    private static void writeMetadata(Path meta, Path root, String id, String ip) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("instance-id", id);
        files.put("local-ipv4", ip);
        files.put("local-hostname", "ip-" + ip.replace('.', '-') + ".local");
        files.put("placement/availability-zone", "local-a");
        for (int d = 0; d < 2; d++) {
            files.put("block-device-mapping/ephemeral" + d, Files.createDirectories(root.resolve("disks/ephemeral" + d)).toString());
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path file = meta.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, f.getValue() + "\n");
        }
    }

    private Map<String, String> trickyParams() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("quote", "it's \"quoted\"");
        params.put("spaces", "  two  spaces  ");
        params.put("subst", "$(touch " + dir.resolve("pwned") + ") `touch " + dir.resolve("pwned") + "` $HOME");
        params.put("lines", "first\nsecond\\n");
        params.put("record.count", "1000000");
        return params;
    }

    private static UserData.Values values(Map<String, String> params, Map<String, String> env, String setup) {
        return new UserData.Values("t1", "data", URL, KEY, params, env, setup);
    }
}
