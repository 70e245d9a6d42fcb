package io.spotsh.script;

import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovyCodeSource;
import groovy.lang.MissingMethodException;
import groovy.lang.MissingPropertyException;
import groovy.lang.Script;
import groovy.transform.ThreadInterrupt;
import org.codehaus.groovy.control.CompilationFailedException;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.customizers.ASTTransformationCustomizer;
import org.codehaus.groovy.control.customizers.ImportCustomizer;
import org.codehaus.groovy.control.messages.ExceptionMessage;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.runtime.InvokerInvocationException;
import org.codehaus.groovy.runtime.MethodClosure;
import org.codehaus.groovy.syntax.SyntaxException;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * spotsh's own small Groovy engine on {@link GroovyClassLoader}: compiles plans, {@code -e} expressions and
 * shell lines against one {@link SessionBinding} with {@link PlanScript} as base class. Every loop gets an
 * interrupt check ({@code ThreadInterrupt}), so Ctrl-C stops even {@code while (true) {}}.
 *
 * <pre>{@code
 * Engine engine = new Engine(binding);
 * Object result = engine.evaluate("1 + 1", "-e", Engine.Mode.PLAN);
 * }</pre>
 *
 * Compiling never runs user code; {@link #compile} is separate from {@link #run} so a plan that does not
 * compile launches nothing.
 */
public final class Engine {
    /** How a text is compiled: shell lines keep their top-level {@code def}s in the binding. */
    public enum Mode { PLAN, SHELL }

    private static final Pattern POSITION = Pattern.compile("\\s*@ line \\d+, column \\d+\\.?\\s*$");

    private final SessionBinding binding;
    private final GroovyClassLoader planLoader;
    private final GroovyClassLoader shellLoader;
    private final AtomicInteger shellLines = new AtomicInteger();

    public Engine(SessionBinding binding) {
        this.binding = binding;
        ClassLoader parent = Engine.class.getClassLoader();
        this.planLoader = new GroovyClassLoader(parent, configuration(false));
        this.shellLoader = new GroovyClassLoader(parent, configuration(true));
    }

    private static CompilerConfiguration configuration(boolean shell) {
        CompilerConfiguration config = new CompilerConfiguration();
        config.setScriptBaseClass(PlanScript.class.getName());
        ImportCustomizer imports = new ImportCustomizer();
        imports.addStarImports("java.time", "java.util.concurrent");
        config.addCompilationCustomizers(imports, new ASTTransformationCustomizer(ThreadInterrupt.class));
        if (shell) {
            config.addCompilationCustomizers(new ReplTransform());
        }
        return config;
    }

    public SessionBinding binding() {
        return binding;
    }

    /** Compiles and runs {@code text} on the calling thread. */
    public Object evaluate(String text, String sourceName, Mode mode) {
        return run(compile(text, sourceName, mode), sourceName);
    }

    /** Compiles without running anything; throws {@link ScriptError.Compile} naming file, line and column. */
    public Script compile(String text, String sourceName, Mode mode) {
        GroovyClassLoader loader = mode == Mode.SHELL ? shellLoader : planLoader;
        String className = mode == Mode.SHELL ? "shell_" + shellLines.incrementAndGet() : classNameFor(sourceName);
        GroovyCodeSource code = new GroovyCodeSource(text, className + ".groovy", "/groovy/script");
        code.setCachable(false);
        try {
            Class<?> type = loader.parseClass(code, false);
            Script script = (Script) type.getDeclaredConstructor().newInstance();
            script.setBinding(binding);
            return script;
        } catch (MultipleCompilationErrorsException e) {
            throw compileError(sourceName, e);
        } catch (CompilationFailedException e) {
            throw new ScriptError.Compile(sourceName, 0, 0, firstLine(e.getMessage()), e);
        } catch (ReflectiveOperationException e) {
            throw new ScriptError.Compile(sourceName, 0, 0, "cannot instantiate script: " + e, e);
        }
    }

    /** Runs a compiled script; errors come back as {@link ScriptError} naming the line in the script. */
    public Object run(Script script, String sourceName) {
        String fileName = script.getClass().getName() + ".groovy";
        try {
            Object result = script.run();
            exportMethods(script);
            return result;
        } catch (ScriptError e) {
            throw e;
        } catch (Throwable t) {
            Throwable cause = unwrap(t);
            int line = lineIn(cause, fileName);
            if (isInterrupt(cause)) {
                throw new ScriptError.Interrupted(sourceName, line, cause);
            }
            throw new ScriptError.Runtime(sourceName, line, describe(cause, script.getClass().getName()), cause);
        }
    }

    /** Methods defined at the prompt ({@code def up(n) {...}}) stay callable from later lines. */
    private void exportMethods(Script script) {
        if (!(script.getClass().getName().startsWith("shell_"))) {
            return;
        }
        for (Method m : script.getClass().getDeclaredMethods()) {
            String name = m.getName();
            if (m.isSynthetic() || !Modifier.isPublic(m.getModifiers()) || name.startsWith("$")
                    || name.equals("run") || name.equals("main") || name.contains("$")) {
                continue;
            }
            binding.setVariable(name, new MethodClosure(script, name));
        }
    }

    private static String classNameFor(String sourceName) {
        String base = sourceName.replaceAll(".*/", "").replaceAll("\\.groovy$", "");
        String name = base.replaceAll("[^A-Za-z0-9_]", "_");
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
            name = "plan_" + name;
        }
        return name;
    }

    private static ScriptError.Compile compileError(String sourceName, MultipleCompilationErrorsException e) {
        for (Message message : e.getErrorCollector().getErrors()) {
            if (message instanceof SyntaxErrorMessage) {
                SyntaxException cause = ((SyntaxErrorMessage) message).getCause();
                String detail = POSITION.matcher(firstLine(cause.getOriginalMessage())).replaceAll("");
                return new ScriptError.Compile(sourceName, cause.getStartLine(), cause.getStartColumn(), detail, e);
            }
            if (message instanceof ExceptionMessage) {
                Exception cause = ((ExceptionMessage) message).getCause();
                return new ScriptError.Compile(sourceName, 0, 0, firstLine(String.valueOf(cause.getMessage())), e);
            }
        }
        return new ScriptError.Compile(sourceName, 0, 0, firstLine(e.getMessage()), e);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof InvokerInvocationException
                || current instanceof java.lang.reflect.InvocationTargetException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    static boolean isInterrupt(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException || c instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    /** The line of the innermost stack frame that belongs to the script, or 0. */
    static int lineIn(Throwable t, String fileName) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            for (StackTraceElement frame : c.getStackTrace()) {
                if (fileName.equals(frame.getFileName()) && frame.getLineNumber() > 0) {
                    return frame.getLineNumber();
                }
            }
        }
        return 0;
    }

    /** One line an operator can act on: Groovy's messages name generated classes and list candidates. */
    static String describe(Throwable t, String scriptClass) {
        if (t instanceof MissingPropertyException) {
            MissingPropertyException e = (MissingPropertyException) t;
            Class<?> type = e.getType();
            if (type == null || type.getName().equals(scriptClass)) {
                return "no such variable: " + e.getProperty();
            }
            return "no such property: " + e.getProperty() + " on " + type.getSimpleName();
        }
        if (t instanceof MissingMethodException) {
            MissingMethodException e = (MissingMethodException) t;
            Class<?> type = e.getType();
            String on = type == null || type.getName().equals(scriptClass) ? "" : " on " + type.getSimpleName();
            return "no method " + e.getMethod() + "(" + argumentTypes(e.getArguments()) + ")" + on;
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String line = firstLine(message);
        boolean obvious = t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t.getClass().getName().startsWith("io.spotsh.") || t.getClass() == RuntimeException.class;
        return obvious ? line : t.getClass().getSimpleName() + ": " + line;
    }

    private static String argumentTypes(Object[] args) {
        StringBuilder s = new StringBuilder();
        for (Object a : args == null ? new Object[0] : args) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(a == null ? "null" : a.getClass().getSimpleName());
        }
        return s.toString();
    }

    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String trimmed = text.strip();
        if (trimmed.startsWith("startup failed:")) {
            trimmed = trimmed.substring("startup failed:".length()).strip();
        }
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
    }
}
