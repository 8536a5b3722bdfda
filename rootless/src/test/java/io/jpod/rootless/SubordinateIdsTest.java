package io.jpod.rootless;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubordinateIdsTest {
    @Test
    void findsRangesByNameOrUidInFileOrder() {
        String text = """
                # comment
                alice:100000:65536
                bob:165536:65536
                1001:300000:1000
                malformed:line
                alice:x:5
                alice:400000:10
                """;
        assertEquals(List.of(new IdRange(100000, 65536), new IdRange(400000, 10)), SubordinateIds.parse(text, "alice", 1000));
        assertEquals(List.of(new IdRange(165536, 65536), new IdRange(300000, 1000)), SubordinateIds.parse(text, "bob", 1001));
        assertEquals(List.of(), SubordinateIds.parse(text, "carol", 1002));
    }

    @Test
    void missingEntryExplainsHowToAddOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("subuid");
        Files.writeString(file, "alice:100000:65536\n");
        RootlessException e = assertThrows(RootlessException.class, () -> SubordinateIds.read(file, "carol", 1002));
        assertTrue(e.getMessage().contains("carol") && e.getMessage().contains(file.toString()) && e.getMessage().contains("usermod"), e.getMessage());
        RootlessException missing = assertThrows(RootlessException.class, () -> SubordinateIds.read(dir.resolve("nope"), "alice", 1000));
        assertTrue(missing.getMessage().contains("no subordinate id range"), missing.getMessage());
    }

    @Test
    void rootlessMappingPutsTheUserAtRootAndRangesAfter() {
        List<IdMapping> maps = IdMapping.rootless(1000, List.of(new IdRange(100000, 65536), new IdRange(400000, 10)));
        assertEquals("0 1000 1 1 100000 65536 65537 400000 10", IdMapping.toArgument(maps));
    }

    @Test
    void runRootFallsBackToPrivateTmpDir() {
        assertEquals(Path.of("/run/user/1000/jpod"), RunRoot.resolve(java.util.Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000).path());
        RunRoot fallback = RunRoot.resolve(java.util.Map.of(), 1000);
        assertEquals(Path.of("/tmp/jpod-run-1000/jpod"), fallback.path());
        assertTrue(fallback.fallback());
        assertEquals(Path.of("/tmp/jpod-run-1000/jpod/pause.pid"), fallback.pausePidFile());
    }
}
