package io.jpod.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffExportTest {
    @TempDir
    Path tmp;
    Path lower;
    Path upper;

    @BeforeEach
    void layers() throws IOException {
        lower = tmp.resolve("lower");
        new LayerUnpacker(new PrintStream(new ByteArrayOutputStream()), false).unpack(new ByteArrayInputStream(new TarBuilder()
                .dir("etc").file("etc/conf", "old").file("etc/gone", "x").dir("var").dir("var/cache").file("var/cache/a", "a")
                .file("var/cache/b", "b").dir("opq").file("opq/old", "o").build()), Files.createDirectories(lower));
        upper = Files.createDirectories(tmp.resolve("upper"));
        Files.createDirectories(upper.resolve("etc"));
        Files.writeString(upper.resolve("etc/conf"), "new");
        Files.createFile(upper.resolve("etc/.wh.gone")); // the .wh. form of a deletion
        Files.createDirectories(upper.resolve("new/deep"));
        Files.writeString(upper.resolve("new/deep/file"), "n");
        Files.createLink(upper.resolve("new/link"), upper.resolve("new/deep/file"));
        Files.createSymbolicLink(upper.resolve("new/sym"), Path.of("/etc/conf"));
        Files.createDirectories(upper.resolve("opq"));
        Files.writeString(upper.resolve("opq/fresh"), "f");
        UserDefinedFileAttributeView v = Files.getFileAttributeView(upper.resolve("opq"), UserDefinedFileAttributeView.class);
        v.write("overlay.opaque", ByteBuffer.wrap(new byte[] {'y'}));
        if (Native.mknodWhiteout(upper.resolve("var").toString()) != 0) {
            Files.createFile(upper.resolve(".wh.var"));
        }
    }

    @Test
    void diffListsAddedChangedDeletedLikePodman() throws IOException {
        List<String> changes = DiffWalker.changes(upper, List.of(lower)).stream().map(DiffWalker.Change::toString).toList();
        assertEquals(List.of("C /etc", "C /etc/conf", "D /etc/gone", "A /new", "A /new/deep", "A /new/deep/file", "A /new/link",
                "A /new/sym", "C /opq", "A /opq/fresh", "D /var"), changes);
    }

    @Test
    void exportedDiffIsAnOciLayerThatUnpacksToTheSameChanges() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerExporter.Result r = LayerExporter.exportDiff(upper, out);
        byte[] tar = out.toByteArray();
        assertEquals(tar.length, r.size());
        assertEquals("sha256:" + HexFormat.of().formatHex(sha256(tar)), r.diffId());
        Map<String, TarArchiveEntry> entries = entries(tar);
        assertEquals(List.of("etc/", "etc/.wh.gone", "etc/conf", "new/", "new/deep/", "new/deep/file", "new/link", "new/sym",
                "opq/", "opq/.wh..wh..opq", "opq/fresh", ".wh.var").stream().sorted().toList(),
                entries.keySet().stream().sorted().toList());
        assertEquals("new/deep/file", entries.get("new/link").getLinkName(), "hard links stay hard links");
        assertTrue(entries.get("new/link").isLink());
        assertEquals("/etc/conf", entries.get("new/sym").getLinkName());
        // and it applies on the lower layer the way the upper dir showed it
        Path applied = tmp.resolve("applied");
        LayerUnpacker.Result u = new LayerUnpacker(null, false).unpack(new ByteArrayInputStream(tar), Files.createDirectories(applied));
        assertEquals(r.diffId(), u.diffId());
        assertEquals(DiffWalker.changes(upper, List.of(lower)), DiffWalker.changes(applied, List.of(lower)));
    }

    @Test
    void exportTreeWritesEveryEntry() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerExporter.exportTree(lower, out);
        assertEquals(List.of("etc/", "etc/conf", "etc/gone", "opq/", "opq/old", "var/", "var/cache/", "var/cache/a", "var/cache/b"),
                new ArrayList<>(entries(out.toByteArray()).keySet()));
    }

    @Test
    void vfsRootfsCopyIsComparedWithTheImageAndItsChangesCommitted() throws IOException {
        // the vfs driver's container rootfs: a full copy of the layers, changed in place
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        new VfsDriver(null).mount(List.of(lower), Files.createDirectories(tmp.resolve("unused")), work, rootfs);
        assertEquals(List.of(), DiffWalker.compare(rootfs, List.of(lower)), "an untouched copy has no changes");
        Files.writeString(rootfs.resolve("etc/conf"), "changed!");
        Files.delete(rootfs.resolve("etc/gone"));
        Fs.deleteTree(rootfs.resolve("var/cache"));
        Files.createDirectories(rootfs.resolve("srv/www"));
        Files.writeString(rootfs.resolve("srv/www/index"), "i");
        List<String> changes = DiffWalker.compare(rootfs, List.of(lower)).stream().map(DiffWalker.Change::toString).toList();
        assertEquals(List.of("C /etc", "C /etc/conf", "D /etc/gone", "A /srv", "A /srv/www", "A /srv/www/index", "C /var",
                "D /var/cache"), changes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerExporter.exportChanges(rootfs, DiffWalker.compare(rootfs, List.of(lower)), out);
        Path applied = Files.createDirectories(tmp.resolve("applied"));
        new LayerUnpacker(null, false).unpack(new ByteArrayInputStream(out.toByteArray()), applied);
        assertEquals(List.of(), DiffWalker.compare(rootfs, List.of(applied, lower)),
                () -> stat(rootfs.resolve("etc/conf")) + " vs " + stat(applied.resolve("etc/conf")) + ": the committed layer on top of the image gives exactly the changed rootfs");
    }

    private static String stat(Path p) {
        try {
            return String.valueOf(Fs.unixStat(p));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static Map<String, TarArchiveEntry> entries(byte[] tar) throws IOException {
        Map<String, TarArchiveEntry> m = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                m.put(e.getName(), e);
            }
        }
        return m;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
