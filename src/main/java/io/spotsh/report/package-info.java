/**
 * What a person reads: {@link io.spotsh.report.Rendering} decides how the shell and plans show a value (rows as
 * tables, lists a line an item) and {@link io.spotsh.report.Table} draws plain-text tables.
 */
package io.spotsh.report;
