package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The storage commands on a real store: info says which driver and why, diff/mount/umount/export/commit on a
 * container that changed its rootfs, a committed image that runs, system df/check/prune/reset.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StorageCommandsTest {
    private static final Duration T = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static String image;

    @BeforeAll
    static void setUp() {
        registry.push(TestImage.busybox().layer(l -> l.file("etc/motd", "from the image\n")).build(), "jpod/files", "latest");
        image = registry.hostPort() + "/jpod/files:latest";
    }


    @Test
    @Order(1)
    void infoNamesTheDriverAndWhy() {
        Result r = env.ok("info");
        String driver = r.stdout().lines().filter(l -> l.strip().startsWith("graphDriverName:")).findFirst().orElse("");
        String reason = r.stdout().lines().filter(l -> l.strip().startsWith("graphDriverReason:")).findFirst().orElse("");
        assertTrue(driver.matches(".*: (overlay|fuse-overlayfs|vfs)"), r::toString);
        String name = driver.substring(driver.lastIndexOf(' ') + 1);
        assertTrue(reason.contains(name + ":"), () -> "the reason must start with the driver's name" + r);
        Result forced = env.ok("--storage-driver", "vfs", "info");
        assertTrue(forced.stdout().contains("--storage-driver"), forced::toString);
    }

    @Test
    @Order(2)
    void diffListsTheContainersChanges() {
        env.ok("run", "--name", "changed", "--network", "none", image, "sh", "-c",
                "echo hi > /new; rm /etc/motd; mkdir /tmp/d; echo more >> /etc/passwd");
        Result d = env.ok("diff", "changed");
        List<String> lines = d.stdout().lines().toList();
        for (String want : List.of("A /new", "D /etc/motd", "C /etc/passwd", "C /etc", "C /tmp", "A /tmp/d")) {
            assertTrue(lines.contains(want), () -> "missing '" + want + "'" + d);
        }
        assertFalse(lines.stream().anyMatch(l -> l.endsWith(" /bin/busybox")), d::toString);
    }

    @Test
    @Order(3)
    void mountShowsTheMergedRootfsAndUmountRemovesIt() {
        Result m = env.ok("mount", "changed");
        String path = m.stdout().strip();
        assertTrue(path.endsWith("/merged"), m::toString);
        Result cat = env.ok("unshare", "cat", path + "/new");
        assertEquals("hi\n", cat.stdout());
        env.ok("umount", "changed");
        Result gone = env.run(T, "unshare", "test", "-e", path + "/new");
        assertNotEquals(0, gone.exitCode(), () -> "still mounted after umount" + gone);
    }

    @Test
    @Order(4)
    void exportWritesTheWholeRootfs() throws IOException {
        Path out = env.home().resolve("changed.tar");
        env.ok("export", "-o", out.toString(), "changed");
        Map<String, TarArchiveEntry> entries = new HashMap<>();
        Map<String, String> contents = new HashMap<>();
        try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(out));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries.put(e.getName(), e);
                if (e.isFile() && e.getSize() < 1000) {
                    contents.put(e.getName(), new String(tar.readAllBytes()));
                }
            }
        }
        assertEquals("hi\n", contents.get("new"));
        assertTrue(entries.containsKey("bin/busybox") && entries.get("bin/sh").isSymbolicLink(), entries.keySet()::toString);
        assertFalse(entries.containsKey("etc/motd"), "deleted in the container");
        assertTrue(contents.get("etc/passwd").endsWith("more\n"));
    }

    @Test
    @Order(5)
    void commitMakesARunnableImageWithTheChanges() {
        Result c = env.ok("commit", "changed", "committed");
        String id = c.stdout().strip();
        assertTrue(id.matches("[0-9a-f]{64}"), c::toString);
        Result images = env.ok("images");
        assertTrue(images.stdout().contains("localhost/committed"), images::toString);
        Result run = env.ok("run", "--rm", "--network", "none", "localhost/committed:latest", "sh", "-c",
                "cat /new; test -e /etc/motd && echo motd-still-there; tail -1 /etc/passwd; test -d /tmp/d && echo dir");
        assertEquals("hi\nmore\ndir\n", run.stdout(), run::toString);
    }

    @Test
    @Order(6)
    void dfAndCheckSeeAConsistentStore() {
        Result df = env.ok("system", "df");
        String imagesRow = df.stdout().lines().filter(l -> l.startsWith("Images")).findFirst().orElse("");
        assertTrue(imagesRow.matches("Images\\s+2\\s+1\\s+.*"), () -> "2 images, 1 used by a container" + df);
        assertTrue(df.stdout().lines().anyMatch(l -> l.matches("Containers\\s+1\\s+0\\s+.*")), df::toString);
        Result check = env.ok("system", "check");
        assertTrue(check.stdout().contains("no problems"), check::toString);
    }

    @Test
    @Order(7)
    void checkFindsAndRepairsDamage() throws IOException {
        // a short link deleted by hand and an orphan image dir (an interrupted put)
        Path l = env.storageRoot().resolve("overlay/l");
        Path link;
        try (Stream<Path> s = Files.list(l)) {
            link = s.findFirst().orElseThrow();
        }
        env.ok("unshare", "rm", link.toString());
        env.ok("unshare", "mkdir", env.storageRoot().resolve("images").resolve("e".repeat(64)).toString());
        Result bad = env.run(T, "system", "check");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertTrue(bad.stdout().contains("missing-link") && bad.stdout().contains("incomplete-image"), bad::toString);
        Result fixed = env.ok("system", "check", "--repair");
        assertTrue(fixed.stdout().contains("(repaired)"), fixed::toString);
        Result again = env.ok("system", "check");
        assertTrue(again.stdout().contains("no problems"), again::toString);
    }

    @Test
    @Order(8)
    void pruneAllRemovesStoppedContainersUnusedImagesAndTheirLayers() throws IOException {
        Result p = env.ok("system", "prune", "-a", "-f");
        assertTrue(p.stdout().contains("Deleted Containers") && p.stdout().contains("Deleted Images"), p::toString);
        assertEquals(1, env.ok("images").stdout().lines().count(), "only the header is left");
        try (Stream<Path> s = Files.list(env.storageRoot().resolve("overlay"))) {
            assertEquals(List.of("l"), s.map(x -> x.getFileName().toString()).toList(), "no layer is left");
        }
        assertTrue(env.ok("system", "check").stdout().contains("no problems"));
    }

    @Test
    @Order(9)
    void diffAndCommitWorkWithTheVfsDriverToo() {
        env.ok("--storage-driver", "vfs", "run", "--name", "copied", "--network", "none", image, "sh", "-c",
                "echo v > /vfs-new; rm /etc/motd");
        Result d = env.ok("--storage-driver", "vfs", "diff", "copied");
        List<String> lines = d.stdout().lines().toList();
        assertTrue(lines.contains("A /vfs-new") && lines.contains("D /etc/motd"), d::toString);
        assertFalse(lines.stream().anyMatch(l -> l.endsWith(" /bin/busybox")), d::toString);
        env.ok("--storage-driver", "vfs", "commit", "copied", "vfscommitted");
        Result run = env.ok("--storage-driver", "vfs", "run", "--rm", "--network", "none", "localhost/vfscommitted", "sh", "-c",
                "cat /vfs-new; test -e /etc/motd || echo gone");
        assertEquals("v\ngone\n", run.stdout(), run::toString);
        assertTrue(env.ok("system", "check").stdout().contains("no problems"));
    }

    @Test
    @Order(10)
    void resetRemovesEverythingAndStopsThePauseProcess() throws IOException {
        env.ok("pull", image);
        long pause = env.pauseProcess().orElseThrow().pid();
        long images = env.ok("images").stdout().lines().count();
        assertTrue(images >= 2, "a header and at least one image");
        Result declined = env.ok("system", "reset"); // stdin is /dev/null: no confirmation, nothing happens
        assertTrue(declined.stdout().contains("Are you sure"), declined::toString);
        assertEquals(images, env.ok("images").stdout().lines().count(), "declined: the images are still there");
        env.ok("system", "reset", "-f");
        try (Stream<Path> s = Files.list(env.storageRoot())) {
            assertEquals(List.of(), s.toList(), "the storage root is empty");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ProcessHandle.of(pause).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // bounded poll for the kill to take effect
        }
        assertFalse(ProcessHandle.of(pause).map(ProcessHandle::isAlive).orElse(false), "the pause process is gone");
        assertEquals(1, env.ok("images").stdout().lines().count(), "jpod works again from scratch");
    }
}
