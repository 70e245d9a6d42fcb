package io.spotsh.workflow;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MissingIdsTest {
    private static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add("i-" + i);
        }
        return ids;
    }

    @Test
    void upToTwentyIdsAreShownInFull() {
        String line = MissingIds.line("Missing Instances", ids(20), MissingIds.MISSING_HINT);
        assertEquals("Missing Instances: " + String.join(",", ids(20)), line);
        assertFalse(MissingIds.shortened(ids(20)));
    }

    @Test
    void pastTwentyTheLineShowsTenAndHowManyMore() {
        List<String> many = ids(1000);
        assertTrue(MissingIds.shortened(many));
        assertEquals("Missing Instances: i-1,i-2,i-3,i-4,i-5,i-6,i-7,i-8,i-9,i-10 and 990 more "
                + "(nodes.missing() lists them all)", MissingIds.line("Missing Instances", many, MissingIds.MISSING_HINT));
        assertEquals("i-1,i-2,i-3,i-4,i-5,i-6,i-7,i-8,i-9,i-10 and 11 more (the await log lists them all)",
                MissingIds.shown(ids(21), "the await log lists them all"));
    }
}
