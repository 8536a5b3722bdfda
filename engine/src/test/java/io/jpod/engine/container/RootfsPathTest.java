package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RootfsPathTest {
    @TempDir
    Path root;

    @Test
    void plainPathsStayPlain() {
        assertEquals(root.resolve("etc/passwd"), RootfsPath.resolve(root, "/etc/passwd"));
        assertEquals(root.resolve("a/b"), RootfsPath.resolve(root, "a//./b/"));
        assertEquals(root, RootfsPath.resolve(root, "/"));
    }

    @Test
    void dotDotCannotClimbAboveTheRoot() {
        assertEquals(root.resolve("etc/passwd"), RootfsPath.resolve(root, "/../../../etc/passwd"));
    }

    @Test
    void absoluteSymlinksResolveInsideTheRoot() throws IOException {
        Files.createDirectories(root.resolve("real/etc"));
        Files.createSymbolicLink(root.resolve("etc"), Path.of("/real/etc"));
        assertEquals(root.resolve("real/etc/passwd"), RootfsPath.resolve(root, "/etc/passwd"));
        Files.createSymbolicLink(root.resolve("escape"), Path.of("/"));
        assertEquals(root.resolve("etc2"), RootfsPath.resolve(root, "/escape/etc2"));
    }

    @Test
    void relativeSymlinksClimbingOutAreClampedAtTheRoot() throws IOException {
        Files.createDirectories(root.resolve("a"));
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("../../../../tmp"));
        assertEquals(root.resolve("tmp/x"), RootfsPath.resolve(root, "/a/up/x"));
    }

    @Test
    void symlinkLoopsFailCleanly() throws IOException {
        Files.createSymbolicLink(root.resolve("loop"), Path.of("/loop"));
        EngineException e = assertThrows(EngineException.class, () -> RootfsPath.resolve(root, "/loop/x"));
        assertEquals("too many levels of symbolic links resolving /loop/x in the image", e.getMessage());
    }
}
