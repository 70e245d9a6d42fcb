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

    /** {@code log "text"}: a timestamped line in the field report's format. */
    @Help("log \"text\" — print a timestamped line: 2026-01-02 05:05:02 text")
    public void log(Object text) {
        Binding b = getBinding();
        Log log = b instanceof SessionBinding ? ((SessionBinding) b).log() : FALLBACK;
        log.log(text);
    }

    /** The plan's arguments: {@code spotsh -f plan.groovy a b} gives {@code args == ['a', 'b']}. */
    @SuppressWarnings("unchecked")
    @Help("args — the words after the plan file on the command line")
    public List<String> getArgs() {
        return (List<String>) getBinding().getVariable("args");
    }
}
