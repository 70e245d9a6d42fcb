package io.spotsh.types;

import io.spotsh.common.BadInput;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole-number parameters are checked exactly and kept as checked, so the nodes get what was validated. */
class ParamsTest {

    private static Map<String, Object> given(Object value) {
        Map<String, Object> params = new HashMap<>();
        params.put("port", value);
        return params;
    }

    @Test
    void aWholeValueInAnyFormIsKeptAsTheNumber() {
        // Groovy's 6379.0 is a BigDecimal; a double, a string or one with '_' are other ways to write it
        for (Object written : List.of(new BigDecimal("6379.0"), new BigDecimal("6379.000"), 6379.0d, 6379.0f, "6379.0",
                " 6_379 ", 6379L, "6.379e3")) {
            Map<String, Object> params = given(written);
            assertEquals(6379, Params.checkInteger("redis", params, "port", 1), written.toString());
            assertEquals(Integer.valueOf(6379), params.get("port"), "kept as checked: " + written);
            assertEquals("6379", String.valueOf(params.get("port")));
        }
        Map<String, Object> params = given(new BigDecimal("3000000000.0"));
        assertEquals(3_000_000_000L, Params.checkNumber("redis", params, "port", 1));
        assertEquals(Long.valueOf(3_000_000_000L), params.get("port"));
    }

    @Test
    void aFractionIsRefusedNamingTheTestTypeAndParameter() {
        for (Object written : List.of(new BigDecimal("6379.5"), 6379.5d, "6379.5",
                new BigDecimal("6379.0000000000001"))) {  // a double would round that one to 6379: checked exactly
            Map<String, Object> params = given(written);
            BadInput e = assertThrows(BadInput.class, () -> Params.checkInteger("redis", params, "port", 1));
            assertEquals("cluster.launch: test type redis parameter port must be a whole number, was " + written,
                    e.getMessage());
            assertEquals(written, params.get("port"), "left as it was");
        }
    }

    @Test
    void notANumberTooLargeOrTooSmallAreRefusedByName() {
        BadInput text = assertThrows(BadInput.class, () -> Params.checkInteger("redis", given("lots"), "port", 1));
        assertEquals("cluster.launch: test type redis parameter port must be a whole number, was 'lots'", text.getMessage());
        assertThrows(BadInput.class, () -> Params.checkInteger("redis", given(Double.NaN), "port", 1));
        assertThrows(BadInput.class, () -> Params.checkInteger("redis", given(Double.POSITIVE_INFINITY), "port", 1));
        assertThrows(BadInput.class, () -> Params.checkInteger("redis", given(null), "port", 1));
        BadInput big = assertThrows(BadInput.class, () -> Params.checkInteger("redis", given(3_000_000_000L), "port", 1));
        assertTrue(big.getMessage().contains("test type redis parameter port is too large"), big.getMessage());
        assertThrows(BadInput.class, () -> Params.checkNumber("redis", given(1e30), "port", 1));
        BadInput small = assertThrows(BadInput.class, () -> Params.checkInteger("redis", given(0.0), "port", 1));
        assertEquals("cluster.launch: test type redis parameter port must be at least 1, was 0", small.getMessage());
    }

    @Test
    void readsOfCheckedParametersStillTakeTheWrittenForms() {
        assertEquals(6379, Params.integer(given(new BigDecimal("6379.0")), "port", 1));
        assertEquals(2_000_000L, Params.number(Map.of("requests", "2_000_000"), "requests", 1));
        BadInput e = assertThrows(BadInput.class, () -> Params.integer(given(6379.5), "port", 1));
        assertEquals("parameter port must be a whole number, was 6379.5", e.getMessage());
    }
}
