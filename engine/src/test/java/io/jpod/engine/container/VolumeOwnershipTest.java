package io.jpod.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** :U's ids through a user namespace map, and podman's "top already owned: leave it" rule. */
class VolumeOwnershipTest {
    @TempDir
    Path dir;

    @Test
    void idsGoThroughTheMapLineThatHoldsThem() {
        List<String> keepId = SandboxPolicy.keepIdMap(1000, 65537, "uid");
        assertEquals(1, VolumeOwnership.toParent(keepId, 0));
        assertEquals(1000, VolumeOwnership.toParent(keepId, 999));
        assertEquals(0, VolumeOwnership.toParent(keepId, 1000));
        assertEquals(1001, VolumeOwnership.toParent(keepId, 1001));
        assertEquals(-1, VolumeOwnership.toParent(keepId, 70000));
    }

    @Test
    void chownIsRecursiveUnlessTheTopHasTheOwnerAlready() throws IOException {
        Files.createDirectories(dir.resolve("top/sub"));
        Files.writeString(dir.resolve("top/sub/file"), "x");
        Files.createSymbolicLink(dir.resolve("top/link"), Path.of("/etc/passwd"));
        VolumeOwnership.chown(dir.resolve("top"), 4321, 8765);
        for (String p : List.of("top", "top/sub", "top/sub/file", "top/link")) {
            assertEquals(4321, Files.getAttribute(dir.resolve(p), "unix:uid", LinkOption.NOFOLLOW_LINKS), p);
            assertEquals(8765, Files.getAttribute(dir.resolve(p), "unix:gid", LinkOption.NOFOLLOW_LINKS), p);
        }
        assertEquals(0, Files.getAttribute(Path.of("/etc/passwd"), "unix:uid"), "a symlink's target is never chowned");
        Files.setAttribute(dir.resolve("top/sub/file"), "unix:uid", 11);
        VolumeOwnership.chown(dir.resolve("top"), 4321, 8765);
        assertEquals(11, Files.getAttribute(dir.resolve("top/sub/file"), "unix:uid"), "top already owned: nothing below changes");
    }

    @Test
    void recordedSourcesAreChownedAtApply() throws IOException {
        Path container = Files.createDirectory(dir.resolve("ctr"));
        Path src = Files.createDirectory(dir.resolve("src"));
        VolumeOwnership.record(container, List.of(), 1, 1);
        assertEquals(false, Files.exists(container.resolve(VolumeOwnership.FILE)), "nothing to chown: no file");
        VolumeOwnership.record(container, List.of(src), 1234, 5678);
        VolumeOwnership.apply(container);
        assertEquals(1234, Files.getAttribute(src, "unix:uid"));
        assertEquals(5678, Files.getAttribute(src, "unix:gid"));
    }
}
