package io.spotsh.tools;

import io.spotsh.common.BadInput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Java programs from Maven Central through the {@code mvn} command spotsh already needs: Maven resolves, downloads
 * and verifies ({@code --strict-checksums}) them, and the user's {@code ~/.m2} is the cache, so a second
 * resolution needs no network.
 *
 * <pre>{@code
 * new MavenArtifacts().resolve("hdr", List.of("org.hdrhistogram:HdrHistogram:2.1.12"), lib, work, line -> {});
 * }</pre>
 */
public final class MavenArtifacts {
    /** Pinned, so the same spotsh resolves the same way wherever it runs. */
    static final String COPY_DEPENDENCIES = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies";
    private static final Pattern COORDINATES = Pattern.compile("[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.+-]+");

    private final String mvn;
    private final AtomicInteger runs = new AtomicInteger();

    public MavenArtifacts() {
        this("mvn");
    }

    /** @param mvn the Maven command (on PATH, or a path) */
    public MavenArtifacts(String mvn) {
        this.mvn = mvn;
    }

    /** How many times Maven ran: what a test observes to see a second provide did no resolution. */
    public int runs() {
        return runs.get();
    }

    /**
     * Copies the artifacts with their runtime dependencies into {@code lib}, using {@code work} (created, left for
     * the caller to delete) for the generated pom. A malformed or unresolvable artifact is a {@link BadInput}
     * naming it, with the tail of Maven's output.
     */
    public void resolve(String bundle, List<String> coordinates, Path lib, Path work, Consumer<String> progress)
            throws IOException {
        StringBuilder dependencies = new StringBuilder();
        for (String c : coordinates) {
            if (!COORDINATES.matcher(c).matches()) {
                throw new BadInput(bundle + ": '" + c + "' is not Maven coordinates groupId:artifactId:version");
            }
            String[] gav = c.split(":");
            dependencies.append("    <dependency><groupId>").append(gav[0]).append("</groupId><artifactId>")
                    .append(gav[1]).append("</artifactId><version>").append(gav[2]).append("</version></dependency>\n");
        }
        Files.createDirectories(work);
        Files.writeString(work.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>io.spotsh.tools</groupId>
                  <artifactId>%s</artifactId>
                  <version>1</version>
                  <packaging>pom</packaging>
                  <dependencies>
                %s  </dependencies>
                </project>
                """.formatted(bundle.replaceAll("[^A-Za-z0-9_.-]", "_"), dependencies));
        List<String> failed = run(work, progress, COPY_DEPENDENCIES, "-DincludeScope=runtime",
                "-DoutputDirectory=" + lib.toAbsolutePath());
        if (failed != null) {
            List<String> named = coordinates.stream().filter(c -> mentions(failed, c)).toList();
            throw new BadInput("cannot resolve " + String.join(", ", named.isEmpty() ? coordinates : named)
                    + " (for " + bundle + ") from Maven Central:\n  " + String.join("\n  ", failed));
        }
    }

    /**
     * Builds a Maven project shipped as the classpath resource folder {@code module} (in {@code target/classes} or
     * inside spotsh's jar) in {@code work}, and copies its jar and runtime dependencies into {@code lib}.
     */
    public void build(String bundle, String module, Path lib, Path work, Consumer<String> progress) throws IOException {
        Path project = work.resolve(Path.of(module).getFileName().toString());
        copyResourceFolder(module, project);
        List<String> failed = run(project, progress, "-DskipTests", "package", COPY_DEPENDENCIES,
                "-DincludeScope=runtime", "-DoutputDirectory=" + lib.toAbsolutePath());
        if (failed != null) {
            throw new BadInput("cannot build " + module + " (for " + bundle + ") with mvn:\n  " + String.join("\n  ", failed));
        }
        try (Stream<Path> built = Files.list(project.resolve("target"))) {
            for (Path jar : built.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.copy(jar, lib.resolve(jar.getFileName()));
            }
        }
    }

    /** Whether Maven's output names these coordinates (it writes them as group:artifact:jar:version). */
    private static boolean mentions(List<String> lines, String coordinates) {
        String[] gav = coordinates.split(":");
        return lines.stream().anyMatch(l -> l.contains(gav[0] + ":" + gav[1] + ":") && l.contains(gav[2]));
    }

    /** Runs mvn in {@code dir}; null when it succeeded, else the tail of its output with the exit status. */
    private List<String> run(Path dir, Consumer<String> progress, String... goals) {
        List<String> command = new ArrayList<>(List.of(mvn, "-B", "--strict-checksums", "-f",
                dir.resolve("pom.xml").toAbsolutePath().toString()));
        command.addAll(List.of(goals));
        runs.incrementAndGet();
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return Processes.run(pb, mvn + " (Maven resolves the local nodes' Java tools)", progress);
    }

    /** Copies a classpath folder out, whether the classpath is a folder (target/classes) or a jar (spotsh.jar). */
    static void copyResourceFolder(String folder, Path target) throws IOException {
        copyResourceFolder(MavenArtifacts.class.getClassLoader(), folder, target);
    }

    static void copyResourceFolder(ClassLoader loader, String folder, Path target) throws IOException {
        URL pom = loader.getResource(folder + "/pom.xml");
        if (pom == null) {
            throw new BadInput("module " + folder + " is not in spotsh's classpath (no " + folder + "/pom.xml)");
        }
        URI uri;
        try {
            uri = pom.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("cannot read " + pom + ": " + e.getMessage(), e);
        }
        if (uri.getScheme().equals("jar")) {
            FileSystem jar;
            boolean opened = false;
            try {
                jar = FileSystems.newFileSystem(uri, Map.of());
                opened = true;
            } catch (FileSystemAlreadyExistsException e) {
                jar = FileSystems.getFileSystem(uri);
            }
            try {
                copyTree(jar.getPath("/" + folder), target);
            } finally {
                if (opened) {
                    jar.close();
                }
            }
        } else {
            copyTree(Path.of(uri).getParent(), target);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            files.forEach(p -> {
                Path to = target.resolve(source.relativize(p).toString());
                try {
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
