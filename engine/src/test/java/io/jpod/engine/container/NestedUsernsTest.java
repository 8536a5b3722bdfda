package io.jpod.engine.container;

import io.jpod.engine.EngineException;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NestedUsernsTest {

    @Test
    void autoMapFillsTheGapsAroundExplicitMappingsFromTheRange() {
        NestedUserns.AutoOptions o = NestedUserns.AutoOptions.parse("auto:size=100,uidmapping=10:5000:2");
        assertEquals(List.of("0 200 10", "10 5000 2", "12 212 88"), o.map(o.uidMappings(), 200));
        assertEquals(List.of("0 200 100"), o.map(o.gidMappings(), 200));
        assertEquals(NestedUserns.AUTO_DEFAULT_SIZE, NestedUserns.AutoOptions.parse("auto").size());
    }

    @Test
    void badAutoOptionsAreRefused() {
        assertThrows(EngineException.class, () -> NestedUserns.AutoOptions.parse("auto:bogus=1"));
        assertThrows(EngineException.class, () -> NestedUserns.AutoOptions.parse("auto:size=x"));
        assertThrows(EngineException.class, () -> NestedUserns.AutoOptions.parse("auto:size=0"));
        assertThrows(EngineException.class, () -> NestedUserns.AutoOptions.parse("auto:uidmapping=0:0:1"));
        NestedUserns.AutoOptions overlap = NestedUserns.AutoOptions.parse("auto:uidmapping=0:10:5,uidmapping=3:100:1");
        assertThrows(EngineException.class, () -> overlap.map(overlap.uidMappings(), 1));
    }

    @Test
    void rangesOfExistingContainersAreSkippedAndARemovedOnesIsReused(@TempDir Path runRoot) throws IOException {
        Path a = runRoot.resolve("a"), b = runRoot.resolve("b"), c = runRoot.resolve("c");
        assertEquals(1, NestedUserns.allocate(a, 1000, 65536));
        assertEquals(1001, NestedUserns.allocate(b, 500, 65536));
        Files.delete(a.resolve("userns-auto")); // a removed: its range is free again
        assertEquals(1, NestedUserns.allocate(c, 1000, 65536));
        assertEquals(1501, NestedUserns.allocate(a, 10, 65536)); // a again, after c and b
        EngineException full = assertThrows(EngineException.class, () -> NestedUserns.allocate(runRoot.resolve("d"), 70000, 65536));
        assertTrue(full.getMessage().contains("70000"), full.getMessage());
    }
}
