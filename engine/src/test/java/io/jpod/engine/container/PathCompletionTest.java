package io.jpod.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** podman's completion of paths inside a root: what is listed, as typed, and when no space follows. */
class PathCompletionTest {
    @TempDir
    Path root;

    @BeforeEach
    void tree() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "x");
        Files.writeString(root.resolve("etc/hostname"), "x");
        Files.createDirectories(root.resolve("home"));
        Files.createDirectories(root.resolve("emptydir"));
        Files.createSymbolicLink(root.resolve("escape"), Path.of("/../../.."));
    }

    private List<String> values(String typed) {
        return PathCompletion.complete(root, typed).values();
    }

    @Test
    void emptyListsTheRootWithDirectoriesSlashed() {
        List<String> v = values("");
        assertTrue(v.containsAll(List.of("/etc/", "/home/", "/emptydir/", "/escape")), v::toString); // a symlink is not listed as a directory
        assertTrue(PathCompletion.complete(root, "").noSpace());
    }

    @Test
    void aDirectoryIsItselfThenItsEntries() {
        assertEquals(List.of("/etc/", "/etc/hostname", "/etc/os-release"), values("/etc"));
        assertEquals(List.of("/etc/hostname", "/etc/os-release"), values("/etc/"));
    }

    @Test
    void aPartialNameListsItsParentsMatches() {
        PathCompletion.Candidates c = PathCompletion.complete(root, "/etc/os-");
        assertEquals(List.of("/etc/os-release"), c.values());
        assertFalse(c.noSpace(), "a lone file gets its space");
        assertEquals(List.of(), values("/nothing/here"));
    }

    @Test
    void anEmptyDirectoryIsOneCandidateWithNoSpace() {
        PathCompletion.Candidates c = PathCompletion.complete(root, "/emptydir");
        assertEquals(List.of("/emptydir/"), c.values());
        assertTrue(c.noSpace());
    }

    @Test
    void relativeAndEscapingPathsStayInsideTheRoot() {
        assertTrue(values("../../").containsAll(List.of("../../etc/", "../../home/")), values("../../")::toString);
        assertTrue(values("/escape/").contains("/escape/etc/"), "the symlink's target is the root itself");
    }
}
