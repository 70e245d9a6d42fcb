package io.spotsh.common;

/** POSIX shell quoting for what spotsh writes into commands and boot scripts. */
public final class ShellQuote {
    private ShellQuote() {
    }

    /** {@code it's} becomes {@code 'it'\''s'}: one single-quoted word, whatever the text holds. */
    public static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
