package io.spotsh.shell;

import io.spotsh.common.StatusLine;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Status;

import java.util.List;

/** The shell's status line, drawn by JLine below the scrolling output. */
final class TerminalStatus implements StatusLine {
    private final Status status;

    TerminalStatus(Terminal terminal) {
        this.status = Status.getStatus(terminal);
    }

    @Override
    public synchronized void show(String text) {
        if (status != null) {
            status.update(List.of(new AttributedString(text, AttributedStyle.DEFAULT.inverse())));
        }
    }

    @Override
    public synchronized void clear() {
        if (status != null) {
            status.update(List.of());
        }
    }
}
