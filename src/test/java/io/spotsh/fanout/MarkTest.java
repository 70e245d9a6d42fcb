package io.spotsh.fanout;

import io.spotsh.fanout.ssh.LoopbackNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mark(text): sadc -C on every node, the text passed through the shell untouched, a clear error without sysstat. */
class MarkTest {
    @TempDir
    Path dir;

    @Test
    void aNodeWithoutSadcGetsAnErrorThatSaysWhatToDo() throws Exception {
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().sadcPaths(List.of("/nonexistent/sysstat/sadc")))) {
            RunResult result = fanout.mark(cluster.targets(), "Workload A finished.", RunOptions.defaults());

            NodeResult r = result.get("data-2");
            assertEquals(FailureStage.EXEC, r.getPhase());
            assertEquals("sysstat is not installed on data-2 (no /nonexistent/sysstat/sadc): "
                    + "apt-get install sysstat / bake it into the AMI", r.getError());
            CheckFailedException e = assertThrows(CheckFailedException.class, result::check);
            assertTrue(e.getMessage().contains("sysstat is not installed on data-1"), e.getMessage());
        }
    }

    @Test
    void theCommentReachesSadcVerbatim() throws Exception {
        Path sadc = dir.resolve("sadc");
        Files.writeString(sadc, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$(dirname \"$0\")/args-$NODE\"\n");
        Files.setPosixFilePermissions(sadc, PosixFilePermissions.fromString("rwxr-xr-x"));
        String text = "Workload A finished: it's $HOME `id` \"done\" \\ ; rm -rf /";
        try (LoopbackNodes cluster = LoopbackNodes.start(dir, 2);
             Fanout fanout = LoopbackNodes.fanout(cluster.settings().sadcPaths(List.of("/nonexistent/sadc", sadc.toString())))) {
            RunResult result = fanout.mark(cluster.targets(), text, RunOptions.defaults()).check();

            assertEquals(2, result.getOk().size());
            for (String node : List.of("data-1", "data-2")) {
                assertEquals(List.of("-L", "-C", text, "-"), Files.readAllLines(dir.resolve("args-" + node)));
            }
        }
    }

    @Test
    void aMarkIsOneLine() {
        assertThrows(FanoutException.class, () -> SysstatMark.command("two\nlines", FanoutSettings.SADC_PATHS));
        assertThrows(FanoutException.class, () -> SysstatMark.command(" ", FanoutSettings.SADC_PATHS));
    }
}
