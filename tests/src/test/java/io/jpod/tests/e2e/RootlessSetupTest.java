package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.ProcFs;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rootless set-up around the container: the pause process and its recreation, `jpod unshare`, every storage
 * driver, the run-time dir fallback, and clear errors for what the host lacks.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RootlessSetupTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private static TestUser user; // set by FX
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/alpine");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    @Test
    void helpAndVersionNeedNoUserNamespace() {
        assumeTrue(TestUser.jvmIsRoot(), "needs the jpodnosub user, which only a root test JVM can create");
        TestUser noSub = TestUser.withoutSubids();
        try (JpodEnv other = JpodEnv.create(noSub)) {
            Result help = other.run(TIMEOUT, "--help");
            assertEquals(0, help.exitCode(), help::toString);
            assertTrue(help.stdout().contains("run") && help.stdout().contains("pull"), help::toString);
            Result version = other.run(TIMEOUT, "version");
            assertEquals(0, version.exitCode(), version::toString);
            assertTrue(version.stdout().contains("Version:"), version::toString);
        }
    }

    @Test
    void everyStorageDriverRunsTheSameImage() {
        for (String driver : List.of("overlay", "fuse-overlayfs", "vfs")) {
            Result r = env.run(TIMEOUT, "--storage-driver", driver, "run", "--rm", image, "sh", "-c",
                    "cat /etc/passwd | head -1; echo written > /tmp/f; cat /tmp/f");
            assertEquals(0, r.exitCode(), () -> driver + ": " + r);
            assertEquals(List.of("root:x:0:0:root:/root:/bin/sh", "written"), r.normalisedLines(), () -> driver + ": " + r);
        }
    }

    @Test
    void unshareRunsInTheUserNamespaceAsRoot() {
        Result r = env.run(TIMEOUT, "unshare", "sh", "-c", "id -u; cat /proc/self/uid_map");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.normalisedLines();
        assertEquals("0", lines.get(0), r::toString);
        assertTrue(lines.contains("0 " + user.uid() + " 1"), r::toString);
        Result status = env.run(TIMEOUT, "unshare", "sh", "-c", "exit 7");
        assertEquals(7, status.exitCode(), status::toString);
    }

    @Test
    void aKilledPauseProcessIsRecreated() throws Exception {
        long before = Long.parseLong(Files.readString(env.pausePidFile()).strip());
        ProcessHandle.of(before).ifPresent(ProcessHandle::destroyForcibly);
        waitUntilGone(before);
        Result r = env.run(TIMEOUT, "run", "--rm", image, "echo", "again");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("again\n", r.stdout(), r::toString);
        long after = Long.parseLong(Files.readString(env.pausePidFile()).strip());
        assertNotEquals(before, after);
        assertEquals("jpod-pause", ProcFs.read(after).orElseThrow().comm());
    }

    @Test
    void withoutXdgRuntimeDirAPrivateTmpDirIsUsedAndAnnouncedOnce() throws Exception {
        Path fallback = Path.of("/tmp/jpod-run-" + user.uid());
        removeFallback(fallback);
        try {
            Map<String, Optional<String>> noXdg = Map.of("XDG_RUNTIME_DIR", Optional.empty());
            Result first = env.runWith(noXdg, TIMEOUT, "run", "--rm", image, "true");
            assertEquals(0, first.exitCode(), first::toString);
            assertTrue(first.stderr().contains("XDG_RUNTIME_DIR is not set") && first.stderr().contains(fallback.toString()),
                    first::toString);
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fallback)));
            Result second = env.runWith(noXdg, TIMEOUT, "run", "--rm", image, "true");
            assertEquals(0, second.exitCode(), second::toString);
            assertFalse(second.stderr().contains("XDG_RUNTIME_DIR"), second::toString);
        } finally {
            removeFallback(fallback);
        }
    }

    @Test
    void unwritableStorageIsAClearError() {
        Result r = env.run(TIMEOUT, "--root", "/proc/jpod-storage", "run", "--rm", image, "true");
        assertEquals(125, r.exitCode(), r::toString);
        List<String> lines = r.stderr().strip().lines().toList();
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("Error: ") && lines.get(0).contains("/proc/jpod-storage"), r::toString);
    }

    @Test
    void unknownStorageDriverIsAClearError() {
        Result r = env.run(TIMEOUT, "--storage-driver", "zfs", "run", "--rm", image, "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("zfs") && r.stderr().contains("overlay"), r::toString);
    }

    /** The fallback dir belongs to the test user; its pause process goes first, then the files. */
    private static void removeFallback(Path fallback) throws IOException, InterruptedException {
        Path pid = fallback.resolve("jpod/pause.pid");
        if (Files.exists(pid)) {
            long p = Long.parseLong(Files.readString(pid).strip());
            if (ProcFs.read(p).map(proc -> proc.comm().equals("jpod-pause")).orElse(false)) {
                ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
                waitUntilGone(p);
            }
        }
        if (Files.exists(fallback)) {
            try (Stream<Path> walk = Files.walk(fallback)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void waitUntilGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcFs.read(pid).isPresent()) {
            assertTrue(System.nanoTime() < deadline, "process " + pid + " did not exit within 10 s");
            Thread.sleep(20); // poll interval of a bounded wait for the kernel to reap it
        }
    }
}
