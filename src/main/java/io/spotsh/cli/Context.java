package io.spotsh.cli;

import io.spotsh.common.StateDir;

import java.io.PrintStream;
import java.util.Map;

/** What every command gets from the command line: where state lives, where to write, the environment. */
record Context(StateDir stateDir, PrintStream out, PrintStream err, Map<String, String> env, boolean debug) {
}
