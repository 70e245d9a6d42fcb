package io.spotsh.workflow;

import io.spotsh.collect.Results;

/**
 * One run of a test (configure, check, its workloads, collect), as the registry records it.
 *
 * @param name the run's start, {@code yyyyMMdd-HHmmss}: the folder its results go to under {@code results/<test>/}
 */
final class RunRecord {
    final long id;
    final String name;
    volatile Results results;

    RunRecord(long id, String name) {
        this.id = id;
        this.name = name;
    }

    boolean collected() {
        return results != null;
    }
}
