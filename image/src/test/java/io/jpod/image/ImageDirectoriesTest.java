package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory layouts' target rules, their detection and what a layout directory source reads. */
class ImageDirectoriesTest {
    private static final String ID = "sha256:" + "cd".repeat(32);

    @TempDir
    Path dir;

    private Store store() {
        return Store.open(dir.resolve("store"));
    }

    private static ImageRecord absentImage() {
        return new ImageRecord(ID, List.of(), List.of(), null, List.of(), 0, null);
    }

    @Test
    void aNonEmptyTargetOrAFileIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path target = Files.createDirectory(out.resolve("taken"));
        Files.writeString(target.resolve("keep"), "mine");
        ImageException e = assertThrows(ImageException.class,
                () -> ImageDirectories.save(store(), absentImage(), ImageArchives.OCI_DIR, null, false, target));
        assertTrue(e.getMessage().contains("is not empty"), e::getMessage);
        assertEquals("mine", Files.readString(target.resolve("keep")));
        Path file = Files.writeString(out.resolve("file"), "x");
        e = assertThrows(ImageException.class,
                () -> ImageDirectories.save(store(), absentImage(), ImageArchives.DOCKER_DIR, null, false, file));
        assertTrue(e.getMessage().contains("not a directory"), e::getMessage);
        assertEquals(List.of("file", "taken"), names(out));
    }

    @Test
    void aSaveThatFailsHalfWayLeavesNoTemporaryDirectoryAndNoTarget() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path target = out.resolve("new");
        // the image is not in the store: reading its config fails after the temporary directory was made
        assertThrows(RuntimeException.class,
                () -> ImageDirectories.save(store(), absentImage(), ImageArchives.OCI_DIR, null, false, target));
        assertEquals(List.of(), names(out));
        Path empty = Files.createDirectory(target);
        assertThrows(RuntimeException.class,
                () -> ImageDirectories.save(store(), absentImage(), ImageArchives.DOCKER_DIR, null, false, empty));
        assertEquals(List.of("new"), names(out), "an empty target may be replaced, but only by a complete layout");
        assertEquals(List.of(), names(empty));
    }

    @Test
    void loadTellsTheLayoutsApartAndNamesWhatIsWrong() throws IOException {
        Path none = Files.createDirectories(dir.resolve("none"));
        ImageException e = assertThrows(ImageException.class, () -> ImageDirectories.load(store(), none, null));
        assertTrue(e.getMessage().contains("neither an oci-dir"), e::getMessage);

        Path old = Files.createDirectories(dir.resolve("old"));
        Files.writeString(old.resolve("version"), "Directory Transport Version: 1.0\n");
        Files.writeString(old.resolve("manifest.json"), "{}");
        e = assertThrows(ImageException.class, () -> ImageDirectories.load(store(), old, null));
        assertTrue(e.getMessage().contains("Directory Transport Version: 1.1"), e::getMessage);

        Path oci = Files.createDirectories(dir.resolve("oci"));
        Files.writeString(oci.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        String missing = "sha256:" + "ef".repeat(32);
        Files.writeString(oci.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + missing + "\",\"size\":10}]}");
        e = assertThrows(ImageException.class, () -> ImageDirectories.load(store(), oci, null));
        assertTrue(e.getMessage().contains("blob " + missing + " is missing from the directory"), e::getMessage);
    }

    @Test
    void aDirectorySourceNamesBlobsByLayoutAndFollowsNoLinks() throws IOException {
        Path d = Files.createDirectories(dir.resolve("src"));
        String digest = "sha256:" + "ab".repeat(32);
        assertEquals("blobs/sha256/" + "ab".repeat(32), ArchiveSource.directory(d, true).blobName(digest));
        assertEquals("ab".repeat(32), ArchiveSource.directory(d, false).blobName(digest));
        Path outside = Files.writeString(dir.resolve("outside"), "secret", StandardCharsets.US_ASCII);
        Files.createSymbolicLink(d.resolve("manifest.json"), outside);
        Files.writeString(d.resolve("version"), "v");
        ArchiveSource src = ArchiveSource.directory(d, false);
        assertFalse(src.has("manifest.json"), "a symbolic link is not a file of the layout");
        assertTrue(src.has("version"));
        assertEquals(1, src.size("version"));
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
