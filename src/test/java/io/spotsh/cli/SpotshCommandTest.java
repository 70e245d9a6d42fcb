package io.spotsh.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as cron and scripts meet it: exit codes, one-line messages, arguments. */
class SpotshCommandTest {
    @TempDir
    Path dir;

    private String out;
    private String err;

    private int spotsh(String stdin, String... args) {
        return spotsh(Map.of(), stdin, args);
    }

    private int spotsh(Map<String, String> moreEnv, String stdin, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>(moreEnv);
        env.put("SPOTSH_HOME", dir.resolve("state").toString());
        int code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8), env);
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    private Path plan(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void successfulPlanExitsZeroAndSeesItsArguments() throws IOException {
        Path plan = plan("ok.groovy", "log \"sizing for ${args[0]} data nodes\"\nprintln args\n");
        assertEquals(0, spotsh("", "-f", plan.toString(), "300", "--keep"));
        assertTrue(out.matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d sizing for 300 data nodes\n\\[300, --keep]\n"), out);
        assertEquals("", err);
    }

    @Test
    void aMisspeltSshCryptoSettingStopsBeforeThePlanRuns() throws IOException {
        Path plan = plan("launch.groovy", "println 'plan ran'\ncluster.launch(name: 'never', dataNodes: 1)\n");
        assertEquals(2, spotsh(Map.of("SPOTSH_SSH_CRYPTO", "kex,fast"), "", "-f", plan.toString()));
        assertEquals("", out, "nothing of the plan ran");
        assertTrue(err.startsWith("spotsh: SPOTSH_SSH_CRYPTO: bad SSH crypto setting 'kex,fast': 'fast' is not a piece"),
                err);
        assertFalse(Files.exists(dir.resolve("state").resolve("local-cloud")), "no local cloud was started");
    }

    @Test
    void planThatThrowsExitsOneNamingFileAndLine() throws IOException {
        Path plan = plan("fails.groovy", "println 'phase 1'\n\nassert 1 + 1 == 3 : 'sanity check failed'\n");
        assertEquals(1, spotsh("", "-f", plan.toString()));
        assertTrue(out.contains("phase 1"));
        assertTrue(err.startsWith("spotsh: " + plan + ":3: "), err);
        assertTrue(err.contains("sanity check failed"), err);
        assertFalse(err.contains("\tat "), "no stack trace without --debug: " + err);
        assertEquals(1, err.strip().lines().count(), err);
    }

    @Test
    void planThatDoesNotCompileExitsTwoAndRunsNothing() throws IOException {
        Path marker = dir.resolve("ran");
        Path plan = plan("broken.groovy", "new File('" + marker + "').text = 'ran'\nprintln 'first'\n\ncluster.launch(name: 'x',, type: 'y')\n");
        assertEquals(2, spotsh("", "-f", plan.toString()));
        assertTrue(err.startsWith("spotsh: " + plan + ":4:"), err);
        assertFalse(Files.exists(marker), "a line before the syntax error ran");
        assertEquals("", out);
    }

    @Test
    void debugShowsTheTrace() throws IOException {
        Path plan = plan("fails.groovy", "throw new RuntimeException('boom')\n");
        assertEquals(1, spotsh("", "--debug", "-f", plan.toString()));
        assertTrue(err.contains("\tat "), err);
    }

    @Test
    void expressionPrintsItsResult() {
        assertEquals(0, spotsh("", "-e", "[1, 2, 3].sum()"));
        assertEquals("6\n", out);
        assertEquals(0, spotsh("", "-e", "println 1"));
        assertEquals("1\n", out);
    }

    @Test
    void expressionDoesNotStartTheRegistry() {
        assertEquals(0, spotsh("", "-e", "println 1"));
        assertFalse(Files.exists(dir.resolve("state/registry")), "the registry started for println 1");
    }

    @Test
    void scriptOnStandardInputRunsLikeAPlan() {
        assertEquals(0, spotsh("println \"from stdin ${args}\"\n", "--", "x"));
        assertEquals("from stdin [x]\n", out);
        assertEquals(2, spotsh("println (\n"));
        assertTrue(err.startsWith("spotsh: stdin:"), err);
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, spotsh("", "--no-such-option"));
        assertTrue(err.contains("--no-such-option"), err);
        assertEquals(2, spotsh("", "-f", dir.resolve("missing.groovy").toString()));
        assertTrue(err.contains("no such plan file"), err);
        assertEquals(2, spotsh("", "-f"));
    }

    @Test
    void noInstallComesFromTheOptionOrTheEnvironment() {
        assertTrue(SpotshCommand.install(false, Map.of()));
        assertFalse(SpotshCommand.install(true, Map.of()));
        assertFalse(SpotshCommand.install(false, Map.of("SPOTSH_NO_INSTALL", "1")));
        assertEquals(0, spotsh("", "--no-install", "-e", "println 1"), err);
        assertEquals(0, spotsh("", "--help"));
        assertTrue(out.contains("--no-install") && out.contains("SPOTSH_NO_INSTALL=1"), out);
    }

    @Test
    void toolsChecksWhatATypesLocalNodesRunAndInstallsNothingWhenAskedOnly() {
        assertEquals(2, spotsh("", "tools"));
        assertTrue(err.contains("usage: spotsh tools install|check TYPE") && err.contains("cassandra"), err);
        assertEquals(2, spotsh("", "tools", "check", "nosuchtype"));
        assertTrue(err.contains("unknown test type 'nosuchtype'"), err);
        // cassandra's Java bundles are not in this fresh state folder: check names them and fetches nothing
        assertEquals(2, spotsh("", "tools", "check", "cassandra"));
        assertTrue(err.startsWith("spotsh: test type cassandra") && err.contains("cassandra-5.0.6")
                && err.contains("ycsb-0.17.0-cql") && err.contains("'spotsh tools install cassandra' does"), err);
        assertFalse(Files.exists(dir.resolve("state/tools/cassandra-5.0.6")), "check installs nothing");
        assertEquals(2, spotsh("", "--no-install", "tools", "install", "cassandra"));
        assertFalse(Files.exists(dir.resolve("state/tools/cassandra-5.0.6")), "--no-install installs nothing");
    }

    @Test
    void helpListsTheExitCodes() {
        assertEquals(0, spotsh("", "--help"));
        assertTrue(out.contains("130") && out.contains("does not compile"), out);
        assertEquals(0, spotsh("", "--version"));
        assertTrue(out.startsWith("spotsh "), out);
    }
}
