package io.spotsh.shell;

import io.spotsh.common.Help;
import io.spotsh.script.PlanScript;
import io.spotsh.script.SessionBinding;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The {@code help} command: the bound objects and their methods, one line each, read from the
 * {@link Help} annotations on the classes themselves so the text cannot drift from the code.
 */
final class HelpText {
    private HelpText() {
    }

    static String overview(SessionBinding binding, Map<String, String> commands) {
        StringBuilder out = new StringBuilder();
        out.append("Objects (type a name and a dot, then Tab, to see members):\n");
        for (Map.Entry<String, Class<?>> e : binding.lazyTypes().entrySet()) {
            Help help = e.getValue().getAnnotation(Help.class);
            out.append(String.format("  %-12s %s%n", e.getKey(), help == null ? e.getValue().getSimpleName() : help.value()));
            for (String line : members(e.getValue())) {
                out.append("    ").append(line).append('\n');
            }
        }
        out.append("Plan functions:\n");
        for (String line : members(PlanScript.class)) {
            out.append("  ").append(line).append('\n');
        }
        out.append("Shell commands:\n");
        commands.forEach((name, text) -> out.append(String.format("  %-18s %s%n", name, text)));
        return out.toString();
    }

    static String of(String name, SessionBinding binding) {
        Class<?> type = binding.typeOf(name);
        if (type == null) {
            return "no object named '" + name + "'; type help for the list\n";
        }
        StringBuilder out = new StringBuilder();
        Help help = type.getAnnotation(Help.class);
        out.append(name).append(" — ").append(help == null ? type.getName() : help.value()).append('\n');
        List<String> members = members(type);
        if (members.isEmpty()) {
            out.append("  (no documented members; Tab after '").append(name).append(".' lists them all)\n");
        }
        for (String line : members) {
            out.append("  ").append(line).append('\n');
        }
        return out.toString();
    }

    /** One line per documented public method of {@code type}, in name order. */
    static List<String> members(Class<?> type) {
        List<Method> documented = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.isAnnotationPresent(Help.class) && !m.isBridge()) {
                documented.add(m);
            }
        }
        documented.sort(Comparator.comparing(Method::getName).thenComparingInt(Method::getParameterCount));
        List<String> lines = new ArrayList<>();
        String previous = null;
        for (Method m : documented) {
            String text = m.getAnnotation(Help.class).value();
            if (text.equals(previous)) {
                continue; // overloads share one line
            }
            previous = text;
            lines.add(text);
        }
        return lines;
    }
}
