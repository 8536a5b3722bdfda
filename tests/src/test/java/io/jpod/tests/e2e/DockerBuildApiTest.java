package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API's {@code POST /build} is jpod's own builder: the docker CLI's classic builder (DOCKER_BUILDKIT=0) sends
 * the context as a tar and shows the build's output; the image it names runs, under docker's and jpod's names alike.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DockerBuildApiTest {
    private static final Duration NORMAL = Duration.ofSeconds(180);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/busybox");
    private static JpodEnv env; // set by FX

    private static Result docker(String... args) {
        env.ok("version"); // starts the per-user service, which serves docker.sock
        await("the service's docker.sock", NORMAL, () -> Files.exists(env.runRoot().resolve("docker.sock")));
        Map<String, String> e = env.environment();
        e.put("DOCKER_HOST", "unix://" + env.runRoot().resolve("docker.sock"));
        e.put("DOCKER_CONFIG", env.home().resolve(".docker-test").toString());
        e.put("DOCKER_BUILDKIT", "0");
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return BoundedProcess.start(env.user().wrap(command), e, env.home(), FX.scratchDir("docker-out"), Path.of("/dev/null"))
                .await(NORMAL);
    }

    private static Path context(String dockerfile) throws IOException {
        Path ctx = FX.scratchDir("api-build-");
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        Files.writeString(ctx.resolve("greeting.txt"), "copied from the context\n");
        ctx.toFile().setReadable(true, false);
        ctx.toFile().setExecutable(true, false);
        ctx.resolve("Dockerfile").toFile().setReadable(true, false);
        ctx.resolve("greeting.txt").toFile().setReadable(true, false);
        return ctx;
    }

    @Test
    void dockerBuildThroughTheApiBuildsWithJpodsBuilder() throws IOException {
        Path ctx = context("FROM " + FX.image() + "\nARG WHO=nobody\nCOPY greeting.txt /greeting.txt\n"
                + "RUN echo \"built for $WHO\" > /built.txt\nCMD [\"cat\", \"/greeting.txt\", \"/built.txt\"]\n");
        Result build = docker("build", "-t", "apibuilt:1", "--build-arg", "WHO=docker", "--label", "made=api", ctx.toString());
        assertEquals(0, build.exitCode(), build::toString);
        assertTrue(build.stdout().contains("STEP 4/5: RUN echo \"built for $WHO\" > /built.txt"), build::toString);
        assertTrue(build.stdout().contains("Successfully tagged apibuilt:1"), build::toString);

        Result run = docker("run", "--rm", "apibuilt:1");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("copied from the context\nbuilt for docker", run.stdout().strip());
        assertEquals("api", env.ok("image", "inspect", "--format", "{{.Labels.made}}", "apibuilt:1").stdout().strip());

        Path broken = context("FROM " + FX.image() + "\nRUN exit 7\n");
        Result failed = docker("build", broken.toString());
        assertNotEquals(0, failed.exitCode(), failed::toString);
        assertTrue(failed.stderr().contains("exited with status 7"), failed::toString);
    }
}
