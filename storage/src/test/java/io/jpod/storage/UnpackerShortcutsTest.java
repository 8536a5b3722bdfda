package io.jpod.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unpacker's shortcuts for the common file: directories it knows to be real are not looked up again (until an
 * entry replaces them), and chown/chmod are left out when a new file already has the owner and mode asked for. Each
 * test here would fail if a shortcut were taken where it must not be.
 */
class UnpackerShortcutsTest {
    @TempDir
    Path tmp;
    Path root;
    Path sentinel;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(tmp.resolve("root"));
        sentinel = Files.createDirectory(tmp.resolve("sentinel"));
    }

    @AfterEach
    void tearDown() throws IOException {
        Fs.deleteTree(root);
    }

    private void unpack(byte[] tar) throws IOException {
        new LayerUnpacker(null).unpack(new ByteArrayInputStream(tar), root);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", Fs.NOFOLLOW) & 07777;
    }

    @Test
    void aKnownDirectoryReplacedByAnOutwardSymlinkIsNotWrittenThrough() throws IOException {
        StorageException e = assertThrows(StorageException.class, () -> unpack(new TarBuilder()
                .dir("a").file("a/x", "first").symlink("a", "../sentinel").file("a/y", "through the link").build()));
        assertTrue(e.getMessage().contains("leads outside the layer root"), e.getMessage());
        try (Stream<Path> s = Files.list(sentinel)) {
            assertEquals(List.of(), s.toList(), "nothing written into the symlink's target");
        }
    }

    @Test
    void aKnownDirectoryReplacedByAnInwardSymlinkIsResolvedAgain() throws IOException {
        unpack(new TarBuilder().dir("a").file("a/x", "first").dir("b").symlink("a", "b").file("a/y", "via the link").build());
        assertTrue(Files.isSymbolicLink(root.resolve("a")));
        assertEquals("via the link", Files.readString(root.resolve("b/y")));
        assertFalse(Files.exists(root.resolve("b/x")), "the old directory's file went with it");
    }

    @Test
    void aKnownDirectoryReplacedByAFileIsNoParentAnyMore() {
        StorageException e = assertThrows(StorageException.class, () -> unpack(new TarBuilder()
                .dir("a/b").file("a/b/x", "x").file("a", "now a file").file("a/b/y", "y").build()));
        assertTrue(e.getMessage().contains("parent \"a\" is not a directory"), e.getMessage());
    }

    @Test
    void aKnownDirectoryReplacedAndRecreatedIsEmpty() throws IOException {
        unpack(new TarBuilder().dir("a/b").file("a/b/x", "x").file("a/b", "file").dir("a/b", 0700).file("a/b/y", "y").build());
        try (Stream<Path> s = Files.list(root.resolve("a/b"))) {
            assertEquals(List.of(root.resolve("a/b/y")), s.toList());
        }
        assertEquals(0700, mode(root.resolve("a/b")));
    }

    @Test
    void modesTheUmaskWouldStripAreSetAndTheProbeLeavesNoTrace() throws IOException {
        unpack(new TarBuilder()
                .dir("open", 0777).dir("plain", 0755).dir("shared", 02775).dir("sticky", 01777)
                .file("open/all", "x", 0777).file("open/rw", "x", 0666).file("plain/usual", "x", 0644)
                .file("plain/none", "x", 0000).file("plain/exe", "x", 0755).file("plain/suid", "x", 04755)
                .build());
        assertEquals(0777, mode(root.resolve("open")));
        assertEquals(0755, mode(root.resolve("plain")));
        assertEquals(02775, mode(root.resolve("shared")));
        assertEquals(01777, mode(root.resolve("sticky")));
        assertEquals(0777, mode(root.resolve("open/all")));
        assertEquals(0666, mode(root.resolve("open/rw")));
        assertEquals(0644, mode(root.resolve("plain/usual")));
        assertEquals(0000, mode(root.resolve("plain/none")));
        assertEquals("x", Files.readString(root.resolve("plain/exe")));
        assertEquals(0755, mode(root.resolve("plain/exe")));
        assertEquals(04755, mode(root.resolve("plain/suid")));
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(4, s.count(), "only the layer's own entries in the root");
        }
    }

    @Test
    void aSetgidRootTurnsTheShortcutsOff() throws IOException {
        // new directories in a setgid directory inherit the bit: a 0755 entry must still end up 0755
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(root, "unix:mode", 02755);
        unpack(new TarBuilder().dir("d", 0755).dir("d/e", 0755).file("d/e/f", "x", 0644).build());
        assertEquals(0755, mode(root.resolve("d")));
        assertEquals(0755, mode(root.resolve("d/e")));
        assertEquals(0644, mode(root.resolve("d/e/f")));
    }

    @Test
    void ownersOtherThanTheCreatorsAreStillApplied() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Native.isRoot(), "skipped: setting file owners needs root");
        unpack(new TarBuilder().dir("d", 0755, Map.of()).file("d/mine", "x", 0644, 0, 0, Map.of())
                .file("d/theirs", "x", 0644, 1234, 5678, Map.of()).build());
        assertEquals(1234, Files.getAttribute(root.resolve("d/theirs"), "unix:uid", Fs.NOFOLLOW));
        assertEquals(5678, Files.getAttribute(root.resolve("d/theirs"), "unix:gid", Fs.NOFOLLOW));
        assertEquals(0, Files.getAttribute(root.resolve("d/mine"), "unix:uid", Fs.NOFOLLOW));
    }
}
