package io.spotsh.cloud;

/** Instance life cycle, in EC2's words. */
public enum InstanceState {
    PENDING, RUNNING, SHUTTING_DOWN, TERMINATED, STOPPING, STOPPED;

    public boolean gone() {
        return this == TERMINATED;
    }

    /** Still costing money or about to: anything not terminated. */
    public boolean live() {
        return this != TERMINATED;
    }

    public static InstanceState parse(String name) {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
