package io.spotsh.workflow;

import io.spotsh.common.BadInput;
import io.spotsh.common.ShellQuote;
import io.spotsh.cloud.NodeImages;
import io.spotsh.cloud.Provider;
import io.spotsh.registry.ImageRecords;
import io.spotsh.registry.ImageRecords.ImageRow;
import io.spotsh.types.TestType;
import io.spotsh.types.TestTypes;
import io.spotsh.types.Tool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which programs a test type's cloud nodes need from their image (the type's {@link TestType#tools()} and the
 * commands of its {@link TestType#javaTools()}), the shell test a bake runs on its builder to see which are there,
 * and the refusal of a launch whose image lacks one.
 */
final class ImageTools {
    private ImageTools() {
    }

    /** Program name → the paths that will do besides PATH (sadc lives outside it). */
    static Map<String, List<String>> needed(TestType type) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Tool t : type.tools()) {
            out.put(t.command(), t.alternatives());
        }
        for (var bundle : type.javaTools()) {
            for (String command : bundle.commands().keySet()) {
                out.putIfAbsent(command, List.of());
            }
        }
        return out;
    }

    /** Every program any known type needs. */
    static Map<String, List<String>> needed(TestTypes types) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : types.names()) {
            needed(types.get(name)).forEach(out::putIfAbsent);
        }
        return out;
    }

    /** A POSIX shell command printing the name of each program found, one a line (sbin directories included). */
    static String probe(Map<String, List<String>> programs) {
        StringBuilder sh = new StringBuilder("PATH=\"$PATH:/usr/local/sbin:/usr/sbin:/sbin\"; ");
        for (Map.Entry<String, List<String>> p : programs.entrySet()) {
            List<String> tests = new ArrayList<>();
            String name = p.getKey();
            tests.add(name.startsWith("/") ? "[ -x " + ShellQuote.quote(name) + " ]"
                    : "command -v " + ShellQuote.quote(name) + " >/dev/null 2>&1");
            for (String alternative : p.getValue()) {
                tests.add("[ -x " + ShellQuote.quote(alternative) + " ]");
            }
            sh.append("if ").append(String.join(" || ", tests)).append("; then echo ").append(ShellQuote.quote(name))
                    .append("; fi; ");
        }
        sh.append("true");
        return sh.toString();
    }

    /** The types whose every program is among {@code found}. */
    static List<String> typesHeld(TestTypes types, Collection<String> found) {
        Set<String> have = new LinkedHashSet<>(found);
        List<String> held = new ArrayList<>();
        for (String name : types.names()) {
            if (have.containsAll(needed(types.get(name)).keySet())) {
                held.add(name);
            }
        }
        return held;
    }

    /** The options a launch goes with, and the image its nodes boot when known (null: the provider's default). */
    record Choice(Map<String, Object> options, String imageId) {
    }

    /**
     * The image a launch boots: {@code options.ami} when given, else the region's node image recorded in the
     * registry (added as {@code ami}); a recorded image must hold the type's programs. A provider without images,
     * or a region with none recorded, launches as before (the aws provider then reads {@code <stateDir>/ami/<region>}).
     */
    static Choice choose(ImageRecords images, Provider provider, TestType type, Map<String, Object> options) {
        if (!(provider instanceof NodeImages)) {
            return new Choice(options, null);
        }
        Object given = options.get("ami");
        if (given != null && !String.valueOf(given).isBlank()) {
            String id = String.valueOf(given).strip();
            ImageRow known = images.get(id);
            if (known != null) {
                require(type, known);
            }
            return new Choice(options, id);
        }
        ImageRow current = images.current(provider.name(), provider.region());
        if (current == null) {
            return new Choice(options, null);
        }
        require(type, current);
        Map<String, Object> with = new LinkedHashMap<>(options);
        with.put("ami", current.imageId());
        return new Choice(with, current.imageId());
    }

    /** Refuses a launch whose recorded image lacks a program of the type, naming it and the bake that adds it. */
    static void require(TestType type, ImageRow image) {
        List<String> missing = new ArrayList<>(needed(type).keySet());
        missing.removeAll(image.tools());
        if (!missing.isEmpty()) {
            throw new BadInput("the node image " + image.imageId() + " of " + image.region() + " (baked "
                    + image.bakedAt() + ") lacks " + String.join(", ", missing) + ", which " + type.name()
                    + " nodes run; bake a new one with ami/bake.sh installing it: spotsh --provider "
                    + image.provider() + " --region " + image.region() + " image bake");
        }
    }
}
