package io.jpod.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeStoreTest {
    @TempDir
    Path root;

    @Test
    void createListGetRemove() throws Exception {
        VolumeStore v = new VolumeStore(root);
        VolumeRecord r = v.create("data", Map.of("k", "v"));
        assertEquals("data", r.name());
        assertTrue(Files.isDirectory(root.resolve("volumes/data/_data")));
        assertThrows(StorageException.class, () -> v.create("data", Map.of()));
        assertTrue(v.tryCreate("data", Map.of()).isEmpty());
        assertEquals(Map.of("k", "v"), v.get("data").orElseThrow().labels());
        v.create("a-b.c_1", Map.of());
        assertEquals(List.of("a-b.c_1", "data"), v.list().stream().map(VolumeRecord::name).toList());
        v.addUser("data", "abc");
        assertEquals(Set.of("abc"), v.users("data"));
        v.removeUser("data", "abc");
        assertEquals(Set.of(), v.users("data"));
        v.remove("data");
        assertFalse(v.get("data").isPresent());
        assertThrows(StorageException.class, () -> v.remove("data"));
    }

    @Test
    void namesThatCouldEscapeAreRefused() {
        VolumeStore v = new VolumeStore(root);
        for (String bad : List.of("..", ".hidden", "a/b", "", "-x", "with space")) {
            assertThrows(StorageException.class, () -> v.create(bad, Map.of()), bad);
            assertFalse(v.get(bad).isPresent(), bad);
        }
    }
}
