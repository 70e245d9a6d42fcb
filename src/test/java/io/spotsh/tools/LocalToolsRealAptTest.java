package io.spotsh.tools;

import io.spotsh.common.Log;
import io.spotsh.common.StateDir;
import io.spotsh.types.Tool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real apt-get, as spotsh runs it for local nodes: GNU hello (tiny, needed by no test) installed and then
 * removed again. It changes the machine, so it runs only in CI (CI=true), where it must: as root on Debian.
 */
class LocalToolsRealAptTest {
    @Test
    void aMissingPackageIsInstalledWithAptGet(@TempDir Path state) throws Exception {
        Assumptions.assumeTrue("true".equals(System.getenv("CI")),
                "installs a Debian package on this machine: only in CI (CI=true)");
        Tool hello = new Tool("hello", "hello");
        Assumptions.assumeFalse(hello.isInstalled(), "hello is installed already: nothing to show");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        try {
            new LocalTools(new StateDir(state), true, new Log(new PrintStream(logged, true, StandardCharsets.UTF_8)))
                    .provide("greeting", List.of(hello), List.of());
            String log = logged.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("installing hello for the local nodes of greeting (apt-get) ..."), log);
            assertTrue(hello.isInstalled(), log);
            Process p = new ProcessBuilder("hello").redirectErrorStream(true).start();
            assertTrue(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("Hello, world!"));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            new ProcessBuilder("apt-get", "-q", "-y", "-o", "DPkg::Lock::Timeout=600", "remove", "hello")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(300, TimeUnit.SECONDS);
        }
        assertFalse(Files.exists(state.resolve("tools/hello")), "a Debian package goes to the system, not the tools folder");
    }
}
