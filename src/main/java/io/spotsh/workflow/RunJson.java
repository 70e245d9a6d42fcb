package io.spotsh.workflow;

import groovy.json.JsonOutput;
import io.spotsh.registry.TestRecords;
import io.spotsh.registry.TestRecords.InstanceRow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * {@code run.json} in a run folder: what the registry knows of the run that the folder alone does not (test, type,
 * provider, zones, sizing, parameters, spotsh version, the node lifecycle, the run's phases, cost so far), so that
 * report.html can be made again from the folder with {@code spotsh report}.
 */
final class RunJson {
    private RunJson() {
    }

    static Path write(TestRun r, RunRecord record, TestRecords records, List<Map<String, Object>> cost, Path dir) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("test", r.name);
        run.put("run", record.name);
        run.put("type", r.type);
        run.put("provider", r.provider.name());
        run.put("instance_type", r.instanceType);
        run.put("region", records.region(r.name));
        run.put("image", records.image(r.name));
        List<InstanceRow> instances = records.instances(r.name);
        run.put("zones", new ArrayList<>(new TreeSet<>(instances.stream().map(InstanceRow::zone)
                .filter(java.util.Objects::nonNull).toList())));
        run.put("sizing", r.sizing);
        run.put("params", r.params);
        run.put("spotsh_version", version());
        List<Map<String, Object>> phases = plain(records.phaseDetails(record.id));
        if (!phases.isEmpty()) {
            run.put("started_at", phases.get(0).get("started_at"));
            run.put("ended_at", phases.get(phases.size() - 1).get("finished_at"));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (InstanceRow i : instances) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("role", i.role());
            row.put("instance_id", i.instanceId());
            row.put("zone", i.zone());
            row.put("state", i.state());
            row.put("requested_at", time(i.requestedAt()));
            row.put("state_changed_at", time(i.stateChangedAt()));
            rows.add(row);
        }
        run.put("instances", rows);
        run.put("events", plain(records.events(r.name)));
        run.put("phases", phases);
        run.put("cost", cost);
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve("run.json"), JsonOutput.prettyPrint(JsonOutput.toJson(run)),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run.json in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Registry rows with times as ISO text in milliseconds, as a browser's Date.parse reads them. */
    private static List<Map<String, Object>> plain(List<Map<String, Object>> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            Map<String, Object> copy = new LinkedHashMap<>();
            row.forEach((k, v) -> copy.put(k, v instanceof OffsetDateTime t ? time(t) : v));
            out.add(copy);
        }
        return out;
    }

    private static String time(OffsetDateTime t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS).toInstant().toString();
    }

    private static String version() {
        try (InputStream in = RunJson.class.getResourceAsStream("/io/spotsh/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
