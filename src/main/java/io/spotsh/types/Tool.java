package io.spotsh.types;

/**
 * A program a test type's nodes need.
 *
 * @param command       the name looked up on PATH ({@code redis-server}), or an absolute path
 * @param debianPackage the package that installs it ({@code apt-get install redis-server})
 * @param alternatives  other absolute paths that will do (sysstat's {@code sadc} lives outside PATH)
 */
public record Tool(String command, String debianPackage, java.util.List<String> alternatives) {
    public Tool {
        alternatives = alternatives == null ? java.util.List.of() : java.util.List.copyOf(alternatives);
    }

    public Tool(String command, String debianPackage) {
        this(command, debianPackage, java.util.List.of());
    }

    /** sysstat's collector, which {@code nodes.mark} and the metrics of every test need. */
    public static final Tool SADC = new Tool("sadc", "sysstat",
            java.util.List.of("/usr/lib/sysstat/sadc", "/usr/lib64/sa/sadc", "/usr/libexec/sa/sadc", "/usr/lib/sa/sadc"));

    /** Whether this machine has it: on PATH (or at the absolute path given), or at one of the alternatives. */
    public boolean isInstalled() {
        return isInstalled(System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    }

    /** Whether it is on this search path (a colon-separated PATH), at its absolute path, or at an alternative. */
    public boolean isInstalled(String searchPath) {
        java.util.List<java.nio.file.Path> candidates = new java.util.ArrayList<>();
        if (command.startsWith("/")) {
            candidates.add(java.nio.file.Path.of(command));
        } else {
            for (String dir : searchPath.split(":")) {
                if (!dir.isEmpty()) {
                    candidates.add(java.nio.file.Path.of(dir, command));
                }
            }
        }
        alternatives.forEach(a -> candidates.add(java.nio.file.Path.of(a)));
        return candidates.stream().anyMatch(p -> java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.isExecutable(p));
    }

    @Override
    public String toString() {
        return command + " (apt-get install " + debianPackage + ")";
    }
}
