package io.spotsh.report;

import org.codehaus.groovy.runtime.InvokerHelper;

import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * How spotsh shows a value (the shell's results, {@code -e}, {@code println} of rows in plans): rows (a list of maps) and maps as tables, other lists one
 * item a line, everything else as Groovy would print it. Nothing is printed for null.
 */
public final class Rendering {
    private static final int MAX_ITEMS = 1000;

    private Rendering() {
    }

    public static void print(Object value, PrintWriter out) {
        String text = render(value);
        if (text != null) {
            out.print(text.endsWith("\n") ? text : text + "\n");
            out.flush();
        }
    }

    public static String render(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof io.spotsh.common.Tabular tabular) {
            List<Map<String, Object>> rows = tabular.rows();
            String caption = tabular.caption(rows.size());
            String count = "(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)");
            if (rows.isEmpty()) {
                return caption != null ? caption : "(no rows)";
            }
            return Table.of(rows).render() + (caption != null ? caption : count);
        }
        if (value instanceof io.spotsh.types.TestType type) {
            // a test type is a strategy object: its name and what it runs say what it is
            return "test type " + type.name() + " — " + type.description();
        }
        if (value instanceof Collection<?> items && !items.isEmpty() && allMaps(items)) {
            @SuppressWarnings("unchecked")
            Collection<? extends Map<?, ?>> rows = (Collection<? extends Map<?, ?>>) items;
            return Table.of(rows).render() + "(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)");
        }
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            return Table.ofEntries(map).render();
        }
        if (value instanceof Collection<?> items && !items.isEmpty() && items.size() > 1 && !allScalars(items)) {
            StringBuilder out = new StringBuilder();
            int shown = 0;
            for (Object item : items) {
                if (shown++ == MAX_ITEMS) {
                    out.append("... ").append(items.size() - MAX_ITEMS).append(" more\n");
                    break;
                }
                out.append(InvokerHelper.toString(item)).append('\n');
            }
            return out.toString();
        }
        if (value instanceof CharSequence) {
            return value.toString();
        }
        return InvokerHelper.inspect(value);
    }

    private static boolean allMaps(Collection<?> items) {
        return items.stream().allMatch(i -> i instanceof Map);
    }

    private static boolean allScalars(Collection<?> items) {
        return items.stream().allMatch(i -> i == null || i instanceof Number || i instanceof CharSequence
                || i instanceof Boolean || i instanceof Character || i instanceof Enum) && items.size() <= 20;
    }

    /** True for what prints better as a table than as Groovy's one-line form: rows and row sets. */
    public static boolean isTable(Object value) {
        return value instanceof io.spotsh.common.Tabular
                || value instanceof Collection<?> items && !items.isEmpty() && allMaps(items);
    }
}
