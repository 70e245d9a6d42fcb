package io.spotsh.workflow;

import io.spotsh.common.BadInput;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cluster.launch's arguments: its own keys plus the chosen provider's declared launch options, nothing else. */
class LaunchSpecTest {
    private final List<String> asked = new ArrayList<>();
    private final Function<String, List<String>> options = name -> {
        asked.add(name);
        return name.equals("local") ? List.of("dudRate", "slowBoot") : List.of("ami");
    };

    @Test
    void aProvidersOptionIsANamedArgumentHandedToItAsAnOption() {
        LaunchSpec spec = LaunchSpec.from(Map.of("name", "t", "dataNodes", 3, "dudRate", 0.05,
                "options", Map.of("seed", 7)), "local", options, false, false);
        assertEquals(Map.of("dudRate", 0.05, "seed", 7), spec.providerOptions());
        assertEquals(List.of("local"), asked);
    }

    @Test
    void anotherProvidersOptionIsUnknownAndTheMessageListsWhatTheChosenOneTakes() {
        BadInput e = assertThrows(BadInput.class, () -> LaunchSpec.from(Map.of("dataNodes", 3, "provider", "aws",
                "dudRate", 0.05), "local", options, false, false));
        assertEquals("cluster.launch: unknown argument [dudRate] (known: name, type, dataNodes, clientNodes, provider,"
                + " instanceType, maxPrice, az, ttl, params, keep, dryRun, options, ami)", e.getMessage());
        assertEquals(List.of("aws"), asked, "the provider named in the launch, not the default");
    }

    @Test
    void misspeltArgumentsAreNamedTogether() {
        BadInput e = assertThrows(BadInput.class, () -> LaunchSpec.from(Map.of("datanodes", 3, "dudrate", 1),
                "local", options, false, false));
        assertTrue(e.getMessage().startsWith("cluster.launch: unknown arguments [datanodes, dudrate] (known: name, "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith(", options, dudRate, slowBoot)"), e.getMessage());
    }

    @Test
    void theProviderIsNotAskedWhenEveryArgumentIsTheLaunchsOwn() {
        LaunchSpec spec = LaunchSpec.from(Map.of("name", "t", "dataNodes", 2, "az", "local-b"), "local", options, true, false);
        assertEquals(List.of(), asked);
        assertEquals("local-b", spec.zone());
        assertTrue(spec.keep());
        assertEquals(Map.of(), spec.providerOptions());
    }
}
