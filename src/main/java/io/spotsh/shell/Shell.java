package io.spotsh.shell;

import io.spotsh.report.Rendering;
import io.spotsh.script.Completion;
import io.spotsh.script.Engine;
import io.spotsh.script.ScriptError;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The interactive shell: JLine reads (multi-line Groovy, history, completion), the {@link Engine} evaluates
 * on a worker thread so Ctrl-C can interrupt a command and return to the prompt.
 */
public final class Shell {
    /** After a second Ctrl-C, how long a command that ignores interrupts may hold the prompt. */
    private static final long ABANDON_AFTER_MS = 2000;

    private final Terminal terminal;
    private final Session session;
    private final LineReader reader;
    private final PrintWriter out;
    private final Map<String, String> commands = new LinkedHashMap<>();
    private Throwable lastError;
    private int worker;

    public Shell(Terminal terminal, Session session, Path history) {
        this.terminal = terminal;
        this.session = session;
        this.out = terminal.writer();
        Completion completion = new Completion(session.binding());
        Completer completer = (reader, line, candidates) -> {
            // Tab after "nodes." lists spotsh's members with their help; after "nodes.c" Groovy's too, listed after them
            Completion.Result result = completion.complete(line.line(), line.cursor(), false);
            for (Completion.Candidate c : result.candidates()) {
                candidates.add(new Candidate(c.value(), c.display(), c.group(), c.description(), null, null, false));
            }
        };
        this.reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("spotsh")
                .parser(new GroovyLineParser())
                .completer(completer)
                .variable(LineReader.HISTORY_FILE, history)
                .variable(LineReader.HISTORY_FILE_SIZE, 10_000)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P %M> ")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is Groovy's not
                .option(LineReader.Option.INSERT_TAB, false)
                .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                // spotsh's own members under their own heading, before what Groovy adds to every object (the
                // others group, named so JLine sorts it last)
                .option(LineReader.Option.GROUP, true)
                .option(LineReader.Option.AUTO_GROUP, true)
                .variable(LineReader.OTHERS_GROUP_NAME, Completion.OTHERS)
                .build();
        commands.put("help [name]", "list objects and their methods, or one object's");
        commands.put(":stacktrace", "show the full trace of the last error");
        commands.put(":exit", "leave the shell (also Ctrl-D)");
    }

    /** Reads and evaluates lines until Ctrl-D or {@code :exit}. */
    public void run() {
        session.setStatusLine(new TerminalStatus(terminal));
        session.setInteractive(true);
        out.println("spotsh " + Session.version() + " — type help for the objects, Tab to complete, Ctrl-D to leave.");
        out.flush();
        while (true) {
            String line;
            try {
                line = reader.readLine("spotsh> ");
            } catch (UserInterruptException e) {
                continue; // Ctrl-C at the prompt drops the line being typed, nothing more
            } catch (EndOfFileException e) {
                break;
            }
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.equals(":exit") || trimmed.equals(":quit") || trimmed.equals("exit")) {
                break;
            }
            if (!command(trimmed)) {
                evaluate(line);
            }
        }
        try {
            reader.getHistory().save();
        } catch (java.io.IOException e) {
            error("could not save history: " + e.getMessage());
        }
    }

    private boolean command(String line) {
        if (line.equals("help") || line.equals(":help")) {
            out.print(HelpText.overview(session.binding(), commands));
        } else if (line.matches("(help|:help)\\s+\\w+")) {
            out.print(HelpText.of(line.split("\\s+")[1], session.binding()));
        } else if (line.equals(":stacktrace") || line.equals(":st")) {
            if (lastError == null) {
                out.println("no error yet");
            } else {
                StringWriter trace = new StringWriter();
                lastError.printStackTrace(new PrintWriter(trace));
                out.print(trace);
            }
        } else {
            return false;
        }
        out.flush();
        return true;
    }

    /** Evaluates one input on a worker thread; Ctrl-C interrupts it, a second one gives the prompt back. */
    void evaluate(String line) {
        FutureTask<Object> task = new FutureTask<>(() -> session.engine().evaluate(line, "input", Engine.Mode.SHELL));
        Thread thread = new Thread(task, "spotsh-eval-" + (++worker));
        thread.setDaemon(true);
        AtomicInteger interrupts = new AtomicInteger();
        long[] lastInterrupt = {0};
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> {
            interrupts.incrementAndGet();
            lastInterrupt[0] = System.currentTimeMillis();
            thread.interrupt();
        });
        thread.start();
        try {
            while (true) {
                try {
                    Rendering.print(task.get(100, TimeUnit.MILLISECONDS), out);
                    return;
                } catch (TimeoutException e) {
                    if (interrupts.get() >= 2 && System.currentTimeMillis() - lastInterrupt[0] > ABANDON_AFTER_MS) {
                        error("the command ignores interrupts; it goes on in the background (" + thread.getName() + ")");
                        return;
                    }
                } catch (InterruptedException e) {
                    thread.interrupt();
                } catch (ExecutionException e) {
                    report(e.getCause());
                    return;
                }
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
        }
    }

    private void report(Throwable t) {
        lastError = t;
        if (t instanceof ScriptError.Interrupted) {
            error("interrupted");
        } else if (t instanceof ScriptError e) {
            error(e.line() > 0 ? "line " + e.line() + ": " + e.detail() : e.detail());
        } else {
            error(t.getClass().getSimpleName() + ": " + t.getMessage());
        }
    }

    private void error(String message) {
        AttributedString text = new AttributedString(message, AttributedStyle.DEFAULT.foreground(AttributedStyle.RED));
        out.println(text.toAnsi(terminal));
        out.flush();
    }
}
