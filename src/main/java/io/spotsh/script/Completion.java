package io.spotsh.script;

import io.spotsh.common.Help;
import org.codehaus.groovy.runtime.DefaultGroovyMethods;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Tab completion from types alone. {@code nodes.run("x").<Tab>} looks up what {@code run} returns by
 * reflection; it never calls a method, a getter or a closure, so completing can never launch, run or
 * terminate anything. Roots come from the binding (lazy objects by their declared type, without creating
 * them) and from class names in the default imports (loaded without initialising them).
 */
public final class Completion {
    /**
     * What to insert for the word under the cursor. {@code group}: {@link #SPOTSH} for spotsh's own objects and
     * members (listed first, with their help text), {@link #VARIABLES} for the session's variables, {@link #OTHERS}
     * for what Groovy and Java add to every object and Groovy's keywords.
     */
    public record Candidate(String value, String display, String description, String group) {
        public Candidate(String value, String display, String description) {
            this(value, display, description, null);
        }

        /** Whether this is one of spotsh's own objects or members rather than Groovy's, Java's or a variable. */
        public boolean own() {
            return group != null && !group.equals(OTHERS) && !group.equals(VARIABLES);
        }
    }

    /** The group of spotsh's own objects and members. */
    public static final String SPOTSH = "spotsh";
    /** The heading of spotsh's members when Groovy's are left out: how to get those too. */
    public static final String SPOTSH_ONLY = "spotsh (Groovy's methods too: type a letter, then Tab)";
    /** The group of the variables defined in the session ({@code def total = ...}). */
    public static final String VARIABLES = "variables";
    /** The group of the rest: Groovy's added methods (each, findAll, ...) and Java's. */
    public static final String OTHERS = "Groovy and Java";
    /** Members every object has, from Java's Object: listed with the rest even when a spotsh class declares them. */
    private static final Set<String> OBJECT_METHODS = Set.of("equals", "toString", "hashCode");

    /** The word being completed (from {@code start} to the cursor) and what may replace it. */
    public record Result(int start, String word, List<Candidate> candidates) { }

    private static final Set<String> HIDDEN = Set.of("wait", "notify", "notifyAll", "getClass", "hashCode",
            "getMetaClass", "setMetaClass", "invokeMethod", "getProperty", "setProperty", "main",
            "getBinding", "setBinding", "evaluate", "metaClass", "binding", "class", "printf");
    private static final String[] DEFAULT_PACKAGES = {"java.lang.", "java.util.", "java.time.", "java.io.",
        "java.math.", "java.util.concurrent.", "java.net.", "groovy.lang."};
    private static final Map<Class<?>, List<Method>> GDK = new LinkedHashMap<>();

    private final SessionBinding binding;

    public Completion(SessionBinding binding) {
        this.binding = binding;
    }

    public Result complete(String buffer, int cursor) {
        return complete(buffer, cursor, true);
    }

    /**
     * @param everything false for the shell: right after a dot only spotsh's own members when the receiver has any,
     *                   so they fit on one screen with their help (a terminal shows only the end of a longer list);
     *                   once a letter is typed, every member that starts with it, spotsh's first
     */
    public Result complete(String buffer, int cursor, boolean everything) {
        int start = cursor;
        while (start > 0 && Character.isJavaIdentifierPart(buffer.charAt(start - 1))) {
            start--;
        }
        String word = buffer.substring(start, cursor);
        int dot = start - 1;
        if (dot >= 0 && buffer.charAt(dot) == '.') {
            int receiverEnd = dot;
            if (receiverEnd > 0 && (buffer.charAt(receiverEnd - 1) == '?' || buffer.charAt(receiverEnd - 1) == '*')) {
                receiverEnd--;
            }
            Target target = resolve(buffer.substring(0, receiverEnd));
            List<Candidate> found = target == null ? List.of() : members(target, word);
            if (!everything && word.isEmpty() && found.stream().anyMatch(Candidate::own)) {
                found = found.stream().filter(Candidate::own)
                        .map(c -> new Candidate(c.value(), c.display(), c.description(), SPOTSH_ONLY)).toList();
            }
            return new Result(start, word, found);
        }
        return new Result(start, word, roots(word));
    }

    private List<Candidate> roots(String prefix) {
        Map<String, Candidate> found = new TreeMap<>();
        for (String name : binding.names()) {
            if (name.startsWith(prefix)) {
                Class<?> type = binding.typeOf(name);
                // the product's objects (cluster, nodes, registry) under spotsh's heading, the session's own variables apart
                String group = binding.lazyTypes().containsKey(name) ? SPOTSH : VARIABLES;
                found.put(name, new Candidate(name, name, type == null ? null : describe(type), group));
            }
        }
        for (Method m : PlanScript.class.getMethods()) {
            Help help = m.getAnnotation(Help.class);
            if (help != null && m.getDeclaringClass() == PlanScript.class && m.getName().startsWith(prefix)
                    && !m.getName().startsWith("get")) {
                found.put(m.getName(), new Candidate(m.getName() + " ", m.getName(), help.value(), SPOTSH));
            }
        }
        for (String keyword : List.of("println", "def", "help")) {
            if (keyword.startsWith(prefix) && !found.containsKey(keyword)) {
                found.put(keyword, new Candidate(keyword + " ", keyword, null, OTHERS));
            }
        }
        return new ArrayList<>(found.values());
    }

    /** A receiver: its type and whether only static members apply (a class name). */
    private record Target(Class<?> type, boolean statics) { }

    /** Resolves the expression chain ending at the end of {@code text}, or null when it is not a chain. */
    private Target resolve(String text) {
        List<String> segments = new ArrayList<>();
        int i = text.length();
        while (i > 0) {
            int end = i;
            char c = text.charAt(i - 1);
            if (c == ')' || c == ']') {
                i = skipBalanced(text, i - 1);
                if (i < 0) {
                    return null;
                }
            } else if (c == '"' || c == '\'') {
                // a string literal can only start a chain: "abc".<Tab>
                if (text.lastIndexOf(c, i - 2) < 0) {
                    return null;
                }
                segments.add(0, "\"\"");
                break;
            }
            int nameEnd = i;
            while (i > 0 && Character.isJavaIdentifierPart(text.charAt(i - 1))) {
                i--;
            }
            if (i == nameEnd && end == nameEnd) {
                return null;
            }
            segments.add(0, text.substring(i, end));
            if (i > 0 && text.charAt(i - 1) == '.') {
                i--;
                if (i > 0 && (text.charAt(i - 1) == '?' || text.charAt(i - 1) == '*')) {
                    i--;
                }
                continue;
            }
            break;
        }
        if (segments.isEmpty()) {
            return null;
        }
        Target target = root(segments.get(0));
        for (int s = 1; s < segments.size() && target != null; s++) {
            target = step(target, segments.get(s));
        }
        return target;
    }

    /** From index of a closing bracket back to its opening one; -1 when unbalanced. */
    private static int skipBalanced(String text, int close) {
        int depth = 0;
        for (int i = close; i >= 0; i--) {
            char c = text.charAt(i);
            if (c == ')' || c == ']') {
                depth++;
            } else if (c == '(' || c == '[') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    private Target root(String segment) {
        if (segment.equals("\"\"")) {
            return new Target(String.class, false);
        }
        String name = nameOf(segment);
        Class<?> bound = binding.typeOf(name);
        if (bound != null) {
            return segment.endsWith("]") ? indexed(bound) : new Target(bound, false);
        }
        if (Character.isUpperCase(name.charAt(0)) && segment.equals(name)) {
            for (String pkg : DEFAULT_PACKAGES) {
                try {
                    // initialize=false: loading a class must not run its static initialisers
                    return new Target(Class.forName(pkg + name, false, Completion.class.getClassLoader()), true);
                } catch (ClassNotFoundException | LinkageError ignored) {
                    // not in this package
                }
            }
        }
        return null;
    }

    private static Target step(Target target, String segment) {
        String name = nameOf(segment);
        String rest = segment.substring(name.length());
        Class<?> type;
        if (rest.startsWith("(")) {
            type = returnType(target, name);
        } else {
            type = propertyType(target, name);
        }
        if (type == null) {
            return null;
        }
        return rest.endsWith("]") ? indexed(type) : new Target(type, false);
    }

    private static Target indexed(Class<?> type) {
        for (Method m : type.getMethods()) {
            if (m.getName().equals("getAt") && m.getParameterCount() == 1 && m.getReturnType() != Object.class) {
                return new Target(m.getReturnType(), false);
            }
        }
        return type.isArray() ? new Target(type.getComponentType(), false) : null;
    }

    private static String nameOf(String segment) {
        int i = 0;
        while (i < segment.length() && Character.isJavaIdentifierPart(segment.charAt(i))) {
            i++;
        }
        return segment.substring(0, i);
    }

    private static Class<?> returnType(Target target, String name) {
        for (Method m : target.type().getMethods()) {
            if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) == target.statics()) {
                return usable(m.getReturnType());
            }
        }
        for (Method m : gdk(target.type())) {
            if (m.getName().equals(name)) {
                return usable(m.getReturnType());
            }
        }
        return null;
    }

    private static Class<?> propertyType(Target target, String name) {
        String cap = name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (Method m : target.type().getMethods()) {
            if (m.getParameterCount() == 0 && (m.getName().equals("get" + cap) || m.getName().equals("is" + cap))
                    && Modifier.isStatic(m.getModifiers()) == target.statics()) {
                return usable(m.getReturnType());
            }
        }
        for (Field f : target.type().getFields()) {
            if (f.getName().equals(name) && Modifier.isStatic(f.getModifiers()) == target.statics()) {
                return usable(f.getType());
            }
        }
        return null;
    }

    private static Class<?> usable(Class<?> type) {
        return type == void.class || type == Object.class ? null : type;
    }

    /** Members of the receiver matching {@code prefix}: spotsh's own first (each with its help), then the rest. */
    private static List<Candidate> members(Target target, String prefix) {
        Map<String, Candidate> found = new TreeMap<>();
        for (Method m : target.type().getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) != target.statics() || m.isSynthetic()) {
                continue;
            }
            String name = m.getName();
            String description = describe(m);
            String group = own(m) ? SPOTSH : OTHERS;
            String property = propertyName(m);
            if (property != null && property.startsWith(prefix) && !HIDDEN.contains(property)) {
                found.putIfAbsent(property, new Candidate(property, property, description, group));
            }
            if (property == null && name.startsWith(prefix) && !HIDDEN.contains(name) && !name.contains("$")) {
                // with overloads that take arguments, leave the parenthesis open
                Candidate before = found.get(name);
                boolean open = m.getParameterCount() > 0 || before != null && before.value().endsWith("(");
                found.put(name, new Candidate(name + (open ? "(" : "()"), name,
                        description != null || before == null ? description : before.description(),
                        before == null || !before.own() ? group : before.group()));
            }
        }
        if (!target.statics()) {
            for (Method m : gdk(target.type())) {
                String name = m.getName();
                if (name.startsWith(prefix) && !HIDDEN.contains(name)) {
                    // the first parameter is the receiver; any overload with more leaves the call open
                    Candidate before = found.get(name);
                    boolean open = m.getParameterCount() > 1 || before != null && before.value().endsWith("(");
                    found.put(name, new Candidate(name + (open ? "(" : "()"), name,
                            before == null ? null : before.description(), before == null ? OTHERS : before.group()));
                }
            }
        }
        for (Field f : target.type().getFields()) {
            if (Modifier.isStatic(f.getModifiers()) == target.statics() && f.getName().startsWith(prefix)) {
                found.putIfAbsent(f.getName(), new Candidate(f.getName(), f.getName(), f.getType().getSimpleName(),
                        f.getDeclaringClass().getName().startsWith(OWN_PACKAGE) ? SPOTSH : OTHERS));
            }
        }
        List<Candidate> ordered = new ArrayList<>();
        found.values().stream().filter(Candidate::own).forEach(ordered::add);
        found.values().stream().filter(c -> !c.own()).forEach(ordered::add);
        return ordered;
    }

    private static final String OWN_PACKAGE = "io.spotsh.";

    /** Declared by one of spotsh's classes (a node set's {@code run}), not inherited from Groovy or Java. */
    private static boolean own(Method m) {
        return m.getDeclaringClass().getName().startsWith(OWN_PACKAGE) && !OBJECT_METHODS.contains(m.getName())
                && !(m.getParameterCount() == 0 && m.getName().equals("iterator"));
    }

    /** A type's one line of help, else its simple name. */
    private static String describe(Class<?> type) {
        Help help = type.getAnnotation(Help.class);
        return help != null ? help.value() : type.getSimpleName();
    }

    /** The help text of a member without the call form it starts with: {@code run('cmd') — run on every node} → {@code run on every node}. */
    private static String describe(Method m) {
        Help help = m.getAnnotation(Help.class);
        if (help == null) {
            return null;
        }
        String text = help.value();
        int dash = text.indexOf(" — ");
        return dash >= 0 ? text.substring(dash + 3) : text;
    }

    private static String propertyName(Method m) {
        String name = m.getName();
        if (m.getParameterCount() != 0 || m.getReturnType() == void.class) {
            return null;
        }
        int skip = name.startsWith("get") && name.length() > 3 ? 3 : name.startsWith("is") && name.length() > 2 ? 2 : 0;
        if (skip == 0 || !Character.isUpperCase(name.charAt(skip))) {
            return null;
        }
        return Character.toLowerCase(name.charAt(skip)) + name.substring(skip + 1);
    }

    /** Groovy's added methods ({@code each}, {@code findAll}, ...) for a type, skipping those on Object. */
    private static List<Method> gdk(Class<?> type) {
        synchronized (GDK) {
            return GDK.computeIfAbsent(type, t -> {
                List<Method> methods = new ArrayList<>();
                for (Method m : DefaultGroovyMethods.class.getMethods()) {
                    if (!Modifier.isStatic(m.getModifiers()) || m.getParameterCount() == 0 || m.isAnnotationPresent(Deprecated.class)) {
                        continue;
                    }
                    Class<?> self = m.getParameterTypes()[0];
                    if (self != Object.class && self.isAssignableFrom(t)) {
                        methods.add(m);
                    }
                }
                return methods;
            });
        }
    }
}
