/**
 * Bringing a run's results home: {@link io.spotsh.collect.Collector} gathers every node's workload output, sysstat
 * file and logs, copies them back in parallel into {@code results/<test>/<run>/<role>-<n>/}, writes
 * {@code summary.csv} ({@link io.spotsh.collect.Summary}: cluster-wide latency from the clients' merged
 * histograms where they kept them, cost per million operations), {@code samples.jsonl}
 * ({@link io.spotsh.collect.Samples}) and the run's archive, and returns
 * {@link io.spotsh.collect.Results}. It works on the fan-out and the registry only, never on a provider.
 */
package io.spotsh.collect;
