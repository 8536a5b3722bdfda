package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleLogicTest {
    @Test
    void signalNamesAndNumbers() {
        assertEquals(15, Signals.parse("TERM"));
        assertEquals(15, Signals.parse("SIGTERM"));
        assertEquals(9, Signals.parse("sigkill"));
        assertEquals(1, Signals.parse("1"));
        assertEquals(28, Signals.parse("WINCH"));
        assertEquals("SIGINT", Signals.name(2));
        assertThrows(EngineException.class, () -> Signals.parse("NOPE"));
        assertThrows(EngineException.class, () -> Signals.parse("0"));
    }

    @Test
    void k8sFileRecordsJoinPartialLines() {
        String log = "2026-11-25T08:35:02.170629273Z stdout F tick\n"
                + "2026-11-25T08:35:02.20Z stderr P par\n"
                + "2026-11-25T08:35:02.30Z stderr F tial\n"
                + "2026-11-25T09:35:02.400000000+01:00 stdout F \n";
        List<LogReader.Line> lines = new ArrayList<>();
        new LogReader.Parser().feed(log.getBytes(StandardCharsets.UTF_8), lines);
        assertEquals(3, lines.size());
        assertEquals("tick", lines.get(0).text());
        assertEquals("partial", lines.get(1).text());
        assertEquals(true, lines.get(1).stderr());
        assertEquals("", lines.get(2).text());
        assertEquals(Instant.parse("2026-11-25T08:35:02.400Z"), lines.get(2).time());
    }
}
