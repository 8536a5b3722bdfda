package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.storage.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of archive loading (entry names) and of push's blob-location hints. */
class ArchiveAndLocationsTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @TempDir
    Path dir;

    @Test
    void locationsAreMostRecentFirstPerRegistryDeduplicatedAndCapped() throws IOException {
        BlobLocations l = new BlobLocations(Store.open(dir.resolve("store")));
        assertEquals(List.of(), l.repositories(DIGEST, "reg:5000"));
        l.record(DIGEST, "reg:5000", "a");
        l.record(DIGEST, "other:5000", "x");
        l.record(DIGEST, "reg:5000", "b");
        l.record(DIGEST, "reg:5000", "a");
        assertEquals(List.of("a", "b"), l.repositories(DIGEST, "reg:5000"));
        assertEquals(List.of("x"), l.repositories(DIGEST, "other:5000"));
        for (int i = 0; i < 20; i++) {
            l.record(DIGEST, "reg:5000", "r" + i);
        }
        assertEquals(8, l.repositories(DIGEST, "reg:5000").size());
        assertEquals("r19", l.repositories(DIGEST, "reg:5000").get(0));
        Files.writeString(dir.resolve("store/blobs/locations/" + "ab".repeat(32)), "{broken");
        assertEquals(List.of(), l.repositories(DIGEST, "reg:5000"), "a damaged hint is no hint");
    }

    @Test
    void entriesRefuseNamesOutsideTheArchiveAndFollowLinksInsideIt() throws IOException {
        assertTrue(entries("./oci-layout", "index.json").containsKey("oci-layout"));
        for (String bad : List.of("../x", "blobs/../../x", "/etc/passwd", "./a/../..")) {
            ImageException e = assertThrows(ImageException.class, () -> entries("index.json", bad));
            assertTrue(e.getMessage().contains("outside the archive"), e::getMessage);
        }
        // docker save links a layer.tar it already wrote: followed inside the archive, refused when it leaves it
        Path tar = dir.resolve("link.tar");
        try (OutputStream o = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(o)) {
            byte[] b = "layer".getBytes(StandardCharsets.US_ASCII);
            TarArchiveEntry file = new TarArchiveEntry("a/layer.tar");
            file.setSize(b.length);
            t.putArchiveEntry(file);
            t.write(b);
            t.closeArchiveEntry();
            TarArchiveEntry inside = new TarArchiveEntry("b/layer.tar", TarArchiveEntry.LF_SYMLINK);
            inside.setLinkName("../a/layer.tar");
            t.putArchiveEntry(inside);
            t.closeArchiveEntry();
        }
        try (TarFile f = new TarFile(tar.toFile())) {
            assertEquals("a/layer.tar", OciArchive.entries(f, "link.tar").get("b/layer.tar").getName());
        }
        for (String target : List.of("/etc/passwd", "../../etc/passwd")) {
            try (OutputStream o = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(o)) {
                TarArchiveEntry link = new TarArchiveEntry("b/index.json", TarArchiveEntry.LF_SYMLINK);
                link.setLinkName(target);
                t.putArchiveEntry(link);
                t.closeArchiveEntry();
            }
            try (TarFile f = new TarFile(tar.toFile())) {
                ImageException e = assertThrows(ImageException.class, () -> OciArchive.entries(f, "link.tar"));
                assertTrue(e.getMessage().contains("outside the archive"), e::getMessage);
            }
        }
    }

    private java.util.Map<String, TarArchiveEntry> entries(String... names) throws IOException {
        Path tar = dir.resolve("t.tar");
        try (OutputStream o = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(o)) {
            for (String n : names) {
                byte[] b = "{}".getBytes(StandardCharsets.US_ASCII);
                TarArchiveEntry e = new TarArchiveEntry(n, true);
                e.setSize(b.length);
                t.putArchiveEntry(e);
                t.write(b);
                t.closeArchiveEntry();
            }
        }
        try (TarFile f = new TarFile(tar.toFile())) {
            return OciArchive.entries(f, "t.tar");
        }
    }
}
