package io.spotsh.cloud.aws;

import io.spotsh.cli.Main;
import io.spotsh.registry.EmbeddedServer;
import io.spotsh.registry.RegistrySettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The aws provider as an operator reaches it: {@code spotsh --provider aws ... -f plan}, against moto. */
class AwsCommandLineTest extends OnMoto {
    private String out;

    @AfterAll
    static void stopRegistry() {
        if (stateDir != null) {
            new EmbeddedServer(RegistrySettings.embedded(stateDir.root())).stop();
        }
    }

    private int spotsh(String plan, String... extra) throws IOException {
        Path file = Files.writeString(stateDir.root().resolve("plan-" + System.nanoTime() + ".groovy"), plan);
        String[] base = {"--state-dir", stateDir.root().toString(), "--provider", "aws", "--aws-endpoint",
            moto.endpoint().toString(), "--region", AwsTestKit.REGION};
        String[] args = new String[base.length + extra.length + 2];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        args[args.length - 2] = "-f";
        args[args.length - 1] = file.toString();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int code = Main.run(args, System.in, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(o, true, StandardCharsets.UTF_8), Map.of());
        out = o.toString(StandardCharsets.UTF_8);
        return code;
    }

    private long instancesOf(String test) {
        return raw.describeInstances(r -> r.filters(f -> f.name("tag:spotsh:test").values(test))).reservations().stream()
                .mapToLong(r -> r.instances().size()).sum();
    }

    @Test
    void dryRunPrintsTheRequestsAndCostAndLaunchesNothing() throws IOException {
        String name = AwsTestKit.unique("dry");
        int code = spotsh("cluster.launch(name: '" + name + "', dataNodes: 3, clientNodes: 1, instanceType: '"
                + AwsTestKit.TYPE + "')\nprintln 'AFTER LAUNCH'\n", "--dry-run");
        assertEquals(0, code, out);
        assertTrue(out.contains("dry run: 3 data") && out.contains("dry run: 1 client"), out);
        assertTrue(out.contains("nothing launched") && out.contains("/h"), out);
        assertFalse(out.contains("AFTER LAUNCH"), "the plan must stop at a dry-run launch");
        assertEquals(0, instancesOf(name));
    }

    @Test
    void unknownInstanceTypeIsOneLineExitTwoNothingLaunched() throws IOException {
        String name = AwsTestKit.unique("badtype");
        int code = spotsh("cluster.launch(name: '" + name + "', dataNodes: 2, clientNodes: 0, instanceType: 'q9.nonsense')\n");
        assertEquals(2, code, out);
        String error = out.lines().filter(l -> l.startsWith("spotsh: ")).findFirst().orElse("");
        assertTrue(error.contains("q9.nonsense"), out);
        assertFalse(out.contains("\tat "), out);
        assertEquals(0, instancesOf(name));
    }
}
