package io.spotsh.script;

import io.spotsh.common.Help;
import io.spotsh.common.Log;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletionTest {
    /** A bound object whose every call leaves a trace, to prove completion never calls anything. */
    public static final class Fleet {
        static final AtomicInteger CALLS = new AtomicInteger();

        @Help("run(cmd) — run everywhere")
        public Result run(String command) {
            CALLS.incrementAndGet();
            return new Result();
        }

        public Fleet getData() {
            CALLS.incrementAndGet();
            return this;
        }

        public void terminate() {
            CALLS.incrementAndGet();
        }
    }

    public static final class Result {
        public List<String> getFailed() {
            Fleet.CALLS.incrementAndGet();
            return List.of();
        }

        public String table() {
            Fleet.CALLS.incrementAndGet();
            return "";
        }
    }

    private final SessionBinding binding = new SessionBinding(new Log(System.out), List.of());
    private final Engine engine = new Engine(binding);
    private final Completion completion = new Completion(binding);

    private List<String> values(String buffer) {
        return completion.complete(buffer, buffer.length()).candidates().stream().map(Completion.Candidate::value).toList();
    }

    @Test
    void completesMembersThroughCallsWithoutCallingThem() {
        AtomicInteger created = new AtomicInteger();
        binding.bindLazy("nodes", Fleet.class, () -> {
            created.incrementAndGet();
            return new Fleet();
        });
        Fleet.CALLS.set(0);

        assertTrue(values("nodes.").containsAll(List.of("run(", "terminate()", "data")), values("nodes.").toString());
        assertEquals(List.of("table()"), values("nodes.run(\"uptime\").ta"));
        assertTrue(values("nodes.data.run('x').").contains("failed"));
        assertTrue(values("x = nodes.data.data.te").contains("terminate()"));

        assertEquals(0, Fleet.CALLS.get(), "completion called user code");
        assertEquals(0, created.get(), "completion created a lazy object");
    }

    @Test
    void completesUserVariablesAndTheirMembersWithoutEvaluating() {
        engine.evaluate("def counter = 0; def bump = { counter++ ; 'text' }", "input", Engine.Mode.SHELL);
        assertTrue(values("cou").contains("counter"));
        assertTrue(values("bu").contains("bump"));
        values("bump().");
        values("bump.call().");
        assertEquals(0, engine.evaluate("counter", "input", Engine.Mode.SHELL));
    }

    @Test
    void wordBoundsAreTheIdentifierBeforeTheCursor() {
        binding.setVariable("registry2", "x");
        Completion.Result r = completion.complete("println regi", 12);
        assertEquals(8, r.start());
        assertEquals("regi", r.word());
        assertEquals(List.of("registry2"), r.candidates().stream().map(Completion.Candidate::value).toList());
    }

    @Test
    void completesGroovyMethodsOnCollectionsAndStaticsOnClasses() {
        binding.setVariable("ids", List.of("i-1"));
        assertTrue(values("ids.find").contains("findAll("));
        assertTrue(values("Math.ma").contains("max("));
        assertTrue(values("\"abc\".toUpp").contains("toUpperCase("), "overloads with arguments leave the call open");
        assertTrue(values("ids.si").contains("size()"));
    }
}
