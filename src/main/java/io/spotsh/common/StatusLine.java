package io.spotsh.common;

/**
 * A live one-line status at the bottom of the operator's terminal ("await ring-6: data 5/6 ..."), for
 * long waits. Outside a terminal there is none and the timestamped log lines say everything.
 */
public interface StatusLine {
    StatusLine NONE = new StatusLine() {
        @Override
        public void show(String text) {
        }

        @Override
        public void clear() {
        }
    };

    void show(String text);

    void clear();
}
