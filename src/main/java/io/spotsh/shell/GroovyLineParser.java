package io.spotsh.shell;

import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Tells JLine when a Groovy input is complete, so Enter inside an open bracket, string or closure continues
 * on the next line, and cuts out the word under the cursor for completion. It only scans characters: it
 * never compiles or runs the input (JLine's own Groovy engine evaluates code on Tab; this must not).
 */
final class GroovyLineParser implements Parser {

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE) {
            String missing = missing(line);
            if (missing != null) {
                throw new EOFError(-1, cursor, "incomplete input", missing);
            }
        }
        int start = cursor;
        while (start > 0 && Character.isJavaIdentifierPart(line.charAt(start - 1))) {
            start--;
        }
        int end = cursor;
        while (end < line.length() && Character.isJavaIdentifierPart(line.charAt(end))) {
            end++;
        }
        return new Line(line, cursor, line.substring(start, end), cursor - start);
    }

    @Override
    public boolean isEscapeChar(char ch) {
        return false;
    }

    /**
     * What is still open at the end of {@code text} (a closing bracket or quote, shown in the continuation
     * prompt), or null when the text can be evaluated.
     */
    static String missing(String text) {
        // contexts: ( [ { are code brackets, $ is ${ inside a GString, " and D are '"' and '"""' strings
        Deque<Character> open = new ArrayDeque<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            Character top = open.peek();
            boolean inString = top != null && (top == '"' || top == 'D');
            if (inString) {
                if (c == '\\') {
                    i += 2;
                    continue;
                }
                if (c == '$' && i + 1 < n && text.charAt(i + 1) == '{') {
                    open.push('$');
                    i += 2;
                    continue;
                }
                if (top == '"' && c == '"') {
                    open.pop();
                } else if (top == 'D' && text.startsWith("\"\"\"", i)) {
                    open.pop();
                    i += 3;
                    continue;
                }
                i++;
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                int nl = text.indexOf('\n', i);
                if (nl < 0) {
                    break;
                }
                i = nl + 1;
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int close = text.indexOf("*/", i + 2);
                if (close < 0) {
                    return "*/";
                }
                i = close + 2;
                continue;
            }
            if (c == '\'') {
                boolean triple = text.startsWith("'''", i);
                String quote = triple ? "'''" : "'";
                int close = closing(text, i + quote.length(), quote);
                if (close < 0) {
                    return quote;
                }
                i = close + quote.length();
                continue;
            }
            if (c == '"') {
                boolean triple = text.startsWith("\"\"\"", i);
                open.push(triple ? 'D' : '"');
                i += triple ? 3 : 1;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                open.push(c);
            } else if (c == ')' || c == ']' || c == '}') {
                if (top == null) {
                    return null; // unbalanced close: let the compiler say where
                }
                open.pop();
            }
            i++;
        }
        if (!open.isEmpty()) {
            return switch (open.peek()) {
                case '(' -> ")";
                case '[' -> "]";
                case '"' -> "\"";
                case 'D' -> "\"\"\"";
                default -> "}";
            };
        }
        String trimmed = text.stripTrailing();
        if (trimmed.endsWith("\\")) {
            return "\\";
        }
        for (String op : List.of(".", ",", "&&", "||", "=", "?")) {
            if (trimmed.endsWith(op) && !trimmed.endsWith("..")) {
                return op;
            }
        }
        return null;
    }

    private static int closing(String text, int from, String quote) {
        int i = from;
        while (i < text.length()) {
            if (text.charAt(i) == '\\') {
                i += 2;
                continue;
            }
            if (text.startsWith(quote, i)) {
                return i;
            }
            i++;
        }
        return -1;
    }

    private record Line(String line, int cursor, String word, int wordCursor) implements CompletingParsedLine {
        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate; // Groovy identifiers need no shell-style quoting
        }

        @Override
        public int rawWordCursor() {
            return wordCursor;
        }

        @Override
        public int rawWordLength() {
            return word.length();
        }

        @Override
        public int wordIndex() {
            return 0;
        }

        @Override
        public List<String> words() {
            return List.of(word);
        }
    }
}
