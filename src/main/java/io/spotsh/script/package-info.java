/**
 * spotsh's own Groovy engine: {@link io.spotsh.script.Engine} compiles plans, expressions and shell lines against
 * one {@link io.spotsh.script.SessionBinding} with {@link io.spotsh.script.PlanScript} as base class ({@code log},
 * {@code phase}, {@code args}), and {@link io.spotsh.script.Completion} completes from types alone, so Tab never
 * runs code. Errors come back as one {@link io.spotsh.script.ScriptError} naming file, line and column.
 *
 * <pre>{@code
 * Engine engine = new Engine(binding);
 * Object result = engine.evaluate("nodes.run('uptime')", "shell", Engine.Mode.SHELL);
 * }</pre>
 */
package io.spotsh.script;
