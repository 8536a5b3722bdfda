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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Debian's docker-compose 1.29 against jpod's Docker-compatible API: `up -d` of two services (a published port, a
 * named volume, an environment file, depends_on), `ps`, `logs`, `exec`, and `down -v` leaving no container,
 * volume or network behind.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DockerComposeTest {
    private static final Duration NORMAL = Duration.ofSeconds(180);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/busybox");
    private static JpodEnv env; // set by FX

    private static Result run(Path dir, String... command) {
        Map<String, String> e = env.environment();
        e.put("DOCKER_HOST", "unix://" + env.runRoot().resolve("docker.sock"));
        e.put("DOCKER_CONFIG", env.home().resolve(".docker-test").toString());
        return BoundedProcess.start(env.user().wrap(new ArrayList<>(List.of(command))), e, dir, FX.scratchDir("compose-out")).await(NORMAL);
    }

    private static Result ok(Path dir, String... command) {
        Result r = run(dir, command);
        assertEquals(0, r.exitCode(), () -> String.join(" ", command) + ": " + r);
        return r;
    }

    @Test
    void upPsLogsExecDown() throws IOException {
        env.ok("version"); // starts the per-user service and its docker.sock
        await("the service's docker.sock", NORMAL, () -> Files.exists(env.runRoot().resolve("docker.sock")));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = FX.scratchDir("compose");
        Files.writeString(dir.resolve("docker-compose.yml"), """
                version: "3"
                services:
                  web:
                    image: %s
                    command: sh -c 'mkdir -p /www && echo "$$GREETING" > /www/index.html && echo kept > /data/v && echo web-up && exec httpd -f -p 80 -h /www'
                    env_file: web.env
                    ports:
                      - "127.0.0.1:%d:80"
                    volumes:
                      - data:/data
                  client:
                    image: %s
                    command: sh -c 'echo client-up; exec sleep 600'
                    depends_on:
                      - web
                volumes:
                  data:
                """.formatted(FX.image(), port, FX.image()));
        Files.writeString(dir.resolve("web.env"), "GREETING=hello-compose\n");
        for (Path p : List.of(dir, dir.resolve("docker-compose.yml"), dir.resolve("web.env"))) {
            env.user().chown(p);
        }
        ok(dir, "docker-compose", "-p", "jpodc", "up", "-d");
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
        assertEquals("hello-compose\n", body[0]);
        Result ps = ok(dir, "docker-compose", "-p", "jpodc", "ps");
        assertTrue(ps.stdout().lines().anyMatch(l -> l.startsWith("jpodc_web_1") && l.contains("Up")), ps::toString);
        assertTrue(ps.stdout().lines().anyMatch(l -> l.startsWith("jpodc_client_1") && l.contains("Up")), ps::toString);
        await("web's log", NORMAL, () -> run(dir, "docker-compose", "-p", "jpodc", "logs", "--no-color", "web").stdout().contains("web-up"));
        Result exec = ok(dir, "docker-compose", "-p", "jpodc", "exec", "-T", "web", "cat", "/data/v");
        assertEquals("kept\n", exec.stdout());

        ok(dir, "docker-compose", "-p", "jpodc", "down", "-v");
        assertEquals("", ok(dir, "docker", "ps", "-a", "-q", "--filter", "label=com.docker.compose.project=jpodc").stdout().strip());
        assertFalse(ok(dir, "docker", "volume", "ls", "-q").stdout().lines().anyMatch(l -> l.startsWith("jpodc")), "volumes left");
        assertFalse(ok(dir, "docker", "network", "ls", "--format", "{{.Name}}").stdout().lines().anyMatch(l -> l.startsWith("jpodc")),
                "networks left");
    }
}
