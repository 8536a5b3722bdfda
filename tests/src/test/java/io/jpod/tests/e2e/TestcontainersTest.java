package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * testcontainers-java (1.21 and 2.0: surefire runs this class twice, the second time, tagged "testcontainers", on
 * 2.0.x's jars — see tests/pom.xml) against jpod's Docker-compatible API: a GenericContainer of the test image with an
 * exposed port reached from the test, a log-message wait, copyFileToContainer, execInContainer, getLogs, and
 * Wait.forListeningPort(). The API socket accepts only its owner (the test user) and this JVM runs as root, so a
 * socat relay run as the test user carries the connections, on the path surefire sets as DOCKER_HOST (with
 * TESTCONTAINERS_RYUK_DISABLED, TESTCONTAINERS_HOST_OVERRIDE=localhost and TESTCONTAINERS_CHECKS_DISABLE).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@Tag("testcontainers")
class TestcontainersTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/busybox");
    private static JpodEnv env; // set by FX
    private static BoundedProcess relay;

    @BeforeAll
    static void relayTheApiSocket() throws IOException {
        env.ok("version"); // starts the per-user service and its docker.sock
        Path dockerSocket = env.runRoot().resolve("docker.sock");
        await("the service's docker.sock", NORMAL, () -> Files.exists(dockerSocket));
        // the path surefire gives testcontainers as DOCKER_HOST (it reads the socket from the environment only)
        Path relaySocket = Path.of(System.getenv("DOCKER_HOST").substring("unix://".length()));
        Path dir = relaySocket.getParent();
        Files.createDirectories(dir);
        Files.deleteIfExists(relaySocket);
        env.user().chown(dir);
        relay = BoundedProcess.start(env.user().wrap(List.of("socat", "UNIX-LISTEN:" + relaySocket + ",fork,mode=666",
                "UNIX-CONNECT:" + dockerSocket)), env.environment(), env.home(), FX.scratchDir("tc-out"));
        await("the relay socket", NORMAL, () -> Files.exists(relaySocket));
    }

    @AfterAll
    static void stopRelay() {
        if (relay != null) {
            relay.stop(Duration.ofSeconds(5));
        }
        try {
            Path relaySocket = Path.of(System.getenv("DOCKER_HOST").substring("unix://".length()));
            Files.deleteIfExists(relaySocket);
            Files.deleteIfExists(relaySocket.getParent());
        } catch (IOException e) {
            // left for the next run, which replaces it
        }
    }

    @Test
    void runsOnTheTestcontainersVersionItsExecutionPromises() {
        String promised = System.getProperty("jpod.testcontainers.version");
        assumeTrue(promised != null, "run outside surefire: no version promised");
        assertEquals(promised, GenericContainer.class.getPackage().getImplementationVersion(),
                "the testcontainers jar on this run's classpath");
    }

    @Test
    void genericContainerWithPortLogWaitCopyExecAndLogs() throws Exception {
        try (GenericContainer<?> web = new GenericContainer<>(DockerImageName.parse(FX.image()))
                .withCommand("sh", "-c", "mkdir /www && echo hello-tc > /www/index.html && echo web-ready && exec httpd -f -p 80 -h /www")
                .withExposedPorts(80)
                .waitingFor(Wait.forLogMessage(".*web-ready.*", 1).withStartupTimeout(NORMAL))) {
            web.start();
            String url = "http://" + web.getHost() + ":" + web.getMappedPort(80) + "/";
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String[] body = {""};
            await("the container answers at " + url, NORMAL, () -> {
                try {
                    body[0] = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    return true;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals("hello-tc\n", body[0]);

            web.copyFileToContainer(Transferable.of("copied-in\n"), "/tmp/copied.txt");
            Container.ExecResult cat = web.execInContainer("cat", "/tmp/copied.txt");
            assertEquals(0, cat.getExitCode(), cat.getStderr());
            assertEquals("copied-in\n", cat.getStdout());
            Container.ExecResult fails = web.execInContainer("sh", "-c", "echo to-err >&2; exit 3");
            assertEquals(3, fails.getExitCode());
            assertEquals("to-err\n", fails.getStderr());

            assertTrue(web.getLogs().contains("web-ready"), web.getLogs());
        }
    }

    @Test
    void waitForListeningPort() {
        try (GenericContainer<?> server = new GenericContainer<>(DockerImageName.parse(FX.image()))
                .withCommand("sh", "-c", "sleep 1; mkdir /www; exec httpd -f -p 8080 -h /www")
                .withExposedPorts(8080)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(NORMAL))) {
            server.start();
            assertTrue(server.isRunning());
            assertTrue(server.getMappedPort(8080) > 0);
        }
    }
}
