package io.spotsh.types.ycsb;

import io.spotsh.tools.JavaBundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * YCSB 0.17.0 with spotsh's {@code cassandra-cql} binding (the {@code ycsb-cql} module, on the Cassandra Java
 * driver 4.18.1), laid out as a YCSB home so that {@link Ycsb#command} runs the same way on a local node and on
 * an EC2 node, whose image has this layout in {@code /opt/ycsb}:
 * <pre>
 *   bin/ycsb.sh        load|run BINDING ..., cql HOSTS 'CQL', home
 *   lib/               site.ycsb:core:0.17.0 and its dependencies (HdrHistogram 2.1.12, ...); here also the binding and
 *                      the driver, which the EC2 image keeps in cassandra-cql-binding/lib/
 *   workloads/         workloada .. workloadf, YCSB's core workloads
 * </pre>
 * Command: {@code ycsb} (bin/ycsb.sh with {@code YCSB_HOME} set to this folder).
 */
public final class YcsbBundle implements JavaBundle {
    /** YCSB's core workloads, as its release's workloads/ folder has them (proportions and distributions). */
    static final Map<String, String> WORKLOADS = Map.of(
            "a", "readproportion=0.5\nupdateproportion=0.5\nscanproportion=0\ninsertproportion=0\nrequestdistribution=zipfian\n",
            "b", "readproportion=0.95\nupdateproportion=0.05\nscanproportion=0\ninsertproportion=0\nrequestdistribution=zipfian\n",
            "c", "readproportion=1\nupdateproportion=0\nscanproportion=0\ninsertproportion=0\nrequestdistribution=zipfian\n",
            "d", "readproportion=0.95\nupdateproportion=0\nscanproportion=0\ninsertproportion=0.05\nrequestdistribution=latest\n",
            "e", "readproportion=0\nupdateproportion=0\nscanproportion=0.95\ninsertproportion=0.05\nrequestdistribution=zipfian\n"
                    + "maxscanlength=100\nscanlengthdistribution=uniform\n",
            "f", "readproportion=0.5\nupdateproportion=0\nscanproportion=0\ninsertproportion=0\nreadmodifywriteproportion=0.5\n"
                    + "requestdistribution=zipfian\n");

    @Override
    public String name() {
        return "ycsb-0.17.0-cql";
    }

    @Override
    public List<String> artifacts() {
        // HdrHistogram over core's 2.1.4, whose log writer needs javax.xml.bind (gone from Java 11 on) for the .hdr
        // files; 2.1.12 encodes with java.util.Base64 and has the same API
        return List.of("site.ycsb:core:0.17.0", "org.hdrhistogram:HdrHistogram:2.1.12",
                "org.apache.cassandra:java-driver-core:4.18.1");
    }

    @Override
    public List<String> modules() {
        return List.of("tools/ycsb-cql");
    }

    @Override
    public void complete(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("ycsb.sh"), launcher());
        Files.setPosixFilePermissions(bin.resolve("ycsb.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path workloads = Files.createDirectories(dir.resolve("workloads"));
        for (Map.Entry<String, String> w : WORKLOADS.entrySet()) {
            Files.writeString(workloads.resolve("workload" + w.getKey()), "# YCSB core workload " + w.getKey() + "\n"
                    + "recordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\nreadallfields=true\n"
                    + w.getValue());
        }
    }

    @Override
    public Map<String, String> commands() {
        Map<String, String> commands = new LinkedHashMap<>();
        commands.put("ycsb", "#!/bin/sh\n# YCSB 0.17.0 with spotsh's cassandra-cql binding (see @@DIR@@/bin/ycsb.sh)\n"
                + "YCSB_HOME=@@DIR@@ exec @@DIR@@/bin/ycsb.sh \"$@\"\n");
        return commands;
    }

    /** bin/ycsb.sh, also what the EC2 image installs as /opt/ycsb/bin/ycsb.sh. */
    public static String launcher() throws IOException {
        // scripts/ycsb.sh, which the build copies into node-scripts/ and ami/bake.sh installs from scripts/
        try (InputStream in = YcsbBundle.class.getResourceAsStream("/node-scripts/ycsb.sh")) {
            if (in == null) {
                throw new IOException("spotsh's jar lacks node-scripts/ycsb.sh");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
