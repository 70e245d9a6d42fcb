package io.spotsh.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A module's folder comes out of spotsh's shaded jar as it does out of target/classes. */
class ModuleResourceTest {
    @Test
    void aModuleFolderIsCopiedOutOfAJar(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("spotsh.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String[] entry : new String[][] {{"tools/m/pom.xml", "<project/>"}, {"tools/m/src/main/java/A.java", "class A {}"},
                    {"tools/other/pom.xml", "not this one"}}) {
                out.putNextEntry(new JarEntry(entry[0]));
                out.write(entry[1].getBytes());
                out.closeEntry();
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            MavenArtifacts.copyResourceFolder(loader, "tools/m", dir.resolve("copy"));
        }
        assertEquals("<project/>", Files.readString(dir.resolve("copy/pom.xml")));
        assertEquals("class A {}", Files.readString(dir.resolve("copy/src/main/java/A.java")));
        try (var files = Files.walk(dir.resolve("copy"))) {
            assertEquals(6, files.count(), "copy, pom.xml, src, src/main, src/main/java, A.java: nothing of tools/other");
        }
    }
}
