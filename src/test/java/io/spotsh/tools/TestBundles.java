package io.spotsh.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Installs {@link JavaBundle}s into {@code <stateDir>/tools/} for tests, as the JavaBundle contract says
 * (lib/ from Maven Central with mvn dependency:copy-dependencies, modules built with mvn package, complete(),
 * commands in tools/bin with @@DIR@@ replaced), with the machine's mvn and ~/.m2.
 */
public final class TestBundles {
    private TestBundles() {
    }

    /**
     * {@code TestBundles STATE_DIR TYPE}: installs test type TYPE's bundles into STATE_DIR/tools, for the benchmarks
     * that run spotsh itself on local nodes (scripts/bench/cassandra-local.sh) until spotsh installs them.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TestBundles STATE_DIR TYPE");
            System.exit(2);
        }
        install(Path.of(args[0]), new io.spotsh.types.TestTypes().get(args[1]).javaTools());
    }

    public static void install(Path stateDir, List<JavaBundle> bundles) throws IOException, InterruptedException {
        Path tools = Files.createDirectories(stateDir.resolve("tools"));
        Path bin = Files.createDirectories(tools.resolve("bin"));
        for (JavaBundle b : bundles) {
            Path dir = tools.resolve(b.name());
            Path lib = Files.createDirectories(dir.resolve("lib"));
            if (!b.artifacts().isEmpty()) {
                Path pom = Files.createTempDirectory("bundle-pom").resolve("pom.xml");
                StringBuilder deps = new StringBuilder();
                for (String a : b.artifacts()) {
                    String[] g = a.split(":");
                    deps.append("<dependency><groupId>").append(g[0]).append("</groupId><artifactId>").append(g[1])
                            .append("</artifactId><version>").append(g[2]).append("</version></dependency>");
                }
                Files.writeString(pom, "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                        + "<groupId>t</groupId><artifactId>t</artifactId><version>1</version><packaging>pom</packaging>"
                        + "<dependencies>" + deps + "</dependencies></project>");
                mvn(pom.getParent(), "dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory=" + lib);
            }
            for (String module : b.modules()) {
                Path src = Path.of("target/classes").resolve(module);
                Path work = Files.createTempDirectory("bundle-module");
                copyTree(src, work);
                mvn(work, "package", "dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory=" + lib);
                try (Stream<Path> jars = Files.list(work.resolve("target"))) {
                    for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                        Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            b.complete(dir);
            for (Map.Entry<String, String> c : b.commands().entrySet()) {
                Path script = bin.resolve(c.getKey());
                Files.writeString(script, c.getValue().replace("@@DIR@@", dir.toAbsolutePath().toString()));
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    private static void mvn(Path dir, String... goals) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q"));
        cmd.addAll(List.of(goals));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("mvn " + String.join(" ", goals) + " in " + dir + " failed:\n" + out);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            throw new IOException("no module folder " + from + " (build spotsh's resources first)");
        }
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
