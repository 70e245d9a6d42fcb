/**
 * The command line: parses options into a {@link io.spotsh.cli.Context}, runs the shell, a plan ({@code -f}),
 * an expression ({@code -e}) or a subcommand ({@code reap}, {@code registry}), and turns what happened into an
 * exit code in one place ({@link io.spotsh.cli.ExitCodes}).
 *
 * <pre>{@code
 * int code = Main.run(new String[] {"-f", "plan.groovy", "a"}, System.in, System.out, System.err, System.getenv());
 * }</pre>
 */
package io.spotsh.cli;
