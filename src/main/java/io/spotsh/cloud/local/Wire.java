package io.spotsh.cloud.local;

import groovy.json.JsonOutput;
import groovy.json.JsonSlurper;
import io.spotsh.cloud.Instance;
import io.spotsh.cloud.InstanceState;
import io.spotsh.cloud.Zone;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON the local cloud's client and daemon exchange, and the daemon's files: plain maps, lists, strings, numbers. */
final class Wire {
    private Wire() {
    }

    static String json(Object value) {
        return JsonOutput.toJson(plain(value));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String text) {
        Object value = new JsonSlurper().parseText(text);
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("expected a JSON object, got " + (text.length() > 80 ? text.substring(0, 80) : text));
        }
        return (Map<String, Object>) value;
    }

    static Map<String, Object> instance(Instance i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("zone", i.zone());
        m.put("instanceType", i.instanceType());
        m.put("state", i.state().toString());
        m.put("privateIp", i.privateIp());
        m.put("publicIp", i.publicIp());
        m.put("sshPort", i.sshPort());
        m.put("stateReason", i.stateReason());
        m.put("interruptAt", text(i.interruptAt()));
        m.put("tags", i.tags());
        m.put("launchedAt", text(i.launchedAt()));
        return m;
    }

    @SuppressWarnings("unchecked")
    static Instance instance(Map<String, Object> m) {
        return new Instance((String) m.get("id"), (String) m.get("zone"), (String) m.get("instanceType"),
                InstanceState.parse((String) m.get("state")), (String) m.get("privateIp"), (String) m.get("publicIp"),
                ((Number) m.get("sshPort")).intValue(), (String) m.get("stateReason"), instant(m.get("interruptAt")),
                (Map<String, String>) m.get("tags"), instant(m.get("launchedAt")));
    }

    static List<Map<String, Object>> instances(Collection<Instance> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        list.forEach(i -> out.add(instance(i)));
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Instance> instances(Object list) {
        List<Instance> out = new ArrayList<>();
        for (Object m : (List<Object>) list) {
            out.add(instance((Map<String, Object>) m));
        }
        return out;
    }

    static Map<String, Object> zone(Zone z) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", z.name());
        m.put("instanceType", z.instanceType());
        m.put("spotPrice", z.spotPrice());
        return m;
    }

    @SuppressWarnings("unchecked")
    static List<Zone> zones(Object list) {
        List<Zone> out = new ArrayList<>();
        for (Object o : (List<Object>) list) {
            Map<String, Object> m = (Map<String, Object>) o;
            out.add(new Zone((String) m.get("name"), (String) m.get("instanceType"), ((Number) m.get("spotPrice")).doubleValue()));
        }
        return out;
    }

    /** Groovy and Java values a plan may put in launch options, as JSON-ready values (durations as {@code 1500ms}). */
    static Object plain(Object value) {
        if (value instanceof Duration d) {
            return d.toMillis() + "ms";
        }
        if (value instanceof Instant at) {
            return at.toString();
        }
        if (value instanceof CharSequence s) {
            return s.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            c.forEach(v -> out.add(plain(v)));
            return out;
        }
        return value;
    }

    static Instant instant(Object text) {
        return text == null ? null : Instant.parse(String.valueOf(text));
    }

    static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}
