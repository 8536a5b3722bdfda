package io.jpod.tests.e2e;

import static io.jpod.tests.support.RegistryAndJpod.writeReadable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.PodmanEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `jpod build` end to end, rootless: RUN --mount (cache reused across builds, secret, bind, tmpfs), --secret never in
 * a layer, -q, a tar context on stdin, and a built image pushed to the local registry and run by podman.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BuildMountsTest {
    private static final Duration T = Duration.ofSeconds(180);
    private static final String SECRET = "s3cr3t-value-7f1c";

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("build/mounts");
    private static JpodEnv env; // set by FX

    private static Path context(String containerfile) throws IOException {
        return FX.buildContext("build-ctx-", containerfile);
    }

    @Test
    void cacheMountOutlivesTheBuildAndSecretsBindsAndTmpfsLeaveNothingInTheLayers() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\n"
                + "RUN --mount=type=cache,target=/var/cache/app echo run >> /var/cache/app/log && wc -l < /var/cache/app/log > /count\n"
                + "RUN --mount=type=secret,id=token md5sum < /run/secrets/token | cut -d' ' -f1 > /secret-seen"
                + " && stat -c %a /run/secrets/token > /secret-mode\n"
                + "RUN --mount=type=secret,id=token,target=/etc/app/token.txt,mode=0440 test -s /etc/app/token.txt && echo ok > /target-seen\n"
                + "RUN --mount=type=bind,source=data,target=/mnt/data cat /mnt/data/x > /bound && ! touch /mnt/data/y 2>/dev/null\n"
                + "RUN --mount=type=tmpfs,target=/scratch touch /scratch/t && echo tmp > /tmpfs-seen\n"
                + "CMD cat /count /secret-seen /secret-mode /target-seen /bound /tmpfs-seen;"
                + " ls -d /var/cache/app /run/secrets /etc/app /mnt/data /scratch 2>/dev/null | wc -l\n");
        writeReadable(ctx.resolve("data/x"), "bound-data\n");
        Path secretDir = FX.scratchDir("build-secret-");
        writeReadable(secretDir.resolve("token"), SECRET);
        String secret = "id=token,src=" + secretDir.resolve("token");

        Result first = env.run(T, "build", "-t", "mounts", "--secret", secret, ctx.toString());
        assertEquals(0, first.exitCode(), first::toString);
        assertEquals(List.of("1", md5(SECRET), "400", "ok", "bound-data", "tmp", "0"),
                env.ok("run", "--rm", "mounts").stdout().strip().lines().toList(),
                "RUN mounts were visible to their steps, and no mount point is left in the image");

        // the cache mount's directory is kept between builds: a rebuild that runs the step again sees the first run
        Result second = env.run(T, "build", "--no-cache", "-t", "mounts", "--secret", secret, ctx.toString());
        assertEquals(0, second.exitCode(), second::toString);
        assertEquals("2", env.ok("run", "--rm", "mounts").stdout().strip().lines().findFirst().orElseThrow(),
                "the cache mount kept the first build's file");

        // a changed secret does not invalidate the cache (Docker's rule); a changed bind source does
        writeReadable(secretDir.resolve("token"), SECRET);
        Result cached = env.run(T, "build", "-t", "mounts", "--secret", secret, ctx.toString());
        assertEquals(0, cached.exitCode(), cached::toString);
        assertEquals(6, cached.stdout().lines().filter(l -> l.startsWith("--> Using cache ")).count(), cached::toString);
        writeReadable(ctx.resolve("data/x"), "changed\n");
        Result rebound = env.run(T, "build", "-t", "mounts", "--secret", secret, ctx.toString());
        assertEquals(3, rebound.stdout().lines().filter(l -> l.startsWith("--> Using cache ")).count(), rebound::toString);

        // the secret is in no layer: every layer of the saved image (built layers are plain tars) scanned for it
        Path archive = FX.scratchDir("build-save-").resolve("mounts.tar");
        archive.getParent().toFile().setWritable(true, false);
        env.ok("save", "-o", archive.toString(), "mounts");
        byte[] bytes = Files.readAllBytes(archive);
        assertTrue(bytes.length > 100_000, "the saved image holds its layers");
        assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains(SECRET), "the secret is in a layer of the saved image");

        // a secret that a step requires but the build was not given: an error naming it
        Path required = context("FROM " + FX.image() + "\nRUN --mount=type=secret,id=absent,required=true true\n");
        Result missing = env.run(T, "build", required.toString());
        assertEquals(125, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().strip().startsWith("Error: Containerfile:2: RUN --mount: secret \"absent\" is required"), missing::toString);
    }

    private static String md5(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void quietPrintsOnlyTheIdAndAFailingStepShowsItsLastLines() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nRUN echo step-output-marker > /m && echo step-output-marker\nCMD cat /m\n");
        Path out = FX.scratchDir("build-iid-");
        out.toFile().setWritable(true, false);
        Result q = env.run(T, "build", "-q", "--iidfile", out.resolve("iid").toString(), ctx.toString());
        assertEquals(0, q.exitCode(), q::toString);
        assertTrue(q.stdout().strip().matches("[0-9a-f]{64}"), () -> "-q prints only the id: " + q);
        assertEquals("sha256:" + q.stdout().strip(), Files.readString(out.resolve("iid")));

        Path failing = context("FROM " + FX.image() + "\nRUN echo last-words; exit 4\n");
        Result f = env.run(T, "build", "-q", failing.toString());
        assertEquals(125, f.exitCode(), f::toString);
        assertFalse(f.stdout().contains("last-words"), f::toString);
        assertTrue(f.stderr().contains("exited with status 4") && f.stderr().contains("last-words"), f::toString);
    }

    @Test
    void tarContextOnStdin() throws IOException, InterruptedException {
        Path ctx = context("FROM " + FX.image() + "\nCOPY hello.txt /hello.txt\nCMD cat /hello.txt\n");
        writeReadable(ctx.resolve("hello.txt"), "from-a-tar\n");
        Path tar = FX.scratchDir("build-tar-").resolve("ctx.tar");
        Process p = new ProcessBuilder("tar", "-C", ctx.toString(), "-cf", tar.toString(), "Containerfile", "hello.txt").start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "tar failed");
        tar.toFile().setReadable(true, false);
        Result b = env.runWithInput(tar, Map.of(), T, "build", "-t", "fromtar", "-");
        assertEquals(0, b.exitCode(), b::toString);
        assertEquals("from-a-tar", env.ok("run", "--rm", "fromtar").stdout().strip());

        Path file = FX.scratchDir("build-file-").resolve("Containerfile");
        writeReadable(file, "FROM " + FX.image() + "\nCMD echo no-context\n");
        Result only = env.runWithInput(file, Map.of(), T, "build", "-t", "nocontext", "-");
        assertEquals(0, only.exitCode(), only::toString);
        assertEquals("no-context", env.ok("run", "--rm", "nocontext").stdout().strip());
    }

    @Test
    void builtImagePushedToTheRegistryRunsUnderPodman() throws IOException {
        assumeTrue(PodmanEnv.available(), "podman is not installed");
        Path ctx = context("FROM " + FX.image() + "\nCOPY msg /msg\nRUN echo built-by-jpod >> /msg\nCMD [\"cat\", \"/msg\"]\n");
        writeReadable(ctx.resolve("msg"), "copied\n");
        Result b = env.run(T, "build", "-t", "pushme", ctx.toString());
        assertEquals(0, b.exitCode(), b::toString);
        String dest = FX.registry().hostPort() + "/build/pushed:1";
        Result push = env.run(T, "push", "--tls-verify=false", "pushme", dest);
        assertEquals(0, push.exitCode(), push::toString);
        try (PodmanEnv podman = PodmanEnv.create(env.user())) {
            Result pull = podman.run(T, "pull", "-q", "--tls-verify=false", dest);
            assertEquals(0, pull.exitCode(), pull::toString);
            Result run = podman.run(T, "run", "--rm", dest);
            assertEquals(0, run.exitCode(), run::toString);
            assertEquals(List.of("copied", "built-by-jpod"), run.stdout().strip().lines().toList(), run::toString);
        }
    }

    @Test
    void imagePruneAndSystemPruneClearTheBuildCache() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nRUN echo prune-me > /p\nLABEL step=2\nCMD cat /p\n");
        for (String[] prune : List.of(new String[]{"image", "prune", "-f"}, new String[]{"system", "prune", "-f"})) {
            Result b = env.run(T, "build", "-t", "prunable", ctx.toString());
            assertEquals(0, b.exitCode(), b::toString);
            Result again = env.run(T, "build", "-t", "prunable", ctx.toString());
            assertEquals(3, hits(again), () -> "before " + String.join(" ", prune) + ": all hits " + again);
            int before = env.ok("images", "-a", "-q").stdout().strip().lines().toList().size();
            env.ok(prune);
            int after = env.ok("images", "-a", "-q").stdout().strip().lines().toList().size();
            assertTrue(after < before, () -> String.join(" ", prune) + " removed no intermediate image");
            Result rebuilt = env.run(T, "build", "-t", "prunable", ctx.toString());
            assertEquals(0, rebuilt.exitCode(), rebuilt::toString);
            assertEquals(0, hits(rebuilt), () -> "after " + String.join(" ", prune) + " the cache is empty: " + rebuilt);
            assertEquals("prune-me", env.ok("run", "--rm", "prunable").stdout().strip());
        }
    }

    private static long hits(Result r) {
        return r.stdout().lines().filter(l -> l.startsWith("--> Using cache ")).count();
    }

    @Test
    void squashAnnotationVolumeAndPlatform() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nRUN cat /host/in.txt > /from-volume\nRUN echo a > /a\n"
                + "RUN echo b > /b && rm /a\nCMD cat /from-volume /b; test ! -e /a && test ! -e /host && echo clean\n");
        Path host = FX.scratchDir("build-vol-");
        writeReadable(host.resolve("in.txt"), "from-the-host\n");
        com.fasterxml.jackson.databind.JsonNode base = env.ok("image", "inspect", FX.image()).json().get(0);
        int baseLayers = base.path("RootFS").path("Layers").size();
        String platform = "linux/" + base.path("Architecture").asText();

        Result b = env.run(T, "build", "-t", "squashed", "--squash", "-v", host + ":/host:ro", "--annotation", "org.example.note=hi",
                "--platform", platform, ctx.toString());
        assertEquals(0, b.exitCode(), b::toString);
        assertEquals(List.of("from-the-host", "b", "clean"), env.ok("run", "--rm", "squashed").stdout().strip().lines().toList());
        com.fasterxml.jackson.databind.JsonNode image = env.ok("image", "inspect", "squashed").json().get(0);
        assertEquals(baseLayers + 1, image.path("RootFS").path("Layers").size(), image::toString);
        assertEquals("hi", image.path("Annotations").path("org.example.note").asText(), image::toString);

        Result all = env.run(T, "build", "-t", "squashed-all", "--squash-all", "-v", host + ":/host:ro", ctx.toString());
        assertEquals(0, all.exitCode(), all::toString);
        assertEquals(1, env.ok("image", "inspect", "squashed-all").json().get(0).path("RootFS").path("Layers").size());
        assertEquals(List.of("from-the-host", "b", "clean"), env.ok("run", "--rm", "squashed-all").stdout().strip().lines().toList());

        // --layers=false: one new layer for the stage, as buildah's single working container gives; a proxy build
        // arg reaches RUN undeclared but stays out of the history
        Path proxied = context("FROM " + FX.image() + "\nRUN echo \"$HTTP_PROXY\" > /proxy\nRUN echo two > /two\nCMD cat /proxy /two\n");
        Result noLayers = env.run(T, "build", "-t", "onelayer", "--layers=false", "--build-arg", "HTTP_PROXY=http://proxy.invalid:3128",
                proxied.toString());
        assertEquals(0, noLayers.exitCode(), noLayers::toString);
        assertEquals(List.of("http://proxy.invalid:3128", "two"), env.ok("run", "--rm", "onelayer").stdout().strip().lines().toList());
        assertEquals(baseLayers + 1, env.ok("image", "inspect", "onelayer").json().get(0).path("RootFS").path("Layers").size());
        Result history = env.ok("history", "--no-trunc", "onelayer");
        assertFalse(history.stdout().contains("proxy.invalid"), history::toString);

        Result several = env.run(T, "build", "--platform", "linux/amd64,linux/arm64", ctx.toString());
        assertEquals(125, several.exitCode(), several::toString);
        assertTrue(several.stderr().strip().startsWith("Error: building for several platforms"), several::toString);
    }

    @Test
    void bindMountFromAStageIsReadOnlyAndKeyedByTheStage() throws IOException {
        Path ctx = context("FROM " + FX.image() + " AS tools\nRUN mkdir /out && echo from-stage > /out/f\n"
                + "FROM " + FX.image() + "\nRUN --mount=type=bind,from=tools,source=/out,target=/mnt/s cat /mnt/s/f > /copied"
                + " && ! touch /mnt/s/x 2>/dev/null\nCMD cat /copied; test ! -e /mnt/s && echo clean\n");
        Result b = env.run(T, "build", "-t", "fromstage", ctx.toString());
        assertEquals(0, b.exitCode(), b::toString);
        assertEquals(List.of("from-stage", "clean"), env.ok("run", "--rm", "fromstage").stdout().strip().lines().toList());
        Result again = env.run(T, "build", "-t", "fromstage", ctx.toString());
        assertEquals(3, hits(again), again::toString);
        assertEquals("", env.ok("ps", "-a", "-q").stdout().strip(), "the containers that mounted the stage are gone");
    }
}
