package io.spotsh.types.ycsb;

import io.spotsh.node.UserData;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the cassandra, mongodb and ycsb tests share: fixtures, /bin/sh runs, role scripts rendered as EC2 gets them. */
public final class TypeTests {
    public static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMA1PXf4Qo8ZR2dbJZ4ch1aB6tDy6Ul6bzwa6YRSK7fE x";
    public static final String URL = "postgresql://u:p@127.0.0.1:5432/db";

    private TypeTests() {
    }

    /** A file under src/test/resources/fixtures. */
    public static String fixture(String path) {
        try (InputStream in = TypeTests.class.getClassLoader().getResourceAsStream("fixtures/" + path)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record Ran(int status, String stdout, String stderr) {
    }

    /** Runs {@code /bin/sh args...} with only {@code env} (and a PATH) in its environment. */
    public static Ran sh(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("/bin/sh"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("sh " + args[0] + " did not finish");
            }
            return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The userdata EC2 would get for one role of a test of {@code type} with these parameters. */
    public static String render(String type, String role, Map<String, Object> params) {
        Map<String, String> values = new LinkedHashMap<>();
        params.forEach((k, v) -> values.put(k, String.valueOf(v)));
        return UserData.fromDirectory(Path.of("scripts"))
                .render(new UserData.Values("test-" + type, role, URL, KEY, values, Map.of(), type));
    }
}
