package io.spotsh.types.mongodb;

import io.spotsh.common.BadInput;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which node is what in a sharded MongoDB cluster of N data nodes in replica sets of {@code replicas} members:
 * shard k (1-based) is the replica set {@code shard<k>} of data nodes (k-1)*replicas+1 .. k*replicas, so a node
 * knows its shard from its number alone. Ports are MongoDB's defaults for each part.
 */
public record Topology(int dataNodes, int replicas) {
    public static final int MONGOS_PORT = 27017;
    public static final int SHARD_PORT = 27018;
    public static final int CONFIG_PORT = 27019;
    /** The config servers' replica set. */
    public static final String CONFIG_SET = "cfg";

    public Topology {
        if (dataNodes < 1) {
            throw new BadInput("type mongodb needs at least 1 data node, was " + dataNodes);
        }
        if (replicas < 1) {
            throw new BadInput("parameter replicas must be at least 1, was " + replicas);
        }
        if (dataNodes % replicas != 0) {
            throw new BadInput("type mongodb: " + dataNodes + " data nodes do not split into replica sets of " + replicas
                    + " (dataNodes must be a multiple of replicas)");
        }
    }

    /**
     * Config servers: a replica set of 3, which survives losing one. Below 3 data nodes the cluster is a
     * functional check, and a single config server is what MongoDB's own test clusters use; 2 would only add a
     * second way to lose the majority.
     */
    public static int configServers(int dataNodes) {
        return dataNodes >= 3 ? 3 : 1;
    }

    /** YCSB clients, each with its own mongos: one per four data nodes, at least one. */
    public static int clients(int dataNodes) {
        return Math.max(1, (dataNodes + 3) / 4);
    }

    public int shards() {
        return dataNodes / replicas;
    }

    /** The shard (1-based) data node {@code node} serves. */
    public int shardOf(int node) {
        if (node < 1 || node > dataNodes) {
            throw new IllegalArgumentException("data node " + node + " of " + dataNodes);
        }
        return (node - 1) / replicas + 1;
    }

    public static String shardName(int shard) {
        return "shard" + shard;
    }

    /** The data nodes of shard {@code shard}, by number. */
    public List<Integer> members(int shard) {
        List<Integer> nodes = new ArrayList<>();
        for (int n = (shard - 1) * replicas + 1; n <= shard * replicas; n++) {
            nodes.add(n);
        }
        return nodes;
    }

    /** {@code shard2/10.0.0.3:27018,10.0.0.4:27018}, as {@code sh.addShard} takes it. */
    public String shardHost(int shard, Map<Integer, String> ipByNode) {
        return shardName(shard) + "/" + members(shard).stream().map(n -> address(ipByNode, n, SHARD_PORT))
                .collect(Collectors.joining(","));
    }

    /** {@code cfg/10.0.0.1:27019,...}, as mongos takes it. */
    public static String configDb(List<String> configIps) {
        return CONFIG_SET + "/" + configIps.stream().map(ip -> ip + ":" + CONFIG_PORT).collect(Collectors.joining(","));
    }

    private static String address(Map<Integer, String> ipByNode, int node, int port) {
        String ip = ipByNode.get(node);
        if (ip == null) {
            throw new IllegalArgumentException("data node " + node + " is not registered");
        }
        return ip + ":" + port;
    }
}
