package io.jpod.storage;

import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LayerUnpackerTest {
    @TempDir
    Path tmp;
    Path root;
    Path sentinel;
    Path outside;
    ByteArrayOutputStream warningBytes;
    PrintStream warnings;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(tmp.resolve("root"));
        sentinel = Files.createDirectory(tmp.resolve("sentinel"));
        outside = Files.writeString(tmp.resolve("outside.txt"), "original");
        warningBytes = new ByteArrayOutputStream();
        warnings = new PrintStream(warningBytes, true, StandardCharsets.UTF_8);
    }

    /** Our own deletion (no symlink following, read-only dirs handled) also keeps JUnit from warning about links. */
    @AfterEach
    void tearDown() throws IOException {
        Fs.deleteTree(root);
    }

    private LayerUnpacker.Result unpack(byte[] tar) throws IOException {
        return new LayerUnpacker(warnings).unpack(new ByteArrayInputStream(tar), root);
    }

    private StorageException refused(byte[] tar) {
        return assertThrows(StorageException.class, () -> unpack(tar));
    }

    /** Nothing may appear beside the root, in the sentinel dir, or change in the outside file. */
    private void assertNothingOutside() throws IOException {
        try (Stream<Path> s = Files.list(sentinel)) {
            assertEquals(List.of(), s.toList(), "sentinel dir must stay empty");
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(Set.of("root", "sentinel", "outside.txt"),
                    s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        assertEquals("original", Files.readString(outside));
        assertEquals(1, (Integer) Files.getAttribute(outside, "unix:nlink"), "no hard link to the outside file");
        assertTrue(Set.of("rw-r--r--", "rw-rw-r--", "rw-------", "rw-rw----").contains(
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(outside))), "mode unchanged");
    }

    private static void assertMentions(StorageException e, String entry, String reason) {
        assertTrue(e.getMessage().contains("layer entry \"" + entry + "\""), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    // ---- hostile archives

    @Test
    void dotDotIsRefused() throws IOException {
        StorageException e = refused(new TarBuilder().file("../x", "pwned").build());
        assertMentions(e, "../x", "path leaves the layer root");
        assertTrue(e.getMessage().endsWith("the image is corrupt or hostile"), e.getMessage());
        assertNothingOutside();
        e = refused(new TarBuilder().file("a/../../sentinel/x", "pwned").build());
        assertMentions(e, "a/../../sentinel/x", "leaves the layer root");
        assertNothingOutside();
    }

    @Test
    void absolutePathLandsInside() throws IOException {
        unpack(new TarBuilder().file("/abs", "inside").file("/d/e/f", "deep").build());
        assertEquals("inside", Files.readString(root.resolve("abs")));
        assertEquals("deep", Files.readString(root.resolve("d/e/f")));
        assertNothingOutside();
    }

    @Test
    void absoluteSymlinkAsParentIsRefused() throws IOException {
        String unique = "jpod-test-" + Fs.randomHex(16);
        StorageException e = refused(new TarBuilder().symlink("a", "/").file("a/tmp/" + unique, "pwned").build());
        assertMentions(e, "a/tmp/" + unique, "points outside the layer root");
        assertTrue(e.getMessage().contains("\"a\" -> \"/\""), e.getMessage());
        assertFalse(Files.exists(Path.of("/tmp", unique)));
        assertTrue(Files.isSymbolicLink(root.resolve("a")), "the symlink itself is fine");
        assertNothingOutside();
    }

    @Test
    void climbingSymlinkAsParentIsRefused() throws IOException {
        StorageException e = refused(new TarBuilder().symlink("link", "../../..").file("link/x", "pwned").build());
        assertMentions(e, "link/x", "leads outside the layer root");
        assertNothingOutside();
        e = refused(new TarBuilder().symlink("s", "../sentinel").file("s/x", "pwned").build());
        assertMentions(e, "s/x", "leads outside the layer root");
        e = refused(new TarBuilder().symlink("s", "../sentinel").dir("s/d").build());
        assertMentions(e, "s/d/", "leads outside the layer root");
        e = refused(new TarBuilder().dir("a").symlink("a/up", "../..").symlink("a/s", "up/sentinel").file("a/s/x", "p").build());
        assertMentions(e, "a/s/x", "outside the layer root");
        assertNothingOutside();
    }

    @Test
    void hardlinkOutsideIsRefused() throws IOException {
        StorageException e = refused(new TarBuilder().hardlink("h", "../../etc/passwd").build());
        assertMentions(e, "h", "hardlink target \"../../etc/passwd\" leaves the layer root");
        e = refused(new TarBuilder().hardlink("h", "../outside.txt").build());
        assertMentions(e, "h", "leaves the layer root");
        e = refused(new TarBuilder().symlink("s", "..").hardlink("h", "s/outside.txt").build());
        assertMentions(e, "h", "outside the layer root");
        // not in this layer: left to the commit, which looks in the lower layers (LayerStoreTest); here a placeholder
        LayerUnpacker.Result r = unpack(new TarBuilder().hardlink("h", "/etc/passwd").build());
        assertEquals(List.of("etc", "passwd"), r.lowerLinks().get(0).target());
        assertEquals(0, Files.size(root.resolve("h")));
        assertNothingOutside();
    }

    @Test
    void symlinkLoopIsRefused() throws IOException {
        StorageException e = refused(new TarBuilder().symlink("a", "b").symlink("b", "a").file("a/x", "loop").build());
        assertMentions(e, "a/x", "too many levels of symbolic links");
        e = refused(new TarBuilder().symlink("self", "self/x").file("self/y", "loop").build());
        assertMentions(e, "self/y", "too many levels of symbolic links");
        assertNothingOutside();
    }

    @Test
    void symlinksAreReplacedNeverWrittenThrough() throws IOException {
        unpack(new TarBuilder()
                .symlink("s", "../outside.txt").file("s", "replaced")
                .symlink("t", "../outside.txt").hardlink("h", "t").file("h", "new")
                .symlink("d", "../sentinel").dir("d", 0777)
                .fifo("p", 0644).file("p", "not a fifo any more")
                .build());
        assertEquals("replaced", Files.readString(root.resolve("s")));
        assertEquals("new", Files.readString(root.resolve("h")));
        assertTrue(Files.isDirectory(root.resolve("d"), Fs.NOFOLLOW));
        assertTrue(Files.isRegularFile(root.resolve("p"), Fs.NOFOLLOW));
        assertNothingOutside();
    }

    @Test
    void deferredDirectoryMetadataNeverFollowsALaterSymlink() throws IOException {
        Path victim = Files.createDirectories(tmp.resolve("victim/e"));
        Files.setPosixFilePermissions(victim, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        unpack(new TarBuilder().dir("d", 0700).dir("d/e", 0777).symlink("d", "../victim").build());
        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
        assertTrue(Files.isSymbolicLink(root.resolve("d")));
        Fs.deleteTree(tmp.resolve("victim"));
        assertNothingOutside();
    }

    @Test
    void parentThatIsAFileIsRefused() throws IOException {
        StorageException e = refused(new TarBuilder().file("a", "file").file("a/b", "x").build());
        assertMentions(e, "a/b", "parent \"a\" is not a directory");
    }

    @Test
    void nonDirectoryCannotReplaceRoot() {
        StorageException e = refused(new TarBuilder().file("a/..", "x").build());
        assertTrue(e.getMessage().contains("cannot replace the layer root"), e.getMessage());
    }

    @Test
    void controlCharactersInNamesAreEscapedInMessages() {
        StorageException e = refused(new TarBuilder().file("../evil\nname", "x").build());
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().contains("evil\\x0aname"), e.getMessage());
    }

    // ---- normal content

    @Test
    void symlinkInsideRootIsResolvedWithinRoot() throws IOException {
        unpack(new TarBuilder().dir("usr").dir("usr/lib").symlink("lib", "usr/lib").file("lib/x", "via link")
                .symlink("usr/lib64", "../usr/./lib").file("usr/lib64/y", "relative").build());
        assertEquals("via link", Files.readString(root.resolve("usr/lib/x")));
        assertEquals("relative", Files.readString(root.resolve("usr/lib/y")));
        assertTrue(Files.isSymbolicLink(root.resolve("lib")));
        assertNothingOutside();
    }

    @Test
    void filesDirsLinksFifosAndMetadata() throws IOException {
        unpack(new TarBuilder()
                .dir("ro", 0555)
                .file("ro/inside", "x", 0444)
                .file("bin/su", "suid", 04755)
                .dir("tmp", 01777)
                .symlink("rel", "bin/su")
                .symlink("dangling", "/nonexistent/target")
                .hardlink("bin/su2", "bin/su", 04755)
                .hardlink("bin/su3", "ro/inside", 0400)
                .fifo("run/fifo", 0640)
                .build());
        assertEquals("x", Files.readString(root.resolve("ro/inside")));
        assertEquals(0555, mode(root.resolve("ro")));
        assertEquals(0400, mode(root.resolve("ro/inside")), "the link header's mode applies to the inode, as in podman");
        assertEquals(04755, mode(root.resolve("bin/su")));
        assertEquals(01777, mode(root.resolve("tmp")));
        assertEquals("bin/su", Files.readSymbolicLink(root.resolve("rel")).toString());
        assertEquals("/nonexistent/target", Files.readSymbolicLink(root.resolve("dangling")).toString());
        assertEquals(Files.readAttributes(root.resolve("bin/su"), BasicFileAttributes.class).fileKey(),
                Files.readAttributes(root.resolve("bin/su2"), BasicFileAttributes.class).fileKey());
        assertTrue(Files.readAttributes(root.resolve("run/fifo"), BasicFileAttributes.class, Fs.NOFOLLOW).isOther());
        assertEquals(0640, mode(root.resolve("run/fifo")));
        assertEquals(TarBuilder.MTIME, Files.getLastModifiedTime(root.resolve("ro"), Fs.NOFOLLOW), "dir mtime kept after filling");
        assertEquals(TarBuilder.MTIME, Files.getLastModifiedTime(root.resolve("bin/su"), Fs.NOFOLLOW));
        assertEquals(TarBuilder.MTIME, Files.getLastModifiedTime(root.resolve("run/fifo"), Fs.NOFOLLOW));
        assertEquals(TarBuilder.MTIME, Files.getLastModifiedTime(root.resolve("rel"), Fs.NOFOLLOW), "symlink mtime");
        assertNothingOutside();
    }

    @Test
    void replacementFollowsTarSemantics() throws IOException {
        unpack(new TarBuilder()
                .file("a", "file").dir("a")
                .dir("b").file("b/c", "child").file("b", "now a file")
                .dir("k").file("k/keep", "kept").dir("k", 0700)
                .file("f", "one").file("f", "two")
                .build());
        assertTrue(Files.isDirectory(root.resolve("a"), Fs.NOFOLLOW));
        assertEquals("now a file", Files.readString(root.resolve("b")));
        assertEquals("kept", Files.readString(root.resolve("k/keep")));
        assertEquals(0700, mode(root.resolve("k")));
        assertEquals("two", Files.readString(root.resolve("f")));
    }

    @Test
    void ownershipIsApplied() throws IOException {
        assumeTrue(Native.isRoot(), "skipped: setting file owners needs root (or root in a user namespace)");
        unpack(new TarBuilder().file("owned", "x", 02755, 1234, 5678, Map.of()).symlink("l", "owned").build());
        assertEquals(1234, Files.getAttribute(root.resolve("owned"), "unix:uid", Fs.NOFOLLOW));
        assertEquals(5678, Files.getAttribute(root.resolve("owned"), "unix:gid", Fs.NOFOLLOW));
        assertEquals(02755, mode(root.resolve("owned")), "setgid survives chown (owner set before mode)");
    }

    @Test
    void withoutRootOwnershipIsDroppedWithOneWarning() throws IOException {
        new LayerUnpacker(warnings, false).unpack(new ByteArrayInputStream(new TarBuilder()
                .file("a", "x", 0644, 4242, 4242, Map.of()).file("b", "y", 0644, 4343, 4343, Map.of()).build()), root);
        if (!Native.isRoot()) {
            String w = warningBytes.toString(StandardCharsets.UTF_8);
            assertEquals(1, w.lines().count(), w);
            assertTrue(w.contains("file owners"), w);
        }
        assertEquals("x", Files.readString(root.resolve("a")));
    }

    @Test
    void paxAndGnuLongNamesAndLinks() throws IOException {
        String longDir = "d".repeat(120) + "/" + "e".repeat(120) + "/" + "f".repeat(100);
        String longName = longDir + "/" + "n".repeat(150);
        String longTarget = "../".repeat(2) + "t".repeat(180);
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_POSIX, TarArchiveOutputStream.LONGFILE_GNU}) {
            Fs.deleteTree(root);
            Files.createDirectory(root);
            unpack(new TarBuilder(mode).file(longName, "long").symlink(longDir + "/sym", longTarget)
                    .hardlink(longDir + "/hard", longName).file("ünïcødé/ファイル", "utf8").build());
            assertEquals("long", Files.readString(root.resolve(longName)));
            assertEquals(longTarget, Files.readSymbolicLink(root.resolve(longDir + "/sym")).toString());
            assertEquals("long", Files.readString(root.resolve(longDir + "/hard")));
            assertEquals("utf8", Files.readString(root.resolve("ünïcødé/ファイル")));
        }
    }

    @Test
    void whiteoutsAreConverted() throws IOException {
        LayerUnpacker.Result r = unpack(new TarBuilder()
                .dir("etc").file("etc/.wh.passwd", "").file(".wh.gone", "")
                .dir("opaque").file("opaque/.wh..wh..opq", "").file("opaque/new", "n")
                .file("implicit/.wh..wh..opq", "")
                .file(".wh..wh.plnk", "")
                .charDevice("dev0", 0, 0)
                .build());
        if (!r.whiteoutFallback()) {
            for (String w : new String[] {"etc/passwd", "gone", "dev0"}) {
                Map<String, Object> st = Fs.unixStat(root.resolve(w));
                assertNotNull(st, w);
                assertEquals(Native.S_IFCHR, (Integer) st.get("mode") & Native.S_IFMT, w + " is a char device");
                assertEquals(0L, st.get("rdev"), w + " is 0:0");
            }
            assertFalse(Files.exists(root.resolve("etc/.wh.passwd"), Fs.NOFOLLOW));
            assertEquals("y", xattr(root.resolve("opaque"), "overlay.opaque"));
            assertEquals("y", xattr(root.resolve("implicit"), "overlay.opaque"));
            assertFalse(Files.exists(root.resolve("opaque/.wh..wh..opq")));
        } else {
            assertFalse(Native.isRoot(), "root can always create 0:0 whiteouts");
            assertTrue(Files.isRegularFile(root.resolve("etc/.wh.passwd")));
            assertTrue(Files.isRegularFile(root.resolve(".wh.gone")));
            assertTrue(Files.isRegularFile(root.resolve(".wh.dev0")));
            assertTrue(VfsDriver.isOpaque(root.resolve("opaque")));
            assertTrue(VfsDriver.isOpaque(root.resolve("implicit")));
        }
        assertEquals("n", Files.readString(root.resolve("opaque/new")));
        assertFalse(Files.exists(root.resolve(".wh..wh.plnk"), Fs.NOFOLLOW));
        assertFalse(Files.exists(root.resolve("plnk"), Fs.NOFOLLOW));
        if (Native.isRoot()) {
            assertFalse(r.whiteoutFallback(), "as root the overlay format is always used");
        }
    }

    @Test
    void aNameWhitedOutAndRecreatedInTheSameLayerIsAFile() throws IOException {
        unpack(new TarBuilder().file(".wh.foo", "").file("foo", "back").file("d/.wh.bar", "").dir("d/bar").build());
        assertEquals("back", Files.readString(root.resolve("foo")));
        assertTrue(Files.isDirectory(root.resolve("d/bar"), Fs.NOFOLLOW));
        assertFalse(Files.exists(root.resolve(".wh.foo"), Fs.NOFOLLOW), "no stale marker");
        assertFalse(Files.exists(root.resolve("d/.wh.bar"), Fs.NOFOLLOW), "no stale marker");
    }

    @Test
    void unknownEntryTypesAreSkippedWithAWarning() throws IOException {
        unpack(new TarBuilder().raw("volume-label", (byte) 'V').file("f", "x").build());
        assertFalse(Files.exists(root.resolve("volume-label"), Fs.NOFOLLOW));
        assertTrue(warningBytes.toString(StandardCharsets.UTF_8).contains("unsupported type"));
    }

    @Test
    void whiteoutOfInvalidNameIsRefused() {
        StorageException e = refused(new TarBuilder().file("a/.wh...", "").build());
        assertMentions(e, "a/.wh...", "whiteout for an invalid name");
    }

    @Test
    void userXattrsAreKeptOthersDropped() throws IOException {
        assumeTrue(supportsUserXattrs(root), "skipped: the temp file system has no user xattrs");
        unpack(new TarBuilder().file("f", "x", 0644, 0, 0, Map.of(
                "SCHILY.xattr.user.mime", "text/plain",
                "SCHILY.xattr.user.overlay.opaque", "y",
                "SCHILY.xattr.user.overlay.redirect", "/etc",
                "SCHILY.xattr.security.capability", "bogus")).dir("d", 0755, Map.of("SCHILY.xattr.user.d", "dir")).build());
        assertEquals("text/plain", xattr(root.resolve("f"), "mime"));
        assertEquals("dir", xattr(root.resolve("d"), "d"));
        List<String> names = Files.getFileAttributeView(root.resolve("f"), UserDefinedFileAttributeView.class).list();
        assertEquals(List.of("mime"), names, "overlay-internal xattrs never come from a layer");
    }

    @Test
    void deviceNodesAreSkippedWithOneWarning() throws IOException {
        unpack(new TarBuilder().charDevice("dev/null", 1, 3).charDevice("dev/zero", 1, 5).file("f", "x").build());
        assertFalse(Files.exists(root.resolve("dev/null"), Fs.NOFOLLOW));
        String w = warningBytes.toString(StandardCharsets.UTF_8);
        List<String> lines = w.lines().filter(l -> l.contains("device node")).toList();
        assertEquals(1, lines.size(), w);
        assertTrue(lines.get(0).contains("2 device nodes") && lines.get(0).contains("dev/null"), w);
    }

    // ---- digest

    @Test
    void diffIdCoversEveryByteIncludingTrailingPadding() throws Exception {
        byte[] tar = new TarBuilder().file("hello", "world").build();
        byte[] padded = new byte[tar.length + 12345];
        System.arraycopy(tar, 0, padded, 0, tar.length);
        padded[padded.length - 1] = 42; // junk after the end marker still counts
        LayerUnpacker.Result r = unpack(padded);
        assertEquals("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(padded)), r.diffId());
        assertEquals(padded.length, r.size());
    }

    @Test
    void emptyStreamHasTheEmptyDigest() throws IOException {
        LayerUnpacker.Result r = unpack(new byte[0]);
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", r.diffId());
        assertEquals(0, r.size());
    }

    @Test
    void knownStreamDigest() throws IOException {
        // 1024 zero bytes: an empty tar (two zero records); sha256 computed independently with sha256sum
        LayerUnpacker.Result r = unpack(new byte[1024]);
        assertEquals("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", r.diffId());
        assertEquals(1024, r.size());
    }

    @Test
    void garbageIsNotATar() {
        byte[] junk = new byte[2048];
        new java.util.Random(7).nextBytes(junk);
        StorageException e = assertThrows(StorageException.class, () -> unpack(junk));
        assertTrue(e.getMessage().contains("not a valid tar archive"), e.getMessage());
    }

    @Test
    void truncatedTarIsReported() {
        byte[] tar = new TarBuilder().file("big", "x".repeat(5000)).build();
        byte[] cut = java.util.Arrays.copyOf(tar, 512 + 1000);
        StorageException e = assertThrows(StorageException.class, () -> unpack(cut));
        assertTrue(e.getMessage().contains("not a valid tar archive") || e.getMessage().contains("layer entry"), e.getMessage());
    }

    @Test
    void sourceFailuresPropagateAsIOException() {
        byte[] tar = new TarBuilder().file("a", "x".repeat(10000)).build();
        InputStream failing = new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                if (pos >= 1500) {
                    throw new IOException("connection reset");
                }
                return tar[pos++] & 0xff;
            }
        };
        IOException e = assertThrows(IOException.class, () -> new LayerUnpacker(warnings).unpack(failing, root));
        assertEquals("connection reset", e.getMessage());
    }

    // ---- helpers

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", Fs.NOFOLLOW) & 07777;
    }

    static String xattr(Path p, String name) throws IOException {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, Fs.NOFOLLOW);
        ByteBuffer b = ByteBuffer.allocate(v.size(name));
        v.read(name, b);
        b.flip();
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    static boolean supportsUserXattrs(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, "xattr", "");
            try {
                Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class).write("probe", ByteBuffer.wrap(new byte[] {1}));
                return true;
            } finally {
                Files.delete(probe);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
