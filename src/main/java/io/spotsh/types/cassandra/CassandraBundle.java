package io.spotsh.types.cassandra;

import io.spotsh.tools.JavaBundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Apache Cassandra 5.0.6 for local nodes, the same major version as the EC2 image's Debian package: the jars of
 * {@code org.apache.cassandra:cassandra-all:5.0.6} in {@code lib/}, and in {@code conf/} the local node's
 * {@code cassandra.yaml} template, {@code logback.xml} (system.log in the node's {@code var/log/cassandra}),
 * {@code logback-tools.xml} (nodetool) and {@code jvm17-server.options} (Cassandra's Java 17 module openings, G1).
 *
 * <p>Commands: {@code cassandra} (-f foreground, -p PIDFILE background, --init-conf) and {@code nodetool}
 * (Cassandra's own NodeTool against the node's JMX at its listen_address, port 7199). Sizes, for 3-5 nodes and a
 * YCSB client sharing 2 cores and 24 GB: 512 MB heap (-Xms = -Xmx), 256 MB direct memory, one processor as the
 * JVM sees it, 4 concurrent reads and writes, 1 compactor, 64 MB memtables on and off heap, 8 MB key cache,
 * no auto-snapshot. One node is about 0.9 GB resident.
 */
public final class CassandraBundle implements JavaBundle {
    static final String RESOURCES = "/io/spotsh/types/cassandra/";

    @Override
    public String name() {
        return "cassandra-5.0.6";
    }

    @Override
    public List<String> artifacts() {
        return List.of("org.apache.cassandra:cassandra-all:5.0.6");
    }

    @Override
    public void complete(Path dir) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        for (String file : List.of("cassandra.yaml", "logback.xml", "logback-tools.xml", "jvm17-server.options")) {
            Files.writeString(conf.resolve(file), resource(file));
        }
    }

    @Override
    public Map<String, String> commands() {
        Map<String, String> commands = new LinkedHashMap<>();
        commands.put("cassandra", resource("cassandra.sh"));
        commands.put("nodetool", resource("nodetool.sh"));
        return commands;
    }

    static String resource(String name) {
        try (InputStream in = CassandraBundle.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("spotsh's jar lacks " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
