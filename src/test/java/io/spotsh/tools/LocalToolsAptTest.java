package io.spotsh.tools;

import io.spotsh.common.BadInput;
import io.spotsh.common.Log;
import io.spotsh.common.StateDir;
import io.spotsh.types.Tool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian packages for local nodes, with a fake {@code apt-get} first on the PATH LocalTools runs it with: what it
 * is asked to install (one call, lock timeout, all packages), what happens when it fails, and when spotsh must not
 * or cannot install. The fake "installs" a package by creating {@code installed/<package>}, the tool's absolute path.
 */
class LocalToolsAptTest {
    @TempDir
    Path dir;
    private Path calls;
    private Path installed;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @BeforeEach
    void fakeAptGet() throws IOException {
        calls = dir.resolve("apt-calls");
        installed = Files.createDirectories(dir.resolve("installed"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // FAIL=1: a dpkg error; NEED_LISTS=1: no package lists until "update" ran
        Files.writeString(bin.resolve("apt-get"), """
                #!/bin/sh
                echo "$*" >> %1$s
                if [ "$DEBIAN_FRONTEND" != noninteractive ]; then echo "E: would ask questions"; exit 1; fi
                for a in "$@"; do last="$a"; done
                case "$*" in *" update"*) echo "Get:1 http://deb.debian.org/debian bookworm InRelease"; touch %2$s/.lists; exit 0;; esac
                if [ -f %2$s/.need-lists ] && [ ! -f %2$s/.lists ]; then echo "E: Unable to locate package $last"; exit 100; fi
                if [ -f %2$s/.fail ]; then
                  echo "Unpacking $last (1.0) ..."
                  echo "dpkg: error processing package $last (--configure):"
                  echo "E: Sub-process /usr/bin/dpkg returned an error code (1)"
                  exit 100
                fi
                seen=""
                for a in "$@"; do
                  if [ -n "$seen" ]; then touch %2$s/"$a"; chmod +x %2$s/"$a"; echo "Setting up $a (1.0) ..."; fi
                  if [ "$a" = --no-install-recommends ]; then seen=1; fi
                done
                """.formatted(calls, installed));
        Files.setPosixFilePermissions(bin.resolve("apt-get"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private LocalTools tools(boolean install, boolean root) {
        return tools(install, root, dir.resolve("bin") + ":/usr/bin:/bin");
    }

    private LocalTools tools(boolean install, boolean root, String path) {
        Map<String, String> env = Map.of("PATH", path);
        return new LocalTools(new StateDir(dir.resolve("state")), install, new Log(new PrintStream(logged, true,
                StandardCharsets.UTF_8)), env, root, new MavenArtifacts("/nonexistent/mvn"));
    }

    private List<Tool> needs() {
        return List.of(new Tool(installed.resolve("fake-server").toString(), "fake-server"),
                new Tool(installed.resolve("fake-tools").toString(), "fake-tools"),
                new Tool(installed.resolve("fake-tools").toString(), "fake-tools"),  // two commands of one package
                new Tool("sh", "dash"));
    }

    private String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    private List<String> aptCalls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    @Test
    void asRootOneAptGetInstallsEveryMissingPackageWaitingForItsLock() throws IOException {
        tools(true, true).provide("fake", needs(), List.of());

        assertEquals(List.of("-q -y -o DPkg::Lock::Timeout=" + LocalTools.APT_LOCK_TIMEOUT_SECONDS
                + " install --no-install-recommends fake-server fake-tools"), aptCalls());
        assertTrue(log().contains("installing fake-server fake-tools for the local nodes of fake (apt-get) ...\n"), log());
        assertTrue(log().contains("apt-get: Setting up fake-tools (1.0) ..."), "apt's progress is relayed: " + log());
        assertTrue(log().contains("installed fake-server fake-tools in "), log());

        tools(true, true).provide("fake", needs(), List.of());
        assertEquals(1, aptCalls().size(), "nothing is missing the second time: " + aptCalls());
    }

    @Test
    void withoutPackageListsAptGetUpdatesOnceAndInstallsAgain() throws IOException {
        Files.createFile(installed.resolve(".need-lists"));
        tools(true, true).provide("fake", needs(), List.of());

        List<String> verbs = aptCalls().stream().map(c -> c.contains(" update") ? "update" : "install").toList();
        assertEquals(List.of("install", "update", "install"), verbs);
        assertTrue(aptCalls().get(1).contains("-o DPkg::Lock::Timeout="), "update waits for the lock too: " + aptCalls());
        assertTrue(Files.exists(installed.resolve("fake-server")));
    }

    @Test
    void aFailedInstallNamesThePackagesAndAptsLastLines() throws IOException {
        Files.createFile(installed.resolve(".fail"));
        BadInput e = assertThrows(BadInput.class, () -> tools(true, true).provide("fake", needs(), List.of()));

        assertTrue(e.getMessage().startsWith("apt-get could not install fake-server fake-tools for the local nodes of fake;"
                + " nothing was launched"), e.getMessage());
        assertTrue(e.getMessage().contains("E: Sub-process /usr/bin/dpkg returned an error code (1)")
                && e.getMessage().contains("(apt-get exited with status 100)"), e.getMessage());
        assertEquals(1, aptCalls().size(), "a dpkg failure is not a want of package lists: " + aptCalls());
    }

    @Test
    void withNoInstallItOnlyNamesWhatIsMissing() throws IOException {
        BadInput e = assertThrows(BadInput.class, () -> tools(false, true).provide("fake", needs(), List.of()));

        assertTrue(e.getMessage().startsWith("test type fake runs its local nodes on this machine, which lacks "), e.getMessage());
        assertTrue(e.getMessage().contains("fake-server (apt-get install fake-server), ") && e.getMessage()
                .endsWith("fake-tools (apt-get install fake-tools); --no-install was given; nothing was launched"), e.getMessage());
        assertFalse(e.getMessage().contains("dash"), e.getMessage());
        assertEquals(List.of(), aptCalls());
    }

    @Test
    void notAsRootItSaysWhyAndHowInsteadOfInstalling() throws IOException {
        BadInput e = assertThrows(BadInput.class, () -> tools(true, false).provide("fake", needs(), List.of()));

        assertTrue(e.getMessage().contains("spotsh installs packages only as root (or install them: sudo apt-get install"
                + " fake-server fake-tools); nothing was launched"), e.getMessage());
        assertEquals(List.of(), aptCalls());
    }

    @Test
    void withoutAptGetItSaysSo() throws IOException {
        BadInput e = assertThrows(BadInput.class, () -> tools(true, true, dir.resolve("empty").toString())
                .provide("fake", needs(), List.of()));

        assertTrue(e.getMessage().contains("/installed/fake-server (apt-get install fake-server)")
                && e.getMessage().contains("there is no apt-get on PATH to install them with; nothing was launched"), e.getMessage());
    }
}
