package io.spotsh.tools;
import java.io.IOException; import java.nio.file.Path; import java.util.List; import java.util.Map;
public interface JavaBundle {
    /** The folder under <stateDir>/tools/, with the version, e.g. "cassandra-5.0.6": a new version is a new folder. */
    String name();
    /** Maven Central coordinates groupId:artifactId:version, resolved with their runtime dependencies into <dir>/lib/. */
    List<String> artifacts();
    /** Maven projects shipped inside spotsh's jar as classpath resource folders (e.g. "tools/ycsb-cql", holding a pom.xml and src/), built with mvn; their jar and runtime dependencies go into <dir>/lib/ too. */
    default List<String> modules() { return List.of(); }
    /** Once lib/ is complete (still in the temporary folder): the bundle writes its own files into dir (config templates, launchers). */
    default void complete(Path dir) throws IOException { }
    /** Commands local nodes get on their PATH: name → script text, written into <stateDir>/tools/bin/NAME (0755). The text may refer to the bundle's final folder as @@DIR@@, which is replaced by the absolute path. */
    Map<String, String> commands();
}
