package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class AttachAndLogOptionsParsingTest {
    @Test
    void detachKeysFollowPodmansSyntax() {
        assertArrayEquals(new byte[]{16, 17}, AttachOptions.DEFAULT.detachBytes());
        assertEquals("16,17", AttachOptions.DEFAULT.helperArgument());
        assertArrayEquals(new byte[]{'a', 0, 27, 28, 29, 30, 31, 24},
                new AttachOptions("a,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,ctrl-X", false, true).detachBytes());
        assertEquals("-", new AttachOptions("", false, true).helperArgument());
        assertThrows(EngineException.class, () -> new AttachOptions("ctrl-1", false, true).detachBytes());
        assertThrows(EngineException.class, () -> new AttachOptions("ab", false, true).detachBytes());
        assertThrows(EngineException.class, () -> new AttachOptions("a,", false, true).detachBytes());
    }

    @Test
    void logOptions() {
        LogConfig d = LogConfig.parse(null, List.of());
        assertEquals("k8s-file", d.driver());
        assertNull(d.maxSize());
        assertEquals("k8s-file", LogConfig.parse("json-file", List.of()).driver());
        LogConfig c = LogConfig.parse("k8s-file", List.of("max-size=10m", "path=/tmp/x/../a.log"));
        assertEquals(10_000_000L, c.maxSize());
        assertEquals("/tmp/a.log", c.path());
        assertEquals("none", LogConfig.parse("none", List.of()).driver());
        assertThrows(EngineException.class, () -> LogConfig.parse("journald", List.of()));
        assertThrows(EngineException.class, () -> LogConfig.parse(null, List.of("tag=x")));
        assertThrows(EngineException.class, () -> LogConfig.parse(null, List.of("path=rel.log")));
        assertThrows(EngineException.class, () -> LogConfig.parse("none", List.of("max-size=1k")));
    }

    @Test
    void sizesAreGoUnitsHumanSizes() {
        assertEquals(2000, LogConfig.parseSize("2k"));
        assertEquals(2000, LogConfig.parseSize("2kb"));
        assertEquals(2000, LogConfig.parseSize("2KiB"));
        assertEquals(1_500_000, LogConfig.parseSize("1.5m"));
        assertEquals(512, LogConfig.parseSize("512"));
        assertEquals(-1, LogConfig.parseSize("-1"));
        assertThrows(EngineException.class, () -> LogConfig.parseSize("lots"));
        assertThrows(EngineException.class, () -> LogConfig.parseSize("0"));
        assertEquals("2kB", LogConfig.humanSize(2000));
        assertEquals("1.5MB", LogConfig.humanSize(1_500_000));
        assertEquals("512B", LogConfig.humanSize(512));
    }
}
