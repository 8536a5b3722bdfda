package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.engine.GoDuration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jpod.storage.HealthcheckConfig;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthChecksTest {
    private static final Instant STARTED = Instant.parse("2026-11-25T10:00:00Z");

    private static HealthChecks.Result at(int second, int code) {
        String t = STARTED.plusSeconds(second).toString();
        return new HealthChecks.Result(t, t, code, "");
    }

    @Test
    void unhealthyAfterTheRetriesHealthyAtOnceAndTheStartPeriodForgives() {
        HealthcheckConfig hc = new HealthcheckConfig(List.of("CMD-SHELL", "x"), null, null, 10_000_000_000L, 2);
        HealthChecks.State s = HealthChecks.next(null, hc, at(1, 1), STARTED); // in the start period: not counted
        assertEquals("starting", s.status());
        assertEquals(0, s.failingStreak());
        s = HealthChecks.next(s, hc, at(11, 1), STARTED);
        assertEquals("starting", s.status());
        assertEquals(1, s.failingStreak());
        s = HealthChecks.next(s, hc, at(12, 1), STARTED);
        assertEquals("unhealthy", s.status());
        s = HealthChecks.next(s, hc, at(13, 0), STARTED);
        assertEquals("healthy", s.status());
        assertEquals(0, s.failingStreak());
        for (int i = 0; i < 10; i++) {
            s = HealthChecks.next(s, hc, at(20 + i, 0), STARTED);
        }
        assertEquals(5, s.log().size(), "only the last results are kept");
    }

    @Test
    void goDurations() {
        assertEquals(30_000_000_000L, GoDuration.parseNanos("30s", "--x"));
        assertEquals(90_000_000_000L, GoDuration.parseNanos("1m30s", "--x"));
        assertEquals(500_000_000L, GoDuration.parseNanos("500ms", "--x"));
        assertEquals(5_400_000_000_000L, GoDuration.parseNanos("1.5h", "--x"));
        assertEquals(0, GoDuration.parseNanos("0", "--x"));
        for (String bad : new String[]{"", "5", "5x", "s", "1m 2s", "-1s"}) {
            assertThrows(EngineException.class, () -> GoDuration.parseNanos(bad, "--x"), bad);
        }
    }
}
