/**
 * The interactive shell and what it shares with plans and {@code -e}: {@link io.spotsh.shell.Session} holds the
 * state directory and the binding ({@code registry}, {@code cluster}, {@code nodes}, made on first use);
 * {@link io.spotsh.shell.Shell} reads lines with JLine (multi-line Groovy, history, completion, a status line) and
 * evaluates them on a worker thread so Ctrl-C interrupts a command, not the shell.
 */
package io.spotsh.shell;
