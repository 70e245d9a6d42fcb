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
import java.util.List;
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

    /**
     * The field report's test under {@code --dry-run} (on a type moto has spot prices for): a table, one row per role, with what a person checks before
     * paying; the SDK requests (about 1,500 characters each) go to a file the output names, not to the screen.
     */
    @Test
    void dryRunPrintsATableAndKeepsTheRequestsInAFileAndLaunchesNothing() throws IOException {
        String name = AwsTestKit.unique("dry");
        Path results = stateDir.root().resolve("results-" + name);
        int code = spotsh("cluster.resultsDir = '" + results + "'\n"
                + "cluster.launch(name: '" + name + "', type: 'cassandra', dataNodes: 300, instanceType: '"
                + AwsTestKit.TYPE + "', maxPrice: 0.10)\nprintln 'AFTER LAUNCH'\n", "--dry-run");
        assertEquals(0, code, out);
        List<String> lines = out.lines().toList();
        int header = lines.stream().filter(l -> l.matches("\\S+ \\S+ role +count +instance type +zone +max \\$/h"
                + " +spot \\$/h now +on-demand \\$/h +check +image +tags")).findFirst().map(lines::indexOf).orElse(-1);
        assertTrue(header > 0, "a table header:\n" + out);
        String ami = AwsTestKit.ami(raw);
        String zone;
        try (AwsProvider aws = AwsTestKit.provider(moto.endpoint(), stateDir)) {
            zone = aws.zones(AwsTestKit.TYPE).get(0).name();
        }
        for (String role : List.of("data", "client")) {
            String row = lines.stream().filter(l -> l.matches("\\S+ \\S+ " + role + " .*")).findFirst().orElse("");
            String[] cells = row.substring(20).split(" {2,}");
            assertEquals(role, cells[0], row);
            assertEquals(AwsTestKit.TYPE, cells[2], row);
            assertEquals(zone, cells[3], "the cheapest zone: " + row);
            assertEquals("0.1000", cells[4], row);
            assertEquals("0.00001", cells[5], "moto's spot price now: " + row);
            assertEquals("unknown", cells[6], "EC2 does not tell on-demand prices: " + row);
            assertEquals("would succeed", cells[7], row);
            assertEquals(ami, cells[8], row);
            assertTrue(cells[9].startsWith("test=" + name + " role=" + role + " owner="), row);
        }
        String data = lines.stream().filter(l -> l.matches("\\S+ \\S+ data .*")).findFirst().orElseThrow();
        assertEquals("300", data.substring(20).split(" {2,}")[1], data);
        assertTrue(lines.stream().noneMatch(l -> l.length() > 400), "no request dumped on the screen:\n" + out);
        assertTrue(out.contains("dry run: on-demand price of " + AwsTestKit.TYPE + " unknown: the AWS Price List"),
                "moto has no Price List API: the table says unknown and the output why:\n" + out);
        assertTrue(out.contains("nothing launched") && out.contains("/h"), out);
        assertFalse(out.contains("AFTER LAUNCH"), "the plan must stop at a dry-run launch");

        Path file = results.resolve(name).resolve("dry-run-requests.txt").toAbsolutePath();
        assertTrue(out.contains("are in " + file), "the output names the file of requests:\n" + out);
        String requests = Files.readString(file);
        assertTrue(requests.contains("# data: would succeed") && requests.contains("# client: would succeed"), requests);
        assertTrue(requests.lines().filter(l -> l.startsWith("CreateLaunchTemplateRequest(")).count() == 2, requests);
        assertTrue(requests.contains("MinTargetCapacity=300") && requests.contains("MaxPrice=0.1"), requests);
        assertFalse(java.util.regex.Pattern.compile("UserData=[A-Za-z0-9+/=]{16}").matcher(requests).find(),
                "userdata carries the registry password: never in the file");
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
