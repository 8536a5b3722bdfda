package io.jpod.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreTest {
    @TempDir
    Path tmp;

    @Test
    void openCreatesTheLayout() throws IOException {
        Path root = tmp.resolve("a/b/storage");
        try (Store s = Store.open(root)) {
            for (String d : new String[] {"tmp", "overlay", "overlay/l", "images", "containers"}) {
                assertTrue(Files.isDirectory(root.resolve(d)), d);
            }
            assertEquals(root.toRealPath(), s.root());
        }
        try (Store s = Store.open(root)) {
            assertTrue(Files.isDirectory(s.root().resolve("overlay/l")), "reopening is fine");
        }
    }

    @Test
    void openRefusesAFileAsRoot() throws IOException {
        Path f = Files.writeString(tmp.resolve("file"), "x");
        StorageException e = assertThrows(StorageException.class, () -> Store.open(f));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void leftoversOfDeadProcessesAreSwept() throws IOException {
        Path root = tmp.resolve("storage");
        Store.open(root).close();
        Path t = root.resolve("tmp");
        // a crashed process: lock file nobody holds, staging dir with read-only content
        Path dead = Files.createDirectories(t.resolve("999999-dead/layer-1/diff/ro/sub"));
        Files.writeString(dead.resolve("f"), "x");
        Files.setPosixFilePermissions(dead, PosixFilePermissions.fromString("r-x------"));
        Files.setPosixFilePermissions(dead.getParent(), PosixFilePermissions.fromString("r-x------"));
        Files.createFile(t.resolve("999999-dead.lock"));
        // a dir whose lock file is gone (a sweeper crashed half-way)
        Files.createDirectories(t.resolve("888888-orphan/x"));
        try (Store s = Store.open(root)) {
            assertFalse(Files.exists(t.resolve("999999-dead")));
            assertFalse(Files.exists(t.resolve("999999-dead.lock")));
            assertFalse(Files.exists(t.resolve("888888-orphan")));
        }
    }

    @Test
    void liveProcessesAreNotSwept() throws Exception {
        Path root = tmp.resolve("storage");
        Store.open(root).close();
        Path t = root.resolve("tmp");
        Path lock = t.resolve("777777-live.lock");
        Process child = lockHolder(lock, "shared");
        try {
            Path live = Files.createDirectories(t.resolve("777777-live/layer-1/diff"));
            try (Store s = Store.open(root)) {
                assertTrue(Files.isDirectory(live), "the live process's staging survives");
                assertTrue(Files.exists(lock));
            }
        } finally {
            release(child);
        }
        try (Store s = Store.open(root)) {
            assertFalse(Files.exists(t.resolve("777777-live")), "swept once its owner died");
            assertFalse(Files.exists(lock));
        }
    }

    /**
     * A JVM that opens the store again and again (the per-user service) sweeps tmp/ again only when it changed since a
     * sweep that left no other process's staging: what another process stages (and may leave behind when killed)
     * changes tmp/, so the next open sweeps; a live staging area makes every open look until it is gone.
     */
    @Test
    void reopeningSweepsOnlyWhenTmpChangedOrAnotherProcessWasStaging() throws Exception {
        Path root = tmp.resolve("storage");
        Store.open(root).close();
        Path t = root.resolve("tmp");
        // quiet for long enough that a later change shows in tmp/'s mtime
        Files.setLastModifiedTime(t, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        try (Store s = Store.open(root)) {
            assertFalse(s.sweepDue(), "the sweep just made is trusted while tmp/ stays as it was");
        }
        // another process stages, then is killed: its lock file and directory changed tmp/
        Files.createDirectories(t.resolve("999998-killed/layer-1"));
        Files.createFile(t.resolve("999998-killed.lock"));
        try (Store s = Store.open(root)) {
            assertFalse(Files.exists(t.resolve("999998-killed")), "swept at the next open");
            assertFalse(Files.exists(t.resolve("999998-killed.lock")));
        }
        // a live one: seen by a sweep, it keeps every later open sweeping until it has gone
        Files.setLastModifiedTime(t, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Path lock = t.resolve("777776-live.lock");
        Process child = lockHolder(lock, "shared");
        Path live = Files.createDirectories(t.resolve("777776-live/layer-1"));
        Files.setLastModifiedTime(t, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        try {
            try (Store s = Store.open(root)) {
                assertTrue(Files.isDirectory(live));
                assertTrue(s.sweepDue(), "a live staging area seen: the next open sweeps again");
            }
        } finally {
            release(child); // it exits without touching tmp/
        }
        try (Store s = Store.open(root)) {
            assertFalse(Files.exists(live), "swept once its owner is gone, tmp/ unchanged");
            assertFalse(Files.exists(lock));
        }
    }

    @Test
    void aKilledProcessLeavesNothingBehindAfterTheNextOpen() throws Exception {
        Path root = tmp.resolve("storage");
        Store.open(root).close();
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashingStager.class.getName(),
                root.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            assertEquals("staged", firstLine(p));
            try (Store s = Store.open(root); var l = Files.list(root.resolve("tmp"))) {
                assertEquals(2, l.count(), "the live process's staging dir and lock file survive an open");
            }
        } finally {
            p.destroyForcibly(); // SIGKILL: no close, no shutdown hooks
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        try (var l = Files.list(root.resolve("tmp"))) {
            assertEquals(2, l.count(), "the crash left its staging behind");
        }
        Path hex = root.resolve("images").resolve("a".repeat(64));
        Files.createDirectories(hex);
        Path torn = Files.writeString(hex.resolve(".tmp-image.json-0123456789ab"), "{\"half");
        Path tornLink = root.resolve("overlay/l/.tmp-ABC-0123");
        Files.createSymbolicLink(tornLink, Path.of("../nowhere/diff"));
        try (Store s = Store.open(root); var l = Files.list(root.resolve("tmp"))) {
            assertEquals(List.of(), l.toList(), "swept");
        }
        assertFalse(Files.exists(torn, Fs.NOFOLLOW), "the torn atomic write of the dead process is swept");
        assertFalse(Files.exists(tornLink, Fs.NOFOLLOW), "the half-made short link is swept");
    }

    @Test
    void tempFilesAreSweptOnlyOnRequestWhenNoCrashWasSeen() throws IOException {
        Path root = tmp.resolve("storage");
        Store.open(root).close();
        Path c = Files.createDirectories(root.resolve("containers").resolve("b".repeat(64)));
        Path torn = Files.writeString(c.resolve(".tmp-container.json-0123"), "x");
        Path kept = Files.writeString(c.resolve("container.json"), "{}");
        try (Store s = Store.open(root)) {
            assertTrue(Files.exists(torn), "no dead staging area, so open does not scan for temp files");
            assertEquals(List.of(torn), s.sweepTempFiles());
        }
        assertFalse(Files.exists(torn));
        assertTrue(Files.exists(kept));
    }

    @Test
    void aHolderKilledInsideItsLockedSectionHasItsTempFilesSweptByTheNextHolder() throws IOException {
        Path root = tmp.resolve("storage");
        Store.open(root).close();
        Path c = Files.createDirectories(root.resolve("images").resolve("c".repeat(64)));
        Path torn = Files.writeString(c.resolve(".tmp-config.json-0123"), "{\"half");
        // what a holder killed between its mark and the end of its section leaves: the mark in the lock file
        Files.writeString(root.resolve("storage.lock"), "1");
        try (Store s = Store.open(root)) {
            assertTrue(Files.exists(torn), "open alone takes no lock");
            s.locked(() -> null);
            assertFalse(Files.exists(torn), "the next locked section sweeps the torn write");
            assertEquals(0, Files.size(root.resolve("storage.lock")), "and leaves no mark of its own");
            Path later = Files.writeString(c.resolve(".tmp-config.json-4567"), "x");
            s.locked(() -> null);
            assertTrue(Files.exists(later), "without a mark nothing says a writer died, so nothing is swept");
        }
    }

    @Test
    void anotherStoreInTheSameJvmDoesNotSweepOurStaging() throws IOException {
        Path root = tmp.resolve("storage");
        try (Store first = Store.open(root)) {
            byte[] tar = new TarBuilder().file("f", "x").build();
            String id = ImageStore.sha256(tar);
            try (StagedLayer staged = first.layers().stage(new ByteArrayInputStream(tar), null)) {
                try (Store second = Store.open(root)) {
                    second.layers().list();
                }
                staged.commit(id, id, null);
            }
            assertTrue(first.layers().exists(id));
        }
        try (var s = Files.list(root.resolve("tmp"))) {
            assertEquals(List.of(), s.toList(), "closing removes the staging area and its lock file");
        }
    }

    @Test
    void lockedIsExclusiveAcrossThreadsAndReentrant() throws Exception {
        try (Store s = Store.open(tmp.resolve("storage"))) {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> fs = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    fs.add(pool.submit(() -> {
                        int sum = 0;
                        for (int j = 0; j < 50; j++) {
                            sum += s.locked(() -> {
                                int now = inside.incrementAndGet();
                                maxInside.accumulateAndGet(now, Math::max);
                                int nested = s.locked(() -> 1); // reentrant: must not deadlock
                                inside.decrementAndGet();
                                return nested;
                            });
                        }
                        return sum;
                    }));
                }
                for (Future<Integer> f : fs) {
                    assertEquals(50, f.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, maxInside.get());
        }
    }

    @Test
    void lockedWaitsForAnotherProcess() throws Exception {
        try (Store s = Store.open(tmp.resolve("storage"))) {
            Process child = lockHolder(s.root().resolve("storage.lock"), "exclusive");
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                CountDownLatch ran = new CountDownLatch(1);
                Future<String> f = pool.submit(() -> s.locked(() -> {
                    ran.countDown();
                    return "done";
                }));
                assertThrows(TimeoutException.class, () -> f.get(300, TimeUnit.MILLISECONDS));
                assertEquals(1, ran.getCount(), "must not run while the other process holds the lock");
                release(child);
                assertEquals("done", f.get(60, TimeUnit.SECONDS));
            } finally {
                child.destroyForcibly();
                pool.shutdownNow();
            }
        }
    }

    @Test
    void deleteTreeCopesWithReadOnlyAndUnsearchableDirs() throws IOException {
        Path top = Files.createDirectories(tmp.resolve("t/a/b/c"));
        Files.writeString(top.resolve("f"), "x");
        Files.createSymbolicLink(tmp.resolve("t/a/out"), tmp); // must not be followed
        Files.setPosixFilePermissions(top, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(top.getParent(), PosixFilePermissions.fromString("r-x------"));
        Files.setPosixFilePermissions(tmp.resolve("t/a"), PosixFilePermissions.fromString("r--------"));
        Fs.deleteTree(tmp.resolve("t"));
        assertFalse(Files.exists(tmp.resolve("t")));
        assertTrue(Files.isDirectory(tmp), "the symlink target survives");
    }

    // ---- child process helpers

    static Process lockHolder(Path file, String mode) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Paths.get(LockHolder.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process p = new ProcessBuilder(java, "-cp", cp, LockHolder.class.getName(), file.toString(), mode)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertEquals("locked", firstLine(p));
        return p;
    }

    /** The child's first stdout line, waiting at most 60 s. */
    static String firstLine(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(60, TimeUnit.SECONDS);
    }

    static void release(Process p) throws Exception {
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "lock holder exits");
    }
}
