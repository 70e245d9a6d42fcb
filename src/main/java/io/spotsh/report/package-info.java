/**
 * What a person reads: {@link io.spotsh.report.Rendering} decides how the shell and plans show a value (rows as
 * tables, lists a line an item) and {@link io.spotsh.report.Table} draws plain-text tables. {@code spotsh compare}
 * reads run folders with {@link io.spotsh.report.RunFolder}. A run's {@code report.html} is built from its folder
 * alone: {@link io.spotsh.report.RunReport} makes the model (run.json, summary.csv, each node's samples),
 * {@link io.spotsh.report.Sysstat} reads a node's sysstat files with {@code sadf -j}, and {@code Html} writes one
 * self-contained page with echarts inlined from its WebJar.
 */
package io.spotsh.report;
