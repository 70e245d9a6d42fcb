package io.spotsh.fanout;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Folds node names into ClusterShell-style ranges: {@code data-1, data-2, data-3, data-5} becomes
 * {@code data-[1-3,5]}. Names without a trailing number are listed as they are.
 */
final class NameRanges {
    private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)");

    private NameRanges() {
    }

    static String fold(Collection<String> names) {
        Map<String, TreeSet<Integer>> byPrefix = new LinkedHashMap<>();
        List<String> plain = new ArrayList<>();
        for (String name : names) {
            Matcher m = NUMBERED.matcher(name);
            if (m.matches() && m.group(2).length() < 10 && (m.group(2).equals("0") || !m.group(2).startsWith("0"))) {
                byPrefix.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(Integer.parseInt(m.group(2)));
            } else {
                plain.add(name);
            }
        }
        List<String> parts = new ArrayList<>();
        byPrefix.forEach((prefix, numbers) -> parts.add(numbers.size() == 1
                ? prefix + numbers.first()
                : prefix + "[" + ranges(numbers) + "]"));
        parts.addAll(plain);
        return String.join(",", parts);
    }

    private static String ranges(TreeSet<Integer> numbers) {
        StringBuilder out = new StringBuilder();
        Integer first = null;
        Integer last = null;
        for (int n : numbers) {
            if (last != null && n == last + 1) {
                last = n;
                continue;
            }
            appendRange(out, first, last);
            first = n;
            last = n;
        }
        appendRange(out, first, last);
        return out.toString();
    }

    private static void appendRange(StringBuilder out, Integer first, Integer last) {
        if (first == null) {
            return;
        }
        if (out.length() > 0) {
            out.append(',');
        }
        out.append(first);
        if (!first.equals(last)) {
            out.append('-').append(last);
        }
    }
}
