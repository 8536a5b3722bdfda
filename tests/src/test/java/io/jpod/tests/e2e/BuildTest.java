package io.jpod.tests.e2e;

import static io.jpod.tests.support.RegistryAndJpod.writeReadable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** `jpod build` end to end, rootless: Containerfiles on the busybox test image, run under jpod afterwards. */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BuildTest {
    private static final Duration T = Duration.ofSeconds(180);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("build/busybox");
    private static JpodEnv env; // set by FX

    private static Path context(String containerfile) throws IOException {
        return FX.buildContext("build-ctx-", containerfile);
    }

    private static JsonNode inspect(String image) {
        return env.ok("image", "inspect", image).json().get(0);
    }

    @Test
    void multiStageBuildWithArgsHeredocIgnoreAndUserRuns() throws IOException {
        Path ctx = context("""
                # syntax=docker/dockerfile:1
                ARG BASE=nothing-here
                FROM ${BASE} AS build
                ARG GREETING=hi
                ENV OUT=/out \\
                    NAME="the app"
                RUN mkdir -p $OUT && echo "$GREETING $NAME ${MISSING:-dflt} ${NAME:+set}" > $OUT/greeting
                RUN <<EOF
                echo one > /out/heredoc
                echo two >> /out/heredoc
                EOF
                FROM ${BASE} AS unused
                RUN exit 7
                FROM ${BASE}
                COPY --from=build /out/ /app/
                COPY --chown=app:app src /src/
                COPY . /ctx/
                WORKDIR /app
                USER app
                LABEL org.example.kind=test
                EXPOSE 8080
                STOPSIGNAL SIGINT
                ENTRYPOINT ["/bin/sh", "-c"]
                CMD ["cat /app/greeting /app/heredoc; id -u; pwd; ls /ctx"]
                """);
        writeReadable(ctx.resolve("src/a.txt"), "a\n");
        writeReadable(ctx.resolve("src/sub/b.txt"), "b\n");
        writeReadable(ctx.resolve("ignored/secret"), "secret\n");
        writeReadable(ctx.resolve(".dockerignore"), "ignored\n");

        Result b = env.run(T, "build", "-t", "built", "--build-arg", "BASE=" + FX.image(), "--build-arg", "GREETING=hello",
                "--label", "extra=1", ctx.toString());
        assertEquals(0, b.exitCode(), b::toString);
        assertTrue(b.stdout().contains("[1/2] STEP 1/5: FROM ${BASE} AS build"), b::toString);
        assertTrue(b.stdout().contains("[2/2] COMMIT built"), b::toString);
        assertTrue(b.stdout().contains("Successfully tagged localhost/built:latest"), b::toString);
        assertFalse(b.stdout().contains("exit 7"), () -> "the unused stage must not be built" + b);
        String id = b.lastLine();
        assertTrue(id.matches("[0-9a-f]{64}"), b::toString);
        JsonNode image = inspect("built");
        assertTrue(image.path("Id").asText().endsWith(id), image::toString);

        Result run = env.ok("run", "--rm", "built");
        assertEquals(List.of("hello the app dflt set", "one", "two", "1000", "/app", "Containerfile", "src"),
                run.stdout().strip().lines().toList(), run::toString);
        Result owners = env.ok("run", "--rm", "--entrypoint", "", "built", "stat", "-c", "%u:%g %a %n", "/src/a.txt", "/src/sub/b.txt", "/ctx/src/a.txt");
        assertEquals(List.of("1000:1000 644 /src/a.txt", "1000:1000 644 /src/sub/b.txt", "0:0 644 /ctx/src/a.txt"),
                owners.stdout().strip().lines().toList(), owners::toString);

        JsonNode config = image.path("Config");
        assertEquals("app", config.path("User").asText());
        assertEquals("/app", config.path("WorkingDir").asText());
        assertEquals("[\"/bin/sh\",\"-c\"]", config.path("Entrypoint").toString());
        assertEquals("test", config.path("Labels").path("org.example.kind").asText());
        assertEquals("1", config.path("Labels").path("extra").asText());
        assertTrue(config.path("ExposedPorts").has("8080/tcp"), config::toString);
        assertEquals("SIGINT", config.path("StopSignal").asText());
        assertFalse(config.path("Env").toString().contains("NAME="), () -> "ENV of another stage leaked: " + config);
    }

    @Test
    void cacheHitsEverythingUnchangedAndRebuildsExactlyAfterAChangedSource() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nCOPY a.txt /a.txt\nRUN cat /a.txt > /from-a\nCOPY b.txt /b.txt\n"
                + "RUN cat /a.txt /b.txt > /both\nCMD [\"cat\", \"/both\"]\n");
        writeReadable(ctx.resolve("a.txt"), "A\n");
        writeReadable(ctx.resolve("b.txt"), "B\n");
        Result first = env.run(T, "build", "-t", "cached", ctx.toString());
        assertEquals(0, first.exitCode(), first::toString);
        assertFalse(first.stdout().contains("Using cache"), first::toString);
        List<String> layers1 = layers("cached");

        Result second = env.run(T, "build", "-t", "cached", ctx.toString());
        assertEquals(0, second.exitCode(), second::toString);
        assertEquals(5, countCacheHits(second), second::toString);
        assertEquals(first.lastLine(), second.lastLine(), "an unchanged rebuild gives the same image");

        // same content written again (new mtime): still all hits
        writeReadable(ctx.resolve("a.txt"), "A\n");
        Result touched = env.run(T, "build", "-t", "cached", ctx.toString());
        assertEquals(5, countCacheHits(touched), touched::toString);

        writeReadable(ctx.resolve("b.txt"), "B2\n");
        Result changed = env.run(T, "build", "-t", "cached", ctx.toString());
        assertEquals(0, changed.exitCode(), changed::toString);
        assertEquals(List.of(true, true, false, false, false), hitsPerStep(changed), changed::toString);
        List<String> layers2 = layers("cached");
        assertEquals(layers1.size(), layers2.size());
        assertEquals(layers1.subList(0, layers1.size() - 2), layers2.subList(0, layers2.size() - 2),
                "the layers before the changed COPY are reused");
        assertNotEquals(layers1.get(layers1.size() - 2), layers2.get(layers2.size() - 2));
        assertEquals("A\nB2", env.ok("run", "--rm", "cached").stdout().strip());

        Result noCache = env.run(T, "build", "--no-cache", "-t", "cached", ctx.toString());
        assertEquals(0, countCacheHits(noCache), noCache::toString);
    }

    @Test
    void argFileAndIgnoreFile() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nARG A\nARG B\nCOPY . /c/\nRUN echo \"$A $B\" > /args\nCMD cat /args; ls /c\n");
        writeReadable(ctx.resolve("keep.txt"), "k\n");
        writeReadable(ctx.resolve("drop.txt"), "d\n");
        writeReadable(ctx.resolve("args.conf"), "# build args\nA=from-file\nB=also-file\n");
        writeReadable(ctx.resolve("my.ignore"), "drop.txt\nargs.conf\nmy.ignore\nContainerfile\n");
        Result b = env.run(T, "build", "-t", "argfile", "--build-arg-file", ctx.resolve("args.conf").toString(),
                "--build-arg", "B=flag", "--ignorefile", ctx.resolve("my.ignore").toString(), ctx.toString());
        assertEquals(0, b.exitCode(), b::toString);
        assertEquals(List.of("from-file flag", "keep.txt"), env.ok("run", "--rm", "argfile").stdout().strip().lines().toList());
    }

    private static List<String> layers(String image) {
        List<String> out = new ArrayList<>();
        inspect(image).path("RootFS").path("Layers").forEach(l -> out.add(l.asText()));
        return out;
    }

    private static int countCacheHits(Result r) {
        return (int) r.stdout().lines().filter(l -> l.startsWith("--> Using cache ")).count();
    }

    /** For each step after FROM: whether it was a cache hit. */
    private static List<Boolean> hitsPerStep(Result r) {
        List<Boolean> hits = new ArrayList<>();
        List<String> lines = r.stdout().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("STEP ") && !lines.get(i).contains(": FROM ")) {
                hits.add(i + 1 < lines.size() && lines.get(i + 1).startsWith("--> Using cache "));
            }
        }
        return hits;
    }

    @Test
    void errorsNameTheLineInOneLine() throws IOException {
        Path unknown = context("FROM " + FX.image() + "\n\nFOO bar\n");
        assertOneLineError(env.run(T, "build", unknown.toString()), "Error: Containerfile:3: unknown instruction: FOO");
        Path stage = context("FROM " + FX.image() + "\nCOPY --from=nosuchstage /x /y\n");
        Result missing = env.run(T, "build", stage.toString());
        assertOneLineErrorStart(missing, "Error: Containerfile:2: COPY --from=nosuchstage: no stage of that name");
        Path absent = context("FROM " + FX.image() + "\nCOPY nothere /x\n");
        assertOneLineErrorStart(env.run(T, "build", absent.toString()), "Error: building at STEP \"COPY nothere /x\" (Containerfile:2): COPY source \"nothere\" is not in the build context");
        Path outside = context("FROM " + FX.image() + "\nCOPY ../../etc/passwd /x\n");
        assertOneLineErrorStart(env.run(T, "build", outside.toString()), "Error: Containerfile:2: COPY forbidden path outside the build context");
        Path failing = context("FROM " + FX.image() + "\nRUN echo before; exit 3\n");
        Result f = env.run(T, "build", failing.toString());
        assertTrue(f.stdout().contains("before"), f::toString);
        assertOneLineError(f, "Error: building at STEP \"RUN echo before; exit 3\" (Containerfile:2): the command exited with status 3");
        assertEquals("", env.ok("ps", "-a", "-q").stdout().strip(), "no step container is left behind");
    }

    @Test
    void onbuildTriggersRunInTheChildBuildOnly() throws IOException {
        Path base = context("FROM " + FX.image() + "\nONBUILD RUN echo triggered > /onbuild.txt\nONBUILD ENV FROM_TRIGGER=yes\n");
        assertEquals(0, env.run(T, "build", "-t", "onbuild-base", base.toString()).exitCode());
        JsonNode baseConfig = inspect("onbuild-base").path("Config");
        assertEquals(2, baseConfig.path("OnBuild").size(), baseConfig::toString);
        assertFalse(env.ok("run", "--rm", "onbuild-base", "ls", "/").stdout().contains("onbuild.txt"),
                "a trigger does not run in the image that declares it");

        Path child = context("FROM onbuild-base\nRUN echo \"child saw $FROM_TRIGGER\" > /child.txt\n");
        assertEquals(0, env.run(T, "build", "-t", "onbuild-child", child.toString()).exitCode());
        assertEquals("triggered\nchild saw yes", env.ok("run", "--rm", "onbuild-child", "cat", "/onbuild.txt", "/child.txt").stdout().strip());
        JsonNode childConfig = inspect("onbuild-child").path("Config");
        assertTrue(childConfig.path("OnBuild").isEmpty(), "triggers fire one generation down only: " + childConfig);

        Path chained = context("FROM " + FX.image() + "\nONBUILD ONBUILD RUN true\n");
        assertOneLineError(env.run(T, "build", chained.toString()),
                "Error: Containerfile:2: chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    }

    private static void assertOneLineError(Result r, String expected) {
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals(expected, r.stderr().strip(), r::toString);
    }

    private static void assertOneLineErrorStart(Result r, String expected) {
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals(1, r.stderr().strip().lines().count(), r::toString);
        assertTrue(r.stderr().strip().startsWith(expected), r::toString);
    }
}
