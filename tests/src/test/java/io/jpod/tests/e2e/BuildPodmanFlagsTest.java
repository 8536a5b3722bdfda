package io.jpod.tests.e2e;

import static io.jpod.tests.support.RegistryAndJpod.writeReadable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * podman's 070-build tests as jpod answers them: build's podman flags (--pull-never, --logfile, --authfile,
 * --ulimit, --security-opt, --layers with $BUILDAH_LAYERS, -f relative to the context, --runtime-flag), ADD of a
 * .tar.xz, an excluded directory reopened only by an exception under its path, and podman's message shapes.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BuildPodmanFlagsTest {
    private static final Duration T = Duration.ofSeconds(240);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("buildflags/busybox");
    private static JpodEnv env; // set by FX

    private static Path context(String containerfile) throws IOException {
        return FX.buildContext("buildflags-", containerfile);
    }

    @Test
    void pullNeverBuildsFromALocalImageAndNamesAMissingOneAsPodmanDoes() throws IOException {
        Path ok = context("FROM " + FX.image() + "\nRUN echo pull-never-ok\n");
        Result built = env.run(T, "build", "-t", "pullnever", "--pull-never", ok.toString());
        assertEquals(0, built.exitCode(), built::toString);
        assertTrue(built.stdout().contains("pull-never-ok"), built::toString);
        env.ok("rmi", "pullnever");
        Path missing = context("FROM localhost/nosuchimage:nosuchtag\nRUN true\n");
        Result refused = env.run(T, "build", "-t", "pullnever", "--pull-never", missing.toString());
        assertEquals(125, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("Error: creating build container: localhost/nosuchimage:nosuchtag: image not known"), refused::toString);
    }

    @Test
    void logfileTakesTheOutputAndAuthfileIsCheckedFirst() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\n");
        Path log = FX.scratchDir("buildflags-log-").resolve("logfile");
        log.getParent().toFile().setWritable(true, false);
        Result built = env.run(T, "build", "-t", "logged", "--format=docker", "--logfile=" + log, ctx.toString());
        assertEquals(0, built.exitCode(), built::toString);
        assertTrue(Files.readString(log).contains("COMMIT"), "the build's steps went to the log file");
        assertFalse(built.stdout().contains("COMMIT"), "and not to the terminal: " + built);
        env.ok("rmi", "logged");

        Result bogus = env.run(T, "build", "--authfile=/tmp/bogus-authfile", ctx.toString());
        assertEquals(125, bogus.exitCode(), bogus::toString);
        assertEquals("Error: checking authfile: stat /tmp/bogus-authfile: no such file or directory", bogus.stderr().strip(), bogus::toString);
    }

    @Test
    void ulimitAndSecurityOptReachTheRunSteps() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nRUN grep Seccomp: /proc/self/status\nRUN grep 'Max open files' /proc/self/limits\n");
        Result limited = env.run(T, "build", "--ulimit", "nofile=101:102", "-t", "limits", ctx.toString());
        assertEquals(0, limited.exitCode(), limited::toString);
        assertTrue(limited.stdout().matches("(?s).*Seccomp:\\s+2\n.*"), "the default seccomp filter: " + limited);
        assertTrue(limited.stdout().matches("(?s).*Max open files\\s+101\\s+102\\s.*"), limited::toString);
        env.ok("rmi", "limits");
        // no --no-cache: a step run under other settings is not the cached one
        Result unconfined = env.run(T, "build", "--security-opt", "seccomp=unconfined", "-t", "limits", ctx.toString());
        assertEquals(0, unconfined.exitCode(), unconfined::toString);
        assertTrue(unconfined.stdout().matches("(?s).*Seccomp:\\s+0\n.*"), unconfined::toString);
        env.ok("rmi", "limits");
    }

    @Test
    void layersFollowBuildahLayersUnlessTheFlagSaysOtherwise() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nRUN echo layers-" + System.nanoTime() + "\n");
        env.ok("build", "-t", "layered", ctx.toString());
        assertTrue(env.ok("build", "-t", "layered", ctx.toString()).stdout().contains("Using cache"));
        Map<String, Optional<String>> off = Map.of("BUILDAH_LAYERS", Optional.of("false"));
        Result noLayers = env.runWith(off, T, "build", "-t", "layered", ctx.toString());
        assertEquals(0, noLayers.exitCode(), noLayers::toString);
        assertFalse(noLayers.stdout().contains("Using cache"), "BUILDAH_LAYERS=false: no cache " + noLayers);
        Result flagWins = env.runWith(off, T, "build", "-t", "layered", "--layers=1", ctx.toString());
        assertTrue(flagWins.stdout().contains("Using cache"), "--layers=1 wins over the environment: " + flagWins);
        Result bad = env.run(T, "build", "--layers=maybe", ctx.toString());
        assertEquals(125, bad.exitCode(), bad::toString);
        env.ok("rmi", "layered");
    }

    @Test
    void aRelativeContainerfileIsLookedForInTheContextToo() throws IOException {
        Path ctx = FX.scratchDir("buildflags-f-");
        writeReadable(ctx.resolve("Containerfile1"), "FROM " + FX.image() + "\nRUN echo from-containerfile1\n");
        Result r = env.run(T, "build", "-t", "relf", "-f", "Containerfile1", ctx.toString()); // the caller's cwd is not ctx
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("from-containerfile1"), r::toString);
        Result missing = env.run(T, "build", "-t", "relf", "-f", "Containerfile2", ctx.toString());
        assertEquals(125, missing.exitCode(), missing::toString);
        assertEquals("Error: the specified Containerfile or Dockerfile does not exist, Containerfile2: no such file or directory",
                missing.stderr().strip(), missing::toString);
        writeReadable(ctx.resolve("sub/Containerfile3"), "FROM " + FX.image() + "\nCOPY here /here\n");
        writeReadable(ctx.resolve("sub/here"), "context is the file's directory\n");
        Result noContext = env.run(T, "build", "-t", "relf", "-f", ctx.resolve("sub/Containerfile3").toString());
        assertEquals(0, noContext.exitCode(), "without CONTEXT, -f's directory is the context: " + noContext);
        env.ok("rmi", "relf");
        Result none = env.run(T, "build", ctx.resolve("sub").toString());
        assertEquals(125, none.exitCode(), "sub has Containerfile3 only: " + none);
        assertTrue(none.stderr().contains("/sub/Dockerfile: no such file or directory"), "podman names the Dockerfile: " + none);
    }

    @Test
    void addExtractsATarXz() throws Exception {
        Path ctx = context("FROM " + FX.image() + "\nADD files.tar.xz /\n");
        Path src = FX.scratchDir("buildflags-xz-");
        writeReadable(src.resolve("subtest/myfile1"), "xz content\n");
        Process p = new ProcessBuilder("tar", "-C", src.toString(), "-cJf", ctx.resolve("files.tar.xz").toString(), "subtest")
                .inheritIO().start();
        assertEquals(0, p.waitFor());
        ctx.resolve("files.tar.xz").toFile().setReadable(true, false);
        env.ok("build", "-t", "xzadd", ctx.toString());
        assertEquals("xz content\n", env.ok("run", "--rm", "xzadd", "cat", "/subtest/myfile1").stdout());
        env.ok("rmi", "xzadd");
    }

    @Test
    void anExcludedDirectoryIsEnteredOnlyForAnExceptionBelowIt() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nCOPY ./ /newdir/\n");
        for (String f : List.of("test1", "test2", "subdir1/sub1", "subdir1/sub2", "subdir1/sub3", "subdir2/sub1", "subdir2/sub3")) {
            writeReadable(ctx.resolve(f), f + "\n");
        }
        writeReadable(ctx.resolve(".dockerignore"), "# comment\ntest*\n!test2*\nsubdir1\nsubdir2\n!*/sub1*\n!subdir1/sub3*\n");
        env.ok("build", "-t", "ignored", ctx.toString());
        List<String> files = env.ok("run", "--rm", "ignored", "find", "/newdir", "-type", "f").stdout().lines().sorted().toList();
        assertEquals(List.of("/newdir/.dockerignore", "/newdir/Containerfile", "/newdir/subdir1/sub1", "/newdir/subdir1/sub3", "/newdir/test2"), files);
        env.ok("rmi", "ignored");

        Path missing = context("FROM " + FX.image() + "\nCOPY subdir ./\n");
        writeReadable(missing.resolve("subdir/x"), "x\n");
        writeReadable(missing.resolve(".dockerignore"), "*\nsubdir\n!*/sub1*\n");
        Result r = env.run(T, "build", missing.toString());
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("Error: building at STEP \"COPY subdir ./\""), "podman's shape: " + r);
    }

    @Test
    void runtimeFlagsFailABuildWithStatusOne() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nRUN true\n");
        Result r = env.run(T, "--runtime-flag", "invalidflag", "build", ctx.toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("invalidflag"), r::toString);
    }
}
