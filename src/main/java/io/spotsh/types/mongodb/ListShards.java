package io.spotsh.types.mongodb;

import groovy.json.JsonException;
import groovy.json.JsonSlurper;
import io.spotsh.types.TypeException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A mongos's answer to {@code listShards}, as {@code mongosh --eval} printed it with {@code JSON.stringify}:
 * {@code {"shards":[{"_id":"shard1","host":"shard1/10.0.0.5:27018","state":1}],"ok":1,"$clusterTime":...}},
 * or a failure {@code {"ok":0,"errmsg":"...","codeName":"..."}}.
 */
public record ListShards(boolean ok, String error, List<Shard> shards) {
    /** {@code draining} is set while the shard is being removed. */
    public record Shard(String id, String host, boolean draining) {
    }

    public ListShards {
        shards = List.copyOf(shards);
    }

    /** The reply on the last line of {@code output} that holds a JSON object; mongosh prints nothing else with --quiet. */
    public static ListShards parse(String output) {
        String[] lines = output.strip().split("\\R");
        String json = null;
        for (int i = lines.length - 1; i >= 0 && json == null; i--) {
            if (lines[i].strip().startsWith("{")) {
                json = lines[i].strip();
            }
        }
        if (json == null) {
            throw new TypeException("mongosh printed no listShards reply: " + lines[lines.length - 1].strip());
        }
        Object parsed;
        try {
            parsed = new JsonSlurper().parseText(json);
        } catch (JsonException | IllegalArgumentException e) {
            throw new TypeException("mongosh's listShards reply is not JSON (" + e.getMessage() + "): " + json);
        }
        if (!(parsed instanceof Map<?, ?> reply)) {
            throw new TypeException("mongosh's listShards reply is not an object: " + json);
        }
        boolean ok = reply.get("ok") instanceof Number n && n.doubleValue() == 1;
        if (!ok) {
            Object code = reply.get("codeName") != null ? reply.get("codeName") : reply.get("code");
            return new ListShards(false, reply.get("errmsg") + (code != null ? " (" + code + ")" : ""), List.of());
        }
        List<Shard> shards = new ArrayList<>();
        if (reply.get("shards") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> s) {
                    shards.add(new Shard(String.valueOf(s.get("_id")), String.valueOf(s.get("host")),
                            Boolean.TRUE.equals(s.get("draining"))));
                }
            }
        }
        return new ListShards(true, null, shards);
    }

    /**
     * What keeps this cluster from having exactly the topology's shards {@code shard1..shardK}: the count, each
     * missing shard (with its data nodes), each unknown one, each draining one; or the failure.
     */
    public List<String> problems(Topology topology) {
        int expected = topology.shards();
        List<String> problems = new ArrayList<>();
        if (!ok) {
            problems.add("listShards failed: " + error);
            return problems;
        }
        if (shards.size() != expected) {
            problems.add(shards.size() + " of " + expected + " shards in the cluster");
        }
        List<String> ids = shards.stream().map(Shard::id).toList();
        List<String> wanted = new ArrayList<>();
        for (int k = 1; k <= expected; k++) {
            wanted.add(Topology.shardName(k));
            if (!ids.contains(Topology.shardName(k))) {
                problems.add(Topology.shardName(k) + " (" + topology.members(k).stream().map(n -> "data-" + n)
                        .collect(Collectors.joining(", ")) + ") is missing");
            }
        }
        for (Shard s : shards) {
            if (!wanted.contains(s.id())) {
                problems.add(s.id() + " (" + s.host() + ") is no shard of this test");
            }
            if (s.draining()) {
                problems.add(s.id() + " is draining");
            }
        }
        return problems;
    }
}
