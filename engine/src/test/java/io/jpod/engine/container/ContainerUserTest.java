package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContainerUserTest {
    @TempDir
    Path root;

    @BeforeEach
    void image() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\napp:x:1000:\nwheel:x:10:app,other\naudio:x:29:app\n");
    }

    @Test
    void defaultIsRoot() {
        assertEquals(new ContainerUser(0, 0, List.of(), "/root"), ContainerUser.resolve(root, null));
    }

    @Test
    void namesResolveWithSupplementaryGroups() {
        assertEquals(new ContainerUser(1000, 1000, List.of(10L, 29L), "/home/app"), ContainerUser.resolve(root, "app"));
        assertEquals(new ContainerUser(1000, 1000, List.of(10L, 29L), "/home/app"), ContainerUser.resolve(root, "1000"));
    }

    @Test
    void explicitGroupWinsAndDropsSupplementaryGroups() {
        assertEquals(new ContainerUser(1000, 10, List.of(), "/home/app"), ContainerUser.resolve(root, "app:wheel"));
        assertEquals(new ContainerUser(1000, 42, List.of(), "/home/app"), ContainerUser.resolve(root, "app:42"));
    }

    @Test
    void unknownNumericUidGetsGidZeroAndSlashHome() {
        assertEquals(new ContainerUser(4242, 0, List.of(), "/"), ContainerUser.resolve(root, "4242"));
    }

    @Test
    void unknownNamesAndUnmappedIdsAreErrors() {
        assertTrue(assertThrows(EngineException.class, () -> ContainerUser.resolve(root, "nobody-here")).getMessage().contains("/etc/passwd"));
        assertTrue(assertThrows(EngineException.class, () -> ContainerUser.resolve(root, "app:nogroup")).getMessage().contains("/etc/group"));
        assertTrue(assertThrows(EngineException.class, () -> ContainerUser.resolve(root, "70000")).getMessage().contains("mapped"));
    }

    @Test
    void passwdSymlinkedOutOfTheRootIsReadInsideIt() throws IOException {
        Files.delete(root.resolve("etc/passwd"));
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/etc/../../etc/passwd-elsewhere"));
        Files.writeString(root.resolve("etc/passwd-elsewhere"), "svc:x:7:7::/srv:/bin/sh\n");
        assertEquals(new ContainerUser(7, 7, List.of(), "/srv"), ContainerUser.resolve(root, "svc"));
    }
}
