package io.spotsh.script;

import io.spotsh.common.Log;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineTest {
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final SessionBinding binding = new SessionBinding(new Log(new PrintStream(output, true, StandardCharsets.UTF_8)), List.of("a", "b"));
    private final Engine engine = new Engine(binding);

    private Object shell(String line) {
        return engine.evaluate(line, "input", Engine.Mode.SHELL);
    }

    @Test
    void defVariablesAndClosuresPersistBetweenShellLines() {
        shell("def x = 20");
        shell("int y = 2");
        shell("def twice = { it * 2 }");
        assertEquals(42, shell("twice(x) + y"));
        shell("def z");
        assertTrue(binding.hasVariable("z"));
    }

    @Test
    void methodsDefinedAtThePromptStayCallable() {
        shell("def up(n) { n + 1 }");
        assertEquals(42, shell("up(41)"));
    }

    @Test
    void declarationsInsideBlocksStayLocal() {
        shell("def total = 0; for (i in 1..3) { def square = i * i; total += square }");
        assertEquals(14, shell("total"));
        assertFalse(binding.hasVariable("square"));
    }

    @Test
    void planLocalsDoNotLeakIntoTheBinding() {
        engine.evaluate("def local = 1", "plan.groovy", Engine.Mode.PLAN);
        assertFalse(binding.hasVariable("local"));
    }

    @Test
    void planSeesArgsAndLogsInTheSeedFormat() {
        engine.evaluate("log \"args are ${args.join(',')}\"", "plan.groovy", Engine.Mode.PLAN);
        String logged = output.toString(StandardCharsets.UTF_8);
        assertTrue(logged.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} args are a,b\\n"), logged);
    }

    @Test
    void compileErrorNamesFileLineAndColumnAndRunsNothing() {
        String plan = "log 'first'\n\n\ndef broken = (1 +\n";
        ScriptError.Compile e = assertThrows(ScriptError.Compile.class, () -> engine.compile(plan, "plan.groovy", Engine.Mode.PLAN));
        assertEquals("plan.groovy", e.source());
        assertTrue(e.line() >= 4, "line " + e.line());
        assertTrue(e.getMessage().startsWith("plan.groovy:" + e.line() + ":" + e.column() + ": "), e.getMessage());
        assertEquals("", output.toString(StandardCharsets.UTF_8), "nothing may run when a plan does not compile");
    }

    @Test
    void runtimeErrorNamesTheLineInThePlan() {
        String plan = "def a = 1\ndef b = 2\nthrow new IllegalStateException('ring has 2 nodes, expected 3')\n";
        ScriptError.Runtime e = assertThrows(ScriptError.Runtime.class, () -> engine.evaluate(plan, "ring.groovy", Engine.Mode.PLAN));
        assertEquals(3, e.line());
        assertEquals("ring.groovy:3: ring has 2 nodes, expected 3", e.getMessage());
    }

    @Test
    void missingVariableIsOneReadableLine() {
        ScriptError.Runtime e = assertThrows(ScriptError.Runtime.class, () -> engine.evaluate("\nnodez.size()", "p.groovy", Engine.Mode.PLAN));
        assertEquals("p.groovy:2: no such variable: nodez", e.getMessage());
    }

    @Test
    void interruptStopsAnEndlessLoop() throws Exception {
        AtomicReference<Thread> worker = new AtomicReference<>();
        CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
            worker.set(Thread.currentThread());
            return engine.evaluate("while (true) { }", "input", Engine.Mode.SHELL);
        });
        while (worker.get() == null) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        assertFalse(run.isDone());
        worker.get().interrupt();
        ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ScriptError.Interrupted.class, e.getCause());
    }

    @Test
    void lazyObjectsAreCreatedOnFirstUseOnly() {
        int[] made = {0};
        binding.bindLazy("thing", StringBuilder.class, () -> {
            made[0]++;
            return new StringBuilder("made");
        });
        shell("def unrelated = 1");
        assertEquals(0, made[0]);
        assertEquals("made", shell("thing.toString()"));
        shell("thing.length()");
        assertEquals(1, made[0]);
    }
}
