package io.spotsh.script;

import groovy.lang.Binding;
import groovy.lang.Script;
import io.spotsh.common.Help;
import io.spotsh.common.Log;

import java.util.List;

/**
 * Base class of every plan, {@code -e} expression and shell line: what a plan can call without a receiver.
 */
public abstract class PlanScript extends Script {
    private static final Log FALLBACK = new Log(System.out);

    protected PlanScript() {
    }

    protected PlanScript(Binding binding) {
        super(binding);
    }

    /** {@code log "text"}: a timestamped line, as the operator's log writes them. */
    @Help("log \"text\" — print a timestamped line: 2026-01-02 05:05:02 text")
    public void log(Object text) {
        Binding b = getBinding();
        Log log = b instanceof SessionBinding ? ((SessionBinding) b).log() : FALLBACK;
        log.log(text);
    }

    // print and println go to the session's output (a test or an embedding caller may not use System.out)
    private java.io.PrintStream out() {
        Binding b = getBinding();
        return b instanceof SessionBinding ? ((SessionBinding) b).log().out() : System.out;
    }

    @Override
    public void println() {
        out().println();
    }

    @Override
    public void println(Object value) {
        // rows (registry queries, status, fan-out results) print as tables, as in the shell
        if (io.spotsh.report.Rendering.isTable(value)) {
            out().print(io.spotsh.report.Rendering.render(value) + "\n");
        } else {
            out().println(org.codehaus.groovy.runtime.InvokerHelper.toString(value));
        }
    }

    @Override
    public void print(Object value) {
        out().print(org.codehaus.groovy.runtime.InvokerHelper.toString(value));
    }

    @Override
    public void printf(String format, Object value) {
        out().printf(format, value);
    }

    @Override
    public void printf(String format, Object[] values) {
        out().printf(format, values);
    }

    /**
     * {@code phase("load") { ... }}: marks start and end on every node, times the phase and records it; the
     * binding's {@code cluster} does the work, so a plan without a test gets its clear error.
     */
    @Help("phase('name') { ... } — a timed, recorded phase with sysstat markers on every node")
    public Object phase(String name, groovy.lang.Closure<?> body) {
        return org.codehaus.groovy.runtime.InvokerHelper.invokeMethod(getBinding().getVariable("cluster"), "phase",
                new Object[] {name, body});
    }

    /** The plan's arguments: {@code spotsh -f plan.groovy a b} gives {@code args == ['a', 'b']}. */
    @SuppressWarnings("unchecked")
    @Help("args — the words after the plan file on the command line")
    public List<String> getArgs() {
        return (List<String>) getBinding().getVariable("args");
    }
}
