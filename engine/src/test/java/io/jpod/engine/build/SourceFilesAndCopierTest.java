package io.jpod.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceFilesAndCopierTest {
    @TempDir
    Path tmp;

    private Path file(Path root, String rel, String content) throws IOException {
        Path f = root.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        return f;
    }

    @Test
    void digestFollowsContentAndModeNotMtime() throws IOException {
        Path ctx = tmp.resolve("ctx");
        Path a = file(ctx, "dir/a.txt", "a");
        file(ctx, "dir/skip.log", "x");
        SourceFiles src = new SourceFiles(ctx, IgnoreRules.parse("**/*.log\n"));
        String d1 = src.digest(src.match("dir"));
        Files.setLastModifiedTime(a, FileTime.fromMillis(0));
        assertEquals(d1, src.digest(src.match("dir")), "mtimes are not part of the key");
        Files.writeString(ctx.resolve("dir/skip.log"), "changed");
        assertEquals(d1, src.digest(src.match("dir")), "an ignored file is not part of the key");
        Files.writeString(a, "b");
        String d2 = src.digest(src.match("dir"));
        assertNotEquals(d1, d2);
        Files.setAttribute(a, "unix:mode", 0600);
        assertNotEquals(d2, src.digest(src.match("dir")));
    }

    @Test
    void matchingStaysInsideTheContext() throws IOException {
        Path ctx = tmp.resolve("ctx");
        file(ctx, "x1.txt", "1");
        file(ctx, "x2.txt", "2");
        file(ctx, "sub/x3.txt", "3");
        file(ctx, "ignored.txt", "i");
        Files.createSymbolicLink(ctx.resolve("escape"), Path.of("/etc"));
        SourceFiles src = new SourceFiles(ctx, IgnoreRules.parse("ignored.txt\n"));
        assertEquals(List.of("x1.txt", "x2.txt"), src.match("*.txt").stream().map(SourceFiles.Match::relative).toList());
        assertEquals(List.of("sub/x3.txt"), src.match("/sub/*.txt").stream().map(SourceFiles.Match::relative).toList());
        assertEquals(List.of(), src.match("ignored.txt"));
        assertThrows(IllegalArgumentException.class, () -> src.match("../outside"));
        // a symlink to /etc is followed inside the context: escape/passwd is ctx/etc/passwd, which does not exist
        assertEquals(List.of(), src.match("escape/passwd"));
    }

    @Test
    void copierWritesInsideTheRootfsWithOwnerAndMode() throws IOException {
        Path root = tmp.resolve("rootfs");
        Files.createDirectories(root.resolve("usr"));
        Path host = Files.createDirectories(tmp.resolve("host-outside"));
        Files.createSymbolicLink(root.resolve("usr/lib"), host); // absolute link: must resolve inside root
        Path src = tmp.resolve("src");
        file(src, "tree/a", "a");
        file(src, "tree/d/b", "b");
        RootfsCopier copier = new RootfsCopier(root, 1234, 5678, null);
        copier.copyTree(src.resolve("tree"), "/usr/lib/app", p -> false);
        assertFalse(Files.exists(host.resolve("app")), "a write followed an absolute symlink out of the rootfs");
        Path inside = root.resolve(host.toString().substring(1)).resolve("app");
        assertTrue(Files.isRegularFile(inside.resolve("d/b")), "the link's target inside the rootfs receives the copy");
        assertEquals(1234, Files.getAttribute(inside.resolve("a"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(5678, Files.getAttribute(inside.resolve("a"), "unix:gid", LinkOption.NOFOLLOW_LINKS));

        RootfsCopier chmod = new RootfsCopier(root, 0, 0, 0700);
        chmod.copyFile(src.resolve("tree/a"), "/opt/x");
        assertEquals(0700, (Integer) Files.getAttribute(root.resolve("opt/x"), "unix:mode") & 07777);
        assertEquals(0755, (Integer) Files.getAttribute(root.resolve("opt"), "unix:mode") & 07777);
    }
}
