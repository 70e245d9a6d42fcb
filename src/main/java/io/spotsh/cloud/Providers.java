package io.spotsh.cloud;

import io.spotsh.common.StateDir;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds providers by the name users type ({@code --provider}, {@code SPOTSH_PROVIDER}, {@code provider:}). */
public final class Providers {
    private Providers() {
    }

    public static Map<String, ProviderFactory> all() {
        Map<String, ProviderFactory> all = new TreeMap<>();
        for (ProviderFactory f : ServiceLoader.load(ProviderFactory.class, Providers.class.getClassLoader())) {
            all.put(f.name(), f);
        }
        return all;
    }

    public static Provider open(String name, StateDir stateDir, Map<String, Object> settings) {
        ProviderFactory factory = all().get(name);
        if (factory == null) {
            throw new io.spotsh.common.BadInput("unknown provider '" + name + "' (known: " + String.join(", ", all().keySet()) + ")");
        }
        return factory.open(stateDir, settings == null ? Map.of() : settings);
    }
}
