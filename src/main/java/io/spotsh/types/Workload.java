package io.spotsh.types;

/**
 * One workload phase of a test type: a command every node of {@code role} runs at the same moment.
 *
 * @param name    the phase's name ({@code load}, {@code read}): marks, registry records, result files and summary rows use it
 * @param role    who runs it, usually {@code client}
 * @param command a POSIX sh command; it runs with the node's configuration in the environment plus
 *                {@code SPOTSH_DATA_IPS} (the data nodes' private addresses, by number, space-separated) and
 *                {@code SPOTSH_DATA_COUNT}; its standard output is the result file {@link #parse} reads
 *                ({@code results/<name>.out} on the node, stderr in {@code <name>.err})
 */
public record Workload(String name, String role, String command) {
    public Workload {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("a workload name is letters, digits, '.', '_' or '-': '" + name + "'");
        }
    }
}
