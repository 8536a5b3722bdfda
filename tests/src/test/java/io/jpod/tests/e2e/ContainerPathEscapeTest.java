package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A container must not make jpod read or write outside its root: not by swapping a directory for a symlink to a
 * host directory while `jpod cp` runs (CVE-2018-15664; before the fix one of 1–7 tries wrote into the user's
 * home), and not by planting a symlink in a volume below which a later run mounts something (the mount point
 * used to be created on the host). Each attack aims at a directory in the test user's home and the test checks
 * that nothing arrived there (or, for cp out, that nothing came back from there).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ContainerPathEscapeTest {
    /** The unfixed cp lost within 7 tries; 40 leaves no real chance to miss it. */
    private static final int ROUNDS = 40;
    /** export and diff take longer per round; their window is smaller but 30 rounds still caught the old walkers. */
    private static final int READ_ROUNDS = 30;
    private static final Duration NORMAL = Duration.ofSeconds(60);
    /** One cp while the swapper keeps a core busy, on a shared machine: generous, still bounded. */
    private static final Duration CP = Duration.ofSeconds(120);
    /** The pre-openat2 resolver (a walk of O_NOFOLLOW steps), forced on this kernel so it is tested too. */
    private static final Map<String, Optional<String>> WALK = Map.of("JPOD_INROOT_WALK", Optional.of("1"));

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static String image;
    private static Path scratch;

    @BeforeAll
    static void setUp() throws Exception {
        byte[] swapper = compileSwapper();
        image = FX.pushAndPull(TestImage.busybox().layer(l -> l.file("bin/path-swap", swapper, 0755)).build(), "library/escape");
        scratch = FX.scratchDir("jpod-escape-");
    }

    /** renameat2(RENAME_EXCHANGE) in a loop (busybox has no such applet), compiled static for the busybox image. */
    private static byte[] compileSwapper() throws Exception {
        Path dir = Files.createTempDirectory("jpod-path-swap-");
        try (InputStream in = ContainerPathEscapeTest.class.getResourceAsStream("/path-swap.c")) {
            Files.write(dir.resolve("path-swap.c"), in.readAllBytes());
        }
        Process cc = new ProcessBuilder("cc", "-static", "-O2", "-o", dir.resolve("path-swap").toString(), dir.resolve("path-swap.c").toString())
                .redirectErrorStream(true).start();
        String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS), "cc did not finish");
        assertEquals(0, cc.exitValue(), () -> "cc -static path-swap.c failed (libc6-dev provides libc.a): " + out);
        byte[] binary = Files.readAllBytes(dir.resolve("path-swap"));
        Files.delete(dir.resolve("path-swap"));
        Files.delete(dir.resolve("path-swap.c"));
        Files.delete(dir);
        return binary;
    }

    /** A fresh directory in the test user's home, owned by the user: what the container aims at. */
    private static Path victim(String name) throws IOException {
        Path d = Files.createDirectory(env.home().resolve(name));
        env.user().chown(d);
        return d;
    }

    private static List<String> contents(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * A running container whose /w/real (a directory holding "secret") and /w/link (a symlink to {@code target}, a
     * host path) swap names without pause.
     */
    private static void startSwapper(String name, Path target) {
        env.ok("run", "-d", "--name", name, image, "sh", "-c",
                "mkdir -p /w/real && echo container > /w/real/secret && ln -s " + target + " /w/link"
                        + " && touch /w/ready && exec path-swap /w/real /w/link");
        await("the swapper in " + name + " to start", NORMAL, () -> env.run(NORMAL, "exec", name, "test", "-e", "/w/ready").exitCode() == 0);
    }

    private static void assertStillSwapping(String name) {
        assertEquals("running", env.inspect(name).at("/State/Status").asText(), "the swapper must have run through every round");
    }

    @Test
    void cpIntoARunningContainerNeverWritesThroughASwappedSymlink() throws Exception {
        cpInRace("swap-in", victim("victim-in"), Map.of());
    }

    @Test
    void cpIntoARunningContainerWithTheFallbackResolver() throws Exception {
        cpInRace("swap-in-walk", victim("victim-in-walk"), WALK);
    }

    private static void cpInRace(String ctr, Path victim, Map<String, Optional<String>> extraEnv) throws Exception {
        Path payload = env.home().resolve(ctr + "-payload");
        Files.writeString(payload, "from the host\n");
        env.user().chown(payload);
        startSwapper(ctr, victim);
        try {
            int copied = 0;
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                Result r = env.runWith(extraEnv, CP, "cp", payload.toString(), ctr + ":/w/real/");
                assertEquals(List.of(), contents(victim), "round " + (i + 1) + ": cp wrote into the host directory " + victim);
                if (r.exitCode() == 0) {
                    copied++;
                } else {
                    // /w/real was the symlink at that instant: inside the root it leads nowhere, so podman's message
                    assertTrue(r.stderr().contains("could not be found on container " + ctr), r::toString);
                    failures.add(r.stderr().strip());
                }
            }
            assertTrue(copied > 0, () -> "no copy succeeded in " + ROUNDS + " rounds: " + failures);
            assertStillSwapping(ctr);
            // the copy landed in the container's own directory, whichever name it has at the moment; the swapper
            // still runs, so either name may be the symlink at the instant it is read: try both, a bounded number of times
            String name = payload.getFileName().toString();
            Result r = env.ok("exec", ctr, "sh", "-c", "i=0; while [ $i -lt 200 ]; do cat /w/real/" + name + " 2>/dev/null && exit 0;"
                    + " cat /w/link/" + name + " 2>/dev/null && exit 0; i=$((i+1)); done; exit 1");
            assertEquals("from the host\n", r.stdout(), r::toString);
        } finally {
            env.run(NORMAL, "rm", "-f", ctr);
        }
    }

    @Test
    void cpOutOfARunningContainerNeverReadsThroughASwappedSymlink() throws Exception {
        Path victim = victim("victim-out");
        Files.writeString(victim.resolve("secret"), "HOST SECRET\n");
        env.user().chown(victim.resolve("secret"));
        String ctr = "swap-out";
        startSwapper(ctr, victim);
        try {
            Path out = env.home().resolve("copied-out");
            int copied = 0;
            for (int i = 0; i < ROUNDS; i++) {
                Files.deleteIfExists(out);
                Result r = env.run(CP, "cp", ctr + ":/w/real/secret", out.toString());
                if (r.exitCode() == 0) {
                    copied++;
                    String got = Files.readString(out);
                    int round = i + 1;
                    assertEquals("container\n", got, () -> "round " + round + ": cp read the host's file through the container's symlink");
                } else {
                    assertTrue(r.stderr().contains("could not be found on container " + ctr), r::toString);
                }
            }
            assertTrue(copied > 0, "no copy succeeded in " + ROUNDS + " rounds");
            assertStillSwapping(ctr);
        } finally {
            env.run(NORMAL, "rm", "-f", ctr);
        }
    }

    @Test
    void exportAndDiffOfARunningContainerNeverReadThroughASwappedSymlink() throws Exception {
        Path victim = victim("victim-export");
        Files.writeString(victim.resolve("host-only-name"), "HOST SECRET\n");
        env.user().chown(victim.resolve("host-only-name"));
        String ctr = "swap-export";
        startSwapper(ctr, victim);
        try {
            Path tar = env.home().resolve("exported.tar");
            int exported = 0;
            int diffed = 0;
            for (int i = 0; i < READ_ROUNDS; i++) {
                int round = i + 1;
                Files.deleteIfExists(tar);
                Result export = env.run(CP, "export", "-o", tar.toString(), ctr);
                if (export.exitCode() == 0) {
                    exported++;
                    for (String entry : tarEntriesWith(tar, "HOST SECRET")) {
                        org.junit.jupiter.api.Assertions.fail("round " + round + ": export read the host's file through the container's symlink: " + entry);
                    }
                } else {
                    assertTrue(export.stderr().contains("the container replaced it meanwhile"), export::toString);
                }
                Result diff = env.run(CP, "diff", ctr);
                if (diff.exitCode() == 0) {
                    diffed++;
                    assertTrue(!diff.stdout().contains("host-only-name"), () -> "round " + round + ": diff listed the host's directory: " + diff);
                } else {
                    assertTrue(diff.stderr().contains("the container replaced it meanwhile"), diff::toString);
                }
            }
            assertTrue(exported > 0 && diffed > 0, "export succeeded " + exported + " times, diff " + diffed + " times in " + READ_ROUNDS + " rounds");
            assertStillSwapping(ctr);
        } finally {
            env.run(NORMAL, "rm", "-f", ctr);
        }
    }

    /** Names of the tar's regular files whose content contains {@code text}. */
    private static List<String> tarEntriesWith(Path tar, String text) throws IOException {
        List<String> hits = new ArrayList<>();
        try (org.apache.commons.compress.archivers.tar.TarArchiveInputStream in =
                     new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
            for (org.apache.commons.compress.archivers.tar.TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().contains("host-only-name") || (e.isFile() && new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains(text))) {
                    hits.add(e.getName());
                }
            }
        }
        return hits;
    }

    @Test
    void mountDestinationsBelowAVolumeStayInsideTheRoot() throws Exception {
        plantedSymlinkMounts("escape-vol", victim("victim-mounts"), Map.of());
    }

    @Test
    void mountDestinationsWithTheFallbackResolver() throws Exception {
        plantedSymlinkMounts("escape-vol-walk", victim("victim-mounts-walk"), WALK);
    }

    private static void plantedSymlinkMounts(String volume, Path victim, Map<String, Optional<String>> extraEnv) throws Exception {
        Path src = Files.createDirectory(scratch.resolve(volume + "-src"));
        Files.writeString(src.resolve("marker"), "bound\n");
        src.resolve("marker").toFile().setReadable(true, false);
        Path file = scratch.resolve(volume + "-file");
        Files.writeString(file, "a file\n");
        file.toFile().setReadable(true, false);
        // the first container leaves a symlink to the host directory in the volume
        env.ok("run", "--rm", "-v", volume + ":/data", image, "ln", "-s", victim.toString(), "/data/a");

        Result bind = env.runWith(extraEnv, NORMAL, "run", "--rm", "-v", volume + ":/data", "-v", src + ":/data/a/x", image, "cat", "/data/a/x/marker");
        assertEquals(List.of(), contents(victim), "-v below a planted symlink created its mount point on the host");
        assertEquals(0, bind.exitCode(), bind::toString);
        assertEquals("bound\n", bind.stdout(), bind::toString); // mounted where the container sees /data/a/x: inside its root

        Result tmpfs = env.runWith(extraEnv, NORMAL, "run", "--rm", "-v", volume + ":/data", "--tmpfs", "/data/a/y", image,
                "sh", "-c", "grep ' " + victim + "/y tmpfs ' /proc/mounts");
        assertEquals(List.of(), contents(victim), "--tmpfs below a planted symlink created its mount point on the host");
        assertEquals(0, tmpfs.exitCode(), tmpfs::toString);

        Result one = env.runWith(extraEnv, NORMAL, "run", "--rm", "-v", volume + ":/data", "-v", file + ":/data/a/f:ro", image, "cat", "/data/a/f");
        assertEquals(List.of(), contents(victim), "a file mount below a planted symlink created its mount point on the host");
        assertEquals(0, one.exitCode(), one::toString);
        assertEquals("a file\n", one.stdout(), one::toString);
        env.ok("volume", "rm", volume);
    }

    @Test
    void cpIntoARunningContainerReachesItsVolumes() throws Exception {
        Path payload = env.home().resolve("for-the-volume");
        Files.writeString(payload, "into the volume\n");
        env.user().chown(payload);
        env.ok("run", "-d", "--name", "with-volume", "-v", "cpvol:/vol", image, "sleep", "600");
        try {
            env.ok("cp", payload.toString(), "with-volume:/vol/");
            Result back = env.ok("run", "--rm", "-v", "cpvol:/vol", image, "cat", "/vol/for-the-volume");
            assertEquals("into the volume\n", back.stdout(), back::toString);
            Path out = env.home().resolve("from-the-volume");
            env.ok("cp", "with-volume:/vol/for-the-volume", out.toString());
            assertEquals("into the volume\n", Files.readString(out));
        } finally {
            env.run(NORMAL, "rm", "-f", "with-volume");
        }
        env.ok("volume", "rm", "cpvol");
    }

    @Test
    void cpKeepsPodmansMessagesForMissingPaths() throws Exception {
        env.ok("create", "--name", "cp-missing", image, "true");
        try {
            Path payload = env.home().resolve("missing-payload");
            Files.writeString(payload, "x\n");
            env.user().chown(payload);
            Result noParent = env.run(NORMAL, "cp", payload.toString(), "cp-missing:/IdoNotExist/");
            assertEquals(125, noParent.exitCode(), noParent::toString);
            assertEquals("Error: \"/IdoNotExist/\" could not be found on container cp-missing: no such file or directory", noParent.stderr().strip());
            Result noSource = env.run(NORMAL, "cp", env.home().resolve("IdoNotExist").toString(), "cp-missing:/tmp");
            assertEquals(125, noSource.exitCode(), noSource::toString);
            assertEquals("Error: \"" + env.home().resolve("IdoNotExist") + "\" could not be found on the host: no such file or directory",
                    noSource.stderr().strip());
            Result noInside = env.run(NORMAL, "cp", "cp-missing:/etc/IdoNotExist", env.home().toString());
            assertEquals(125, noInside.exitCode(), noInside::toString);
            assertEquals("Error: \"/etc/IdoNotExist\" could not be found on container cp-missing: no such file or directory", noInside.stderr().strip());
            // a directory tree in and out of a stopped container, symlinks kept as links
            Path tree = env.home().resolve("tree");
            Files.createDirectories(tree.resolve("sub"));
            Files.writeString(tree.resolve("sub/f"), "deep\n");
            Files.createSymbolicLink(tree.resolve("sub/l"), Path.of("f"));
            for (Path p : List.of(tree, tree.resolve("sub"), tree.resolve("sub/f"))) {
                env.user().chown(p);
            }
            env.ok("cp", tree.toString(), "cp-missing:/copied");
            Path back = env.home().resolve("tree-back");
            env.ok("cp", "cp-missing:/copied", back.toString());
            assertEquals("deep\n", Files.readString(back.resolve("sub/f")));
            assertEquals(Path.of("f"), Files.readSymbolicLink(back.resolve("sub/l")));
        } finally {
            env.run(NORMAL, "rm", "-f", "cp-missing");
        }
    }
}
