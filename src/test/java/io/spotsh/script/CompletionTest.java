package io.spotsh.script;

import io.spotsh.common.Help;
import io.spotsh.common.Log;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
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

    /** A spotsh object that is also a collection, as {@code nodes} is: spotsh's members and Groovy's. */
    public static final class Ring extends java.util.AbstractList<String> {
        @Help("run('cmd') — run on every node at once")
        public Result run(String command) {
            return new Result();
        }

        @Help("missing() — instance ids that have not phoned home")
        public List<String> missing() {
            return List.of();
        }

        @Override
        public String get(int index) {
            return "data-" + index;
        }

        @Override
        public int size() {
            return 0;
        }
    }

    @Test
    void rightAfterADotTheShellOffersSpotshsOwnMembersWithTheirHelpAndGroovysOnceALetterIsTyped() {
        binding.bindLazy("ring", Ring.class, Ring::new);

        List<Completion.Candidate> first = completion.complete("ring.", 5, false).candidates();
        assertTrue(first.stream().allMatch(c -> c.group().equals(Completion.SPOTSH_ONLY)), first.toString());
        Completion.Candidate run = first.stream().filter(c -> c.value().equals("run(")).findFirst().orElseThrow();
        assertEquals("run on every node at once", run.description(), "the help without the call form");
        assertTrue(first.stream().noneMatch(c -> c.value().startsWith("collect")), "no Groovy method on the first screen");

        List<Completion.Candidate> all = completion.complete("ring.", 5).candidates();
        assertTrue(all.stream().anyMatch(c -> c.value().equals("collectNested(") && c.group().equals(Completion.OTHERS)),
                all.toString());

        List<Completion.Candidate> m = completion.complete("ring.m", 6, false).candidates();
        assertEquals("missing()", m.get(0).value(), "spotsh's own member first");
        assertEquals(Completion.SPOTSH, m.get(0).group());
        assertTrue(m.stream().skip(1).allMatch(c -> c.group().equals(Completion.OTHERS)), m.toString());
        assertTrue(m.stream().anyMatch(c -> c.value().equals("max(")), "Groovy's methods follow once a letter is typed");
    }

    @Test
    void atTheStartTheProductsObjectsAndTheSessionsVariablesAndKeywordsAreGroupedApart() {
        binding.bindLazy("ring", Ring.class, Ring::new);
        binding.setVariable("rings", 6);
        Map<String, String> groups = new java.util.HashMap<>();
        completion.complete("r", 1, false).candidates().forEach(c -> groups.put(c.display(), c.group()));
        assertEquals(Completion.SPOTSH, groups.get("ring"));
        assertEquals(Completion.VARIABLES, groups.get("rings"));
        completion.complete("pr", 2, false).candidates().forEach(c -> groups.put(c.display(), c.group()));
        assertEquals(Completion.OTHERS, groups.get("println"));
    }
}
