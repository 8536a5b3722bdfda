package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    @Test
    void policiesAndWhenTheyRestart() {
        assertTrue(RestartPolicy.parse(null).isNo());
        assertTrue(RestartPolicy.parse("no").isNo());
        assertFalse(RestartPolicy.parse("no").restartsAfter(1, 0));
        assertTrue(RestartPolicy.parse("always").restartsAfter(0, 100));
        assertTrue(RestartPolicy.parse("unless-stopped").restartsAfter(0, 0));
        RestartPolicy onFailure = RestartPolicy.parse("on-failure");
        assertFalse(onFailure.restartsAfter(0, 0));
        assertTrue(onFailure.restartsAfter(137, 50));
        RestartPolicy twice = RestartPolicy.parse("on-failure:2");
        assertEquals(2, twice.maxRetries());
        assertTrue(twice.restartsAfter(3, 1));
        assertFalse(twice.restartsAfter(3, 2));
    }

    @Test
    void storedForm() {
        assertNull(RestartPolicy.parse("no").stored());
        assertEquals("on-failure:3", RestartPolicy.parse("on-failure:3").stored());
        assertEquals("always", RestartPolicy.parse(RestartPolicy.parse("always").stored()).stored());
    }

    @Test
    void badValuesSayWhatIsAllowed() {
        for (String bad : new String[]{"sometimes", "on-failure:x", "on-failure:-1", "always:3"}) {
            EngineException e = assertThrows(EngineException.class, () -> RestartPolicy.parse(bad));
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        assertTrue(assertThrows(EngineException.class, () -> RestartPolicy.parse("sometimes")).getMessage().contains("on-failure"));
    }
}
