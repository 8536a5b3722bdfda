package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Docker-compatible API driven by the real docker CLI (28, client only) with DOCKER_HOST at the socket the
 * per-user service serves beside its own ({@code <runroot>/docker.sock}): the commands a user runs, their output
 * and exit codes as docker gives them, and `jpod system service unix://PATH` serving the API alone in the
 * foreground.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DockerCliTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/busybox");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;
    private static Path out;

    @BeforeAll
    static void setUp() {
        out = FX.scratchDir("docker-cli");
        env.ok("version"); // starts the per-user service, which serves docker.sock
        await("the service's docker.sock", NORMAL, () -> Files.exists(env.runRoot().resolve("docker.sock")));
    }

    private static Map<String, String> dockerEnv(Path socket) {
        Map<String, String> e = env.environment();
        e.put("DOCKER_HOST", "unix://" + socket);
        e.put("DOCKER_CONFIG", env.home().resolve(".docker-test").toString()); // none: no credentials, no contexts
        return e;
    }

    private static BoundedProcess startDocker(Path socket, Path stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return BoundedProcess.start(env.user().wrap(command), dockerEnv(socket), env.home(), out, stdin);
    }

    private static Result docker(String... args) {
        return startDocker(env.runRoot().resolve("docker.sock"), Path.of("/dev/null"), args).await(NORMAL);
    }

    private static Result dockerOk(String... args) {
        Result r = docker(args);
        assertEquals(0, r.exitCode(), () -> "docker " + String.join(" ", args) + ": " + r);
        return r;
    }

    @Test
    void versionAndInfoNameTheServer() {
        Result v = dockerOk("version", "--format", "{{.Server.APIVersion}} {{.Server.Os}} {{.Server.Platform.Name}}");
        assertEquals("1.44 linux jpod", v.stdout().strip());
        Result info = dockerOk("info");
        assertTrue(info.stdout().contains("Storage Driver: "), info::toString);
        assertTrue(info.stdout().contains("Server Version: "), info::toString);
        assertEquals("linux", dockerOk("info", "--format", "{{.OSType}}").stdout().strip());
    }

    @Test
    void pullThenImagesListsIt() {
        Result pull = dockerOk("pull", image);
        assertTrue(pull.stdout().contains("Status: Downloaded newer image for " + image), pull::toString);
        Result images = dockerOk("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}");
        assertTrue(images.stdout().lines().anyMatch(l -> l.startsWith(image + " ")), images::toString);
        String id = dockerOk("inspect", "--format", "{{.Id}}", image).stdout().strip();
        assertTrue(id.matches("sha256:[0-9a-f]{64}"), id);
    }

    @Test
    void runRemovedGivesOutputStreamsAndExitCode() {
        Result hi = docker("run", "--rm", "--name", "hi", image, "echo", "hi");
        assertEquals(0, hi.exitCode(), hi::toString);
        assertEquals("hi\n", hi.stdout());
        Result three = docker("run", "--rm", "--name", "three", image, "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, three.exitCode(), three::toString);
        assertEquals("out\n", three.stdout());
        assertTrue(three.stderr().contains("err\n"), three::toString);
        String names = dockerOk("ps", "-a", "--format", "{{.Names}}").stdout();
        assertFalse(names.lines().anyMatch(n -> n.equals("hi") || n.equals("three")), "--rm containers are gone: " + names);
    }

    @Test
    void runExitCodesAreDockersForEachKindOfFailure() {
        Result one = docker("run", "--rm", "--name", "x1", image, "sh", "-c", "exit 1");
        assertEquals(1, one.exitCode(), one::toString);
        Result notFound = docker("run", "--rm", "--name", "x127", image, "/no/such/command");
        assertEquals(127, notFound.exitCode(), notFound::toString);
        Result notExecutable = docker("run", "--rm", "--name", "x126", image, "/etc/passwd");
        assertEquals(126, notExecutable.exitCode(), notExecutable::toString);
        Result noImage = docker("run", "--rm", "localhost/jpod-api/none:1", "true");
        assertEquals(125, noImage.exitCode(), noImage::toString);
        Result badFlag = docker("run", "--rm", "--no-such-flag", image, "true");
        assertEquals(125, badFlag.exitCode(), badFlag::toString);
        dockerOk("create", "--name", "x1-taken", image, "true");
        Result taken = docker("run", "--rm", "--name", "x1-taken", image, "true");
        assertEquals(125, taken.exitCode(), taken::toString);
        assertTrue(taken.stderr().startsWith("docker: Error response from daemon: "), taken::toString);
        Result execStopped = docker("exec", "x1-taken", "true");
        assertEquals(1, execStopped.exitCode(), execStopped::toString);
        assertTrue(execStopped.stderr().contains("is not running"), execStopped::toString);
        dockerOk("rm", "x1-taken");
        String names = dockerOk("ps", "-a", "--format", "{{.Names}}").stdout();
        assertFalse(names.lines().anyMatch(n -> n.startsWith("x1")), "every --rm container is gone: " + names);
    }

    @Test
    void runInteractiveThroughARealPty() {
        // script(1) gives docker a real terminal: raw mode, the container's pty, the exit status of its shell
        Path input = FX.scratchDir("tty").resolve("input");
        try {
            Files.writeString(input, "echo typed-$((6*7))\nexit 5\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        BoundedProcess p = BoundedProcess.start(env.user().wrap(List.of("script", "-qec",
                "docker run -it --rm " + image + " sh -c 'tty; read line; eval \"$line\"; read line; eval \"$line\"'", "/dev/null")),
                dockerEnv(env.runRoot().resolve("docker.sock")), env.home(), out, input);
        Result r = p.await(NORMAL);
        assertEquals(5, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("/dev/pts/"), "the container has a terminal: " + r);
        assertTrue(r.stdout().contains("typed-42"), r::toString);
    }

    @Test
    void detachedWithPublishedPortThenPsInspectExecStopRm() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result run = dockerOk("run", "-d", "--name", "web", "-p", "127.0.0.1:" + port + ":80", image, "sh", "-c",
                "mkdir /www && echo hello-from-web > /www/index.html && echo ready && exec httpd -f -p 80 -h /www");
        String id = run.stdout().strip();
        assertTrue(id.matches("[0-9a-f]{64}"), run::toString);
        await("web's log says ready", NORMAL, () -> docker("logs", "web").stdout().contains("ready"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String[] body = {""};
        await("web answers on 127.0.0.1:" + port, NORMAL, () -> {
            try {
                body[0] = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                return true;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals("hello-from-web\n", body[0]);
        Result ps = dockerOk("ps", "--format", "{{.ID}} {{.Names}} {{.Ports}} {{.Status}}");
        assertTrue(ps.stdout().lines().anyMatch(l -> l.startsWith(id.substring(0, 12) + " web 127.0.0.1:" + port + "->80/tcp Up")), ps::toString);
        assertEquals("true running", dockerOk("inspect", "--format", "{{.State.Running}} {{.State.Status}}", "web").stdout().strip());

        Result exec = docker("exec", "web", "sh", "-c", "echo exec-out; echo exec-err >&2; exit 4");
        assertEquals(4, exec.exitCode(), exec::toString);
        assertEquals("exec-out\n", exec.stdout());
        assertTrue(exec.stderr().contains("exec-err\n"), exec::toString);
        Path stdin = FX.scratchDir("stdin").resolve("in");
        Files.writeString(stdin, "piped-in\n");
        Result cat = startDocker(env.runRoot().resolve("docker.sock"), stdin, "exec", "-i", "web", "cat").await(NORMAL);
        assertEquals(0, cat.exitCode(), cat::toString);
        assertEquals("piped-in\n", cat.stdout());

        Result stop = dockerOk("stop", "-t", "1", "web");
        assertEquals("web", stop.stdout().strip());
        assertEquals("false exited", dockerOk("inspect", "--format", "{{.State.Running}} {{.State.Status}}", "web").stdout().strip());
        Result rmRunning = dockerOk("rm", "web");
        assertEquals("web", rmRunning.stdout().strip());
        Result gone = docker("inspect", "web");
        assertEquals(1, gone.exitCode(), gone::toString);
        assertTrue(gone.stderr().contains("No such object: web"), gone::toString);
    }

    @Test
    void cpBothWays() throws IOException {
        Path dir = FX.scratchDir("cp");
        Files.writeString(dir.resolve("in.txt"), "hello-in\n");
        Files.createDirectories(dir.resolve("tree/sub"));
        Files.writeString(dir.resolve("tree/sub/f"), "deep\n");
        Path back = dir.resolve("back");
        Files.createDirectory(back);
        for (Path p : List.of(dir, dir.resolve("in.txt"), dir.resolve("tree"), dir.resolve("tree/sub"), dir.resolve("tree/sub/f"), back)) {
            env.user().chown(p);
        }
        dockerOk("create", "--name", "cpt", image, "sleep", "600"); // a copy into a container not yet started
        dockerOk("cp", dir.resolve("in.txt").toString(), "cpt:/tmp/");
        dockerOk("start", "cpt");
        dockerOk("cp", dir.resolve("in.txt").toString(), "cpt:/tmp/renamed.txt");
        dockerOk("cp", dir.resolve("tree").toString(), "cpt:/tmp/");
        assertEquals("hello-in\nhello-in\ndeep\n", dockerOk("exec", "cpt", "cat", "/tmp/in.txt", "/tmp/renamed.txt", "/tmp/tree/sub/f").stdout());
        dockerOk("cp", "cpt:/tmp/tree", back.resolve("tree").toString());
        dockerOk("cp", "cpt:/tmp/renamed.txt", back.toString());
        assertEquals("deep\n", Files.readString(back.resolve("tree/sub/f")));
        assertEquals("hello-in\n", Files.readString(back.resolve("renamed.txt")));
        Result missing = docker("cp", "cpt:/no/such/file", back.toString());
        assertEquals(1, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().contains("could not be found"), missing::toString);
        dockerOk("rm", "-f", "cpt");
    }

    @Test
    void logsFollowEndsWithTheContainerAndKeepsStreamsApart() {
        dockerOk("run", "-d", "--name", "talker", image, "sh", "-c", "echo one; echo two >&2; sleep 1; echo three");
        Result logs = docker("logs", "-f", "talker");
        assertEquals(0, logs.exitCode(), logs::toString);
        assertEquals("one\nthree\n", logs.stdout());
        assertEquals("two\n", logs.stderr());
        dockerOk("rm", "talker");
    }

    @Test
    void removingARunningContainerIsAConflictUnlessForced() {
        dockerOk("run", "-d", "--name", "sleeper", image, "sleep", "600");
        Result rm = docker("rm", "sleeper");
        assertEquals(1, rm.exitCode(), rm::toString);
        assertTrue(rm.stderr().contains("Error response from daemon: "), rm::toString);
        dockerOk("rm", "-f", "sleeper");
        Result missing = docker("rm", "sleeper");
        assertEquals(1, missing.exitCode(), missing::toString);
        assertEquals("Error response from daemon: No such container: sleeper", missing.stderr().strip());
    }

    @Test
    void volumesCreateListUseRemove() {
        assertEquals("dvol", dockerOk("volume", "create", "dvol").stdout().strip());
        assertTrue(dockerOk("volume", "ls", "--format", "{{.Driver}} {{.Name}}").stdout().lines().anyMatch(l -> l.equals("local dvol")));
        dockerOk("run", "--rm", "-v", "dvol:/data", image, "sh", "-c", "echo kept > /data/f");
        assertEquals("kept\n", dockerOk("run", "--rm", "-v", "dvol:/data", image, "cat", "/data/f").stdout());
        assertEquals("dvol", dockerOk("volume", "rm", "dvol").stdout().strip());
        assertFalse(dockerOk("volume", "ls", "--format", "{{.Name}}").stdout().lines().anyMatch(l -> l.equals("dvol")));
        Result again = docker("volume", "rm", "dvol");
        assertEquals(1, again.exitCode(), again::toString);
        assertEquals("Error response from daemon: get dvol: no such volume", again.stderr().strip());
    }

    @Test
    void rmiUntagsAndMissingImagesAreErrors() {
        String other = "localhost/jpod-api/other:1";
        dockerOk("tag", image, other);
        Result rmi = dockerOk("rmi", other);
        assertTrue(rmi.stdout().contains("Untagged: " + other), rmi::toString);
        Result missing = docker("rmi", "localhost/jpod-api/none:1");
        assertEquals(1, missing.exitCode(), missing::toString);
        assertEquals("Error response from daemon: No such image: localhost/jpod-api/none:1", missing.stderr().strip());
        Result noContainer = docker("stop", "jpod-api-none");
        assertEquals(1, noContainer.exitCode(), noContainer::toString);
        assertEquals("Error response from daemon: No such container: jpod-api-none", noContainer.stderr().strip());
    }

    @Test
    void eventsSinceNameWhatHappenedTheDockerWay() {
        long since = Instant.now().getEpochSecond() - 1;
        dockerOk("run", "--rm", "--name", "evented", image, "true");
        long until = Instant.now().getEpochSecond() + 1;
        Result events = dockerOk("events", "--since", Long.toString(since), "--until", Long.toString(until),
                "--filter", "container=evented", "--format", "{{.Type}} {{.Action}}");
        List<String> lines = events.stdout().lines().toList();
        for (String want : List.of("container create", "container start", "container die", "container destroy")) {
            assertTrue(lines.contains(want), want + " in " + events);
        }
        assertFalse(lines.contains("container died"), "docker's name is die: " + events);
    }

    @Test
    void eventsFollowedSeeWhatHappensLater() {
        long since = Instant.now().getEpochSecond() - 1;
        dockerOk("run", "-d", "--name", "followed", image, "sleep", "600");
        BoundedProcess events = startDocker(env.runRoot().resolve("docker.sock"), Path.of("/dev/null"), "events",
                "--since", Long.toString(since), "--filter", "container=followed", "--format", "{{.Type}} {{.Action}}");
        try {
            // once the start is shown the stream is live: the die of the stop below can only come by following
            await("docker events shows the start", NORMAL, () -> events.stdoutSoFar().contains("container start\n"));
            dockerOk("stop", "-t", "0", "followed");
            await("docker events shows the die that came later", NORMAL, () -> events.stdoutSoFar().contains("container die\n"));
        } finally {
            events.stop(Duration.ofSeconds(5));
            docker("rm", "-f", "followed");
        }
    }

    @Test
    void systemDfSummarises() {
        Result df = dockerOk("system", "df");
        assertTrue(df.stdout().lines().anyMatch(l -> l.startsWith("Images ")), df::toString);
        assertTrue(df.stdout().lines().anyMatch(l -> l.startsWith("Local Volumes ")), df::toString);
    }

    @Test
    void systemServiceServesTheApiAloneOnAnotherSocket() {
        Path socket = env.runtimeDir().resolve("api-alone.sock");
        BoundedProcess service = env.start("system", "service", "--time", "0", "unix://" + socket);
        try {
            await("the API socket " + socket, NORMAL, () -> Files.exists(socket));
            Result v = startDocker(socket, Path.of("/dev/null"), "version", "--format", "{{.Server.APIVersion}}").await(NORMAL);
            assertEquals(0, v.exitCode(), v::toString);
            assertEquals("1.44", v.stdout().strip());
        } finally {
            service.stop(Duration.ofSeconds(10));
        }
    }
}
