package io.spotsh.workflow;

import groovy.lang.Closure;
import io.spotsh.common.Help;
import io.spotsh.common.Tabular;
import io.spotsh.fanout.RunResult;

import java.nio.file.Path;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.List;
import java.util.function.Predicate;

/**
 * The registered nodes of the current test as a set to filter and act on. It is a live view: each use
 * reads the registry, so nodes that phone home later, or die, show up without asking again.
 *
 * <pre>{@code
 * nodes.data.size()               // data nodes registered so far
 * nodes.clients[1].ip             // client node 1
 * nodes.findAll { it.number > 3 } // still a Nodes
 * nodes.missing()                 // expected instance ids not reported in
 * }</pre>
 */
@Help("the registered nodes of the current test: data, clients, [n], findAll {}, missing()")
public final class Nodes implements Iterable<Node>, Tabular {
    private final Cluster cluster;
    private final String description;
    private final Predicate<Node> filter;

    Nodes(Cluster cluster) {
        this(cluster, "nodes", n -> true);
    }

    private Nodes(Cluster cluster, String description, Predicate<Node> filter) {
        this.cluster = cluster;
        this.description = description;
        this.filter = filter;
    }

    /** The nodes as they are now. */
    @Help("list() — the nodes as a plain list, in role and number order")
    public List<Node> list() {
        List<Node> all = new ArrayList<>();
        for (Node n : cluster.registeredNodes()) {
            if (filter.test(n)) {
                all.add(n);
            }
        }
        return all;
    }

    @Override
    public Iterator<Node> iterator() {
        return list().iterator();
    }

    @Help("size() — how many nodes are in this set")
    public int size() {
        return list().size();
    }

    @Help("data — the data nodes")
    public Nodes getData() {
        return role("data");
    }

    @Help("clients — the client nodes")
    public Nodes getClients() {
        return role("client");
    }

    @Help("role('name') — the nodes of one role")
    public Nodes role(String role) {
        return new Nodes(cluster, description + "." + role, filter.and(n -> n.role().equals(role)));
    }

    /** {@code nodes[3]}: node number 3 of this set; on all roles at once, the number must name one node. */
    @Help("[n] — node number n (nodes.data[1]; on mixed roles the number must be unique)")
    public Node getAt(int number) {
        List<Node> found = new ArrayList<>();
        for (Node n : list()) {
            if (n.number() == number) {
                found.add(n);
            }
        }
        if (found.isEmpty()) {
            throw new WorkflowException(description + "[" + number + "]: no registered node has number " + number
                    + " in test " + cluster.testName() + " (" + size() + " nodes)");
        }
        if (found.size() > 1) {
            throw new WorkflowException(description + "[" + number + "] is ambiguous: "
                    + found.stream().map(Node::getName).toList() + "; say which role, e.g. nodes.data[" + number + "]");
        }
        return found.get(0);
    }

    @Help("findAll { node -> ... } — the nodes for which the closure is true, still a node set")
    public Nodes findAll(Closure<?> condition) {
        return new Nodes(cluster, description + ".findAll{}",
                filter.and(n -> org.codehaus.groovy.runtime.DefaultGroovyMethods.asBoolean(condition.call(n))));
    }

    @Help("run('cmd', timeout:, deadline:, check:, quiet:, grouped:) — run on every node at once; per-node status, output, duration")
    public RunResult run(Map<String, ?> options, String command) {
        return cluster.actions().run(list(), command, options);
    }

    public RunResult run(String command) {
        return run(Map.of(), command);
    }

    @Help("put(localPath, remotePath) — copy a file or folder to every node in parallel")
    public RunResult put(Map<String, ?> options, Object local, String remote) {
        return cluster.actions().put(list(), Path.of(String.valueOf(local)), remote, options);
    }

    public RunResult put(Object local, String remote) {
        return put(Map.of(), local, remote);
    }

    @Help("get(remotePath, localDir) — copy from every node into localDir/<role>-<n>/")
    public RunResult get(Map<String, ?> options, String remote, Object localDir) {
        return cluster.actions().get(list(), remote, Path.of(String.valueOf(localDir)), options);
    }

    public RunResult get(String remote, Object localDir) {
        return get(Map.of(), remote, localDir);
    }

    @Help("mark('Workload A finished.') — a sysstat comment (sadc -C) on every node")
    public RunResult mark(String text) {
        return cluster.actions().mark(list(), text, Map.of());
    }

    @Help("missing() — instance ids requested for the test that have not phoned home")
    public List<String> missing() {
        return cluster.missingIds();
    }

    @Help("ids — the instance ids of these nodes")
    public List<String> getIds() {
        return list().stream().map(Node::instanceId).toList();
    }

    /** One row per node: name, instance, address, hostname. */
    @Override
    public List<java.util.Map<String, Object>> rows() {
        List<java.util.Map<String, Object>> rows = new ArrayList<>();
        for (Node n : list()) {
            java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
            row.put("node", n.getName());
            row.put("instance_id", n.instanceId());
            row.put("ip", n.ip());
            row.put("ssh_port", n.sshPort());
            row.put("hostname", n.hostname());
            rows.add(row);
        }
        return rows;
    }

    /** Under the table: which set of which test, and how many. */
    @Override
    public String caption(int rows) {
        return description + " of " + cluster.testName() + ": " + (rows == 0 ? "none registered yet" : rows == 1 ? "1 node" : rows + " nodes");
    }

    @Override
    public String toString() {
        List<Node> all = list();
        return description + " of " + cluster.testName() + ": " + all.size() + " " + all.stream().map(Node::getName).toList();
    }

    Cluster cluster() {
        return cluster;
    }

    Predicate<Node> filter() {
        return filter;
    }
}
