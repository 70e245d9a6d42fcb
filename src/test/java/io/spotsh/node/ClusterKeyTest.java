package io.spotsh.node;

import io.spotsh.cloud.CloudTests;
import io.spotsh.common.StateDir;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterKeyTest {
    private Path dir;

    @BeforeEach
    void setUp() {
        dir = CloudTests.tempDir("spotsh-key");
    }

    @AfterEach
    void tearDown() {
        CloudTests.delete(dir);
    }

    @Test
    void isMadeOnceAndReadBackTheSame() throws Exception {
        ClusterKey first = ClusterKey.open(new StateDir(dir));
        ClusterKey again = ClusterKey.open(new StateDir(dir));

        assertEquals(dir.resolve("keys/cluster_ed25519"), first.privateKeyPath());
        assertEquals(first.publicKeyLine(), again.publicKeyLine());
        assertTrue(first.publicKeyLine().startsWith("ssh-ed25519 AAAA"), first.publicKeyLine());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.privateKeyPath())));
        assertEquals(first.publicKeyLine(), Files.readString(first.publicKeyPath()).strip());
        assertTrue(first.toString().contains(first.fingerprint()) && !first.toString().contains("PRIVATE"));
    }

    @Test
    void sshjReadsThePrivateKey() throws Exception {
        ClusterKey key = ClusterKey.open(new StateDir(dir));
        try (SSHClient ssh = new SSHClient()) {
            KeyProvider keys = ssh.loadKeys(key.privateKeyPath().toString());
            byte[] blob = new Buffer.PlainBuffer().putPublicKey(keys.getPublic()).getCompactData();
            assertEquals(key.publicKeyLine().split(" ")[1], Base64.getEncoder().encodeToString(blob));
        }
    }

    @Test
    void openSshReadsThePrivateKey() {
        CloudTests.require("ssh-keygen", "checking the key file with OpenSSH");
        ClusterKey key = ClusterKey.open(new StateDir(dir));
        CloudTests.Result derived = CloudTests.run(dir, Map.of(), "ssh-keygen", "-y", "-f", key.privateKeyPath().toString());
        assertEquals(0, derived.status(), derived.output());
        assertEquals(key.publicKeyLine(), derived.output().strip());
    }

    @Test
    void racingOpenersAgreeOnOneKey() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> openers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                openers.add(() -> ClusterKey.open(new StateDir(dir)).publicKeyLine());
            }
            Set<String> lines = new HashSet<>();
            for (Future<String> f : pool.invokeAll(openers)) {
                lines.add(f.get());
            }
            assertEquals(1, lines.size(), lines.toString());
            assertEquals(lines.iterator().next(), ClusterKey.open(new StateDir(dir)).publicKeyLine());
            try (var files = Files.list(dir.resolve("keys"))) {
                assertEquals(List.of("cluster_ed25519", "cluster_ed25519.pub"),
                        files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files are left");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
