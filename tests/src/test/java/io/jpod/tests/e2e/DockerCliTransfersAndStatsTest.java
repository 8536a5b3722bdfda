package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Docker API's image transfer and stats endpoints driven by the real docker CLI: {@code docker push} to the
 * local registry (and pulled back), {@code docker history}, {@code docker save} / {@code docker load},
 * {@code docker stats --no-stream}, the stats stream on the wire, and {@code docker pause}'s refusal.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DockerCliTransfersAndStatsTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/busybox");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;
    private static Path out;
    private static Path socket;

    @BeforeAll
    static void setUp() {
        out = FX.scratchDir("docker-cli-transfers");
        env.ok("version"); // starts the per-user service, which serves docker.sock
        socket = env.runRoot().resolve("docker.sock");
        io.jpod.tests.support.Await.await("the service's docker.sock", NORMAL, () -> Files.exists(socket));
    }

    private static Map<String, String> dockerEnv() {
        Map<String, String> e = env.environment();
        e.put("DOCKER_HOST", "unix://" + socket);
        e.put("DOCKER_CONFIG", env.home().resolve(".docker-test").toString()); // none: no credentials, no contexts
        return e;
    }

    private static Result docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return BoundedProcess.start(env.user().wrap(command), dockerEnv(), env.home(), out, Path.of("/dev/null")).await(NORMAL);
    }

    private static Result dockerOk(String... args) {
        Result r = docker(args);
        assertEquals(0, r.exitCode(), () -> "docker " + String.join(" ", args) + ": " + r);
        return r;
    }

    @Test
    void pushToTheRegistryThenPullBack() {
        String pushed = FX.registry().hostPort() + "/jpod-api/pushed:1";
        dockerOk("tag", image, pushed);
        Result push = dockerOk("push", pushed);
        assertTrue(push.stdout().lines().anyMatch(l -> l.matches("1: digest: sha256:[0-9a-f]{64}.*")), push::toString);
        String id = dockerOk("inspect", "--format", "{{.Id}}", pushed).stdout().strip();
        dockerOk("rmi", pushed);
        Result pull = dockerOk("pull", pushed);
        assertTrue(pull.stdout().contains("Status: Downloaded newer image for " + pushed), pull::toString);
        assertEquals(id, dockerOk("inspect", "--format", "{{.Id}}", pushed).stdout().strip(), "the same image came back");
        dockerOk("rmi", pushed);

        Result missing = docker("push", FX.registry().hostPort() + "/jpod-api/none:1");
        assertEquals(1, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().contains("No such image"), missing::toString);
    }

    @Test
    void historyListsTheEntriesNewestFirstWithTheIdOnTheNewest() {
        String id = dockerOk("inspect", "--format", "{{.Id}}", image).stdout().strip();
        Result h = dockerOk("history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}", image);
        List<String> lines = h.stdout().lines().toList();
        assertFalse(lines.isEmpty(), h::toString);
        assertTrue(lines.get(0).startsWith(id + "|"), "the newest entry carries the image ID: " + h);
        assertTrue(lines.stream().skip(1).allMatch(l -> l.startsWith("<missing>|")), h::toString);
        assertTrue(lines.stream().noneMatch(l -> l.split("\\|", -1)[1].isEmpty()), "every entry says what made it: " + h);
        Result missing = docker("history", "localhost/jpod-api/none:1");
        assertEquals(1, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().contains("Error response from daemon: "), missing::toString);
    }

    @Test
    void saveToATarballThenLoadItBack() throws IOException {
        String saved = "localhost/jpod-api/saved:1";
        dockerOk("tag", image, saved);
        String id = dockerOk("inspect", "--format", "{{.Id}}", saved).stdout().strip();
        Path dir = FX.scratchDir("save");
        env.user().chown(dir);
        Path tar = dir.resolve("saved.tar");
        dockerOk("save", "-o", tar.toString(), saved);
        List<String> entries = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                entries.add(e.getName());
            }
        }
        assertTrue(entries.contains("manifest.json"), "a docker-archive: " + entries);

        dockerOk("rmi", saved);
        assertFalse(dockerOk("images", "--format", "{{.Repository}}:{{.Tag}}").stdout().lines().anyMatch(saved::equals));
        Result load = dockerOk("load", "-i", tar.toString());
        assertTrue(load.stdout().contains("Loaded image: " + saved), load::toString);
        assertEquals(id, dockerOk("inspect", "--format", "{{.Id}}", saved).stdout().strip());

        // the same through stdin (a chunked request body)
        dockerOk("rmi", saved);
        List<String> viaStdin = new ArrayList<>(List.of("docker", "load"));
        Result piped = BoundedProcess.start(env.user().wrap(viaStdin), dockerEnv(), env.home(), out, tar).await(NORMAL);
        assertEquals(0, piped.exitCode(), piped::toString);
        assertTrue(piped.stdout().contains("Loaded image: " + saved), piped::toString);
        dockerOk("rmi", saved);

        Result missing = docker("save", "-o", dir.resolve("none.tar").toString(), "localhost/jpod-api/none:1");
        assertEquals(1, missing.exitCode(), missing::toString);
        Path junk = dir.resolve("junk.tar");
        Files.writeString(junk, "not a tarball\n");
        Result bad = docker("load", "-i", junk.toString());
        assertEquals(1, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().contains("Error response from daemon: "), bad::toString);
    }

    @Test
    void statsOneShotAndStreamInDockersShape() throws IOException {
        dockerOk("run", "-d", "--name", "measured", image, "sleep", "600");
        try {
            Result stats = dockerOk("stats", "--no-stream", "--format", "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.NetIO}}", "measured");
            String[] f = stats.stdout().strip().split("\\|");
            assertEquals(4, f.length, stats::toString);
            assertEquals("measured", f[0]);
            assertTrue(f[1].matches("\\d+\\.\\d\\d%"), stats::toString);
            assertTrue(f[2].matches(".+ / .+"), stats::toString);
            assertTrue(f[3].matches(".+ / .+"), stats::toString);

            // the stream on the wire: a reading at once, the next a second later with the first as its precpu
            Result wire = BoundedProcess.start(env.user().wrap(List.of("sh", "-c",
                    "curl -sSN --max-time 60 --unix-socket " + socket + " http://d/v1.44/containers/measured/stats | head -n 2")),
                    dockerEnv(), env.home(), out).await(NORMAL);
            List<String> lines = wire.stdout().lines().toList();
            assertEquals(2, lines.size(), wire::toString);
            ObjectMapper json = new ObjectMapper();
            JsonNode first = json.readTree(lines.get(0));
            JsonNode second = json.readTree(lines.get(1));
            assertEquals("/measured", first.path("name").asText());
            assertTrue(second.path("cpu_stats").path("system_cpu_usage").asLong() > second.path("precpu_stats").path("system_cpu_usage").asLong(),
                    "the host's CPU time advanced between readings: " + wire);
            assertEquals(first.path("cpu_stats").path("cpu_usage").path("total_usage").asLong(),
                    second.path("precpu_stats").path("cpu_usage").path("total_usage").asLong(), "the previous reading is the precpu: " + wire);

            Result missing = docker("stats", "--no-stream", "jpod-api-none");
            assertEquals(1, missing.exitCode(), missing::toString);
            assertTrue(missing.stderr().contains("No such container"), missing::toString);
        } finally {
            dockerOk("rm", "-f", "measured");
        }
    }

    @Test
    void pauseIsRefusedInDockersErrorShape() {
        dockerOk("run", "-d", "--name", "unpausable", image, "sleep", "600");
        try {
            Result pause = docker("pause", "unpausable");
            assertEquals(1, pause.exitCode(), pause::toString);
            assertTrue(pause.stderr().contains("Error response from daemon: jpod cannot pause containers"), pause::toString);
            Result unpause = docker("unpause", "unpausable");
            assertEquals(1, unpause.exitCode(), unpause::toString);
            assertEquals("true", dockerOk("inspect", "--format", "{{.State.Running}}", "unpausable").stdout().strip());
        } finally {
            dockerOk("rm", "-f", "unpausable");
        }
    }
}
