package io.spotsh.script;

import groovy.lang.Binding;
import io.spotsh.common.Log;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one binding the shell, plans and {@code -e} share. Besides plain variables it holds "lazy" objects
 * (the registry starts PostgreSQL, so it is created on first use, never by starting the shell or by
 * completion): their type is known up front so completion can describe them without creating them.
 */
public final class SessionBinding extends Binding {
    private final Log log;
    private final Map<String, Lazy<?>> lazy = new LinkedHashMap<>();

    public SessionBinding(Log log, List<String> args) {
        this.log = log;
        setVariable("args", new ArrayList<>(args));
    }

    public Log log() {
        return log;
    }

    /** Binds {@code name} to an object made by {@code factory} the first time a script reads it. */
    public <T> void bindLazy(String name, Class<T> type, Supplier<? extends T> factory) {
        lazy.put(name, new Lazy<>(type, factory));
    }

    /** The static type of a bound name without creating or running anything; null when unbound. */
    public Class<?> typeOf(String name) {
        Lazy<?> l = lazy.get(name);
        if (l != null) {
            return l.type;
        }
        if (!super.hasVariable(name)) {
            return null;
        }
        Object value = super.getVariable(name);
        return value == null ? null : value.getClass();
    }

    /** The value of a bound name if it exists already: lazy objects not yet created give null. */
    public Object peek(String name) {
        Lazy<?> l = lazy.get(name);
        if (l != null) {
            return l.value;
        }
        return super.hasVariable(name) ? super.getVariable(name) : null;
    }

    /** Every bound name: lazy objects first (they are the product's objects), then user variables. */
    public List<String> names() {
        List<String> names = new ArrayList<>(lazy.keySet());
        for (Object key : getVariables().keySet()) {
            String name = String.valueOf(key);
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    public Map<String, Class<?>> lazyTypes() {
        Map<String, Class<?>> types = new LinkedHashMap<>();
        lazy.forEach((name, l) -> types.put(name, l.type));
        return types;
    }

    /** Lazy objects that were created, so the session can close them on exit. */
    public List<Object> createdObjects() {
        List<Object> created = new ArrayList<>();
        for (Lazy<?> l : lazy.values()) {
            if (l.value != null) {
                created.add(l.value);
            }
        }
        return created;
    }

    @Override
    public Object getVariable(String name) {
        Lazy<?> l = lazy.get(name);
        if (l != null) {
            return l.get();
        }
        return super.getVariable(name);
    }

    @Override
    public boolean hasVariable(String name) {
        return lazy.containsKey(name) || super.hasVariable(name);
    }

    @Override
    public void setVariable(String name, Object value) {
        if (lazy.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is a spotsh object and cannot be reassigned");
        }
        super.setVariable(name, value);
    }

    private static final class Lazy<T> {
        final Class<T> type;
        final Supplier<? extends T> factory;
        volatile T value;

        Lazy(Class<T> type, Supplier<? extends T> factory) {
            this.type = type;
            this.factory = factory;
        }

        synchronized T get() {
            if (value == null) {
                value = factory.get();
            }
            return value;
        }
    }
}
