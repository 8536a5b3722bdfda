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
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 50 malformed or impossible requests to the Docker-compatible API, each sent raw on a connection of its own by
 * the socket's owner: every one gets a 4xx with docker's JSON error body and no stack trace, and the service
 * answers a normal request after all of them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MalformedApiRequestsTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX

    private static String req(String head) {
        return head;
    }

    private static String post(String target, String body) {
        return "POST " + target + " HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: d\r\n\r\n";
    }

    private static List<String> cases() {
        List<String> c = new ArrayList<>();
        c.add("GARBAGE\r\n\r\n");
        c.add("GET\r\n\r\n");
        c.add("GET /_ping\r\n\r\n");
        c.add("GET /_ping HTTP/2.0\r\nHost: d\r\n\r\n");
        c.add("get /_ping HTTP/1.1\r\nHost: d\r\n\r\n");
        c.add("GET _ping HTTP/1.1\r\nHost: d\r\n\r\n");
        c.add("GET /_ping HTTP/1.1\r\n\r\n"); // no Host
        c.add("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: d\r\n\r\n");
        c.add("GET /_ping HTTP/1.1\r\nHost: d\r\nX-Big: " + "b".repeat(70_000) + "\r\n\r\n");
        StringBuilder many = new StringBuilder("GET /_ping HTTP/1.1\r\nHost: d\r\n");
        for (int i = 0; i < 200; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        c.add(many.append("\r\n").toString());
        c.add("GET /_ping HTTP/1.1\r\nHost: d\r\nNoColonHere\r\n\r\n");
        c.add("GET /_ping HTTP/1.1\r\nHost: d\r\nBad Name: x\r\n\r\n");
        c.add("GET /_ping HTTP/1.1\r\nHost: d\r\nX-A: one\r\n  folded\r\n\r\n");
        c.add("GET /_p\0ing HTTP/1.1\r\nHost: d\r\n\r\n");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: abc\r\n\r\n{}");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: -5\r\n\r\n{}");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: gzip\r\n\r\n{}");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{}\r\n0\r\n\r\n");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n7fffffff\r\n{}\r\n0\r\n\r\n");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}}}\r\n0\r\n\r\n");
        c.add("POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 100\r\n\r\n{\"I");
        c.add(post("/containers/create", "{"));
        c.add(post("/containers/create", "[]"));
        c.add(post("/containers/create", "{}"));
        c.add(post("/containers/create", "{\"Image\":\"busybox\",\"Cmd\":5}"));
        c.add(post("/containers/create", "{\"Image\":\"busybox\",\"HostConfig\":{\"PortBindings\":{\"notaport\":[{}]}}}"));
        c.add(post("/containers/create", "{\"Image\":\"" + "x".repeat(2 << 20) + "\"}"));
        c.add(get("/nope"));
        c.add(get("/v1.44/containers/nosuch/json"));
        c.add("DELETE /images/localhost/nosuch:1 HTTP/1.1\r\nHost: d\r\n\r\n");
        c.add(post("/containers/nosuch/start", ""));
        c.add(get("/containers/json?filters=notjson"));
        c.add(get("/containers/json?filters=%5B1%5D"));
        c.add(get("/containers/json?all=maybe"));
        c.add(get("/containers/json?limit=abc"));
        c.add(get("/containers/nosuch/logs"));
        c.add(post("/containers/nosuch/wait?condition=bogus", ""));
        c.add(get("/events?since=yesterday"));
        c.add(post("/images/create", ""));
        c.add("POST /images/create?fromImage=localhost/x HTTP/1.1\r\nHost: d\r\nX-Registry-Auth: !!!\r\nContent-Length: 0\r\n\r\n");
        c.add(post("/volumes/create", "{\"Name\":\"v\",\"Driver\":\"nfs\"}"));
        c.add(get("/volumes/nosuch"));
        c.add(post("/exec/nosuch/start", "{}"));
        c.add(get("/containers/%zz/json"));
        c.add(post("/containers/nosuch/resize?h=0&w=0", ""));
        c.add("GET /_ping HTTP/1.1\r\nHost: d\r\nContent-Length: 99999999999999999999\r\n\r\n");
        c.add("PATCH /containers/json HTTP/1.1\r\nHost: d\r\n\r\n");
        return c;
    }

    @Test
    void fiftyMalformedRequestsEachGetA4xxAndTheServiceLives() throws IOException {
        List<String> cases = cases();
        assertEquals(50, cases.size());
        Path dir = FX.scratchDir("malformed");
        Path casesFile = dir.resolve("cases");
        List<String> lines = new ArrayList<>();
        for (String c : cases) {
            lines.add(Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.ISO_8859_1)));
        }
        lines.add(Base64.getEncoder().encodeToString(get("/_ping").getBytes(StandardCharsets.ISO_8859_1))); // alive after all
        Files.write(casesFile, lines);
        Path client = dir.resolve("RawHttpClient.java");
        try (InputStream in = MalformedApiRequestsTest.class.getResourceAsStream("/api/RawHttpClient.java")) {
            Files.write(client, in.readAllBytes());
        }
        client.toFile().setReadable(true, false);
        casesFile.toFile().setReadable(true, false);

        Path socket = env.runtimeDir().resolve("api-malformed.sock");
        BoundedProcess service = env.start("system", "service", "--time", "0", "unix://" + socket);
        try {
            await("the API socket " + socket, NORMAL, () -> Files.exists(socket));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Result r = BoundedProcess.start(env.user().wrap(List.of(java, client.toString(), socket.toString(), casesFile.toString())),
                    env.environment(), env.home(), dir).await(NORMAL);
            assertEquals(0, r.exitCode(), r::toString);
            List<String> answers = r.stdout().lines().toList();
            assertEquals(51, answers.size(), r::toString);
            for (int i = 0; i < 50; i++) {
                String[] a = answers.get(i).split(" ", 2);
                int status = Integer.parseInt(a[0]);
                String response = a.length > 1 ? new String(Base64.getDecoder().decode(a[1]), StandardCharsets.ISO_8859_1) : "";
                String shown = "case " + i + " " + printable(cases.get(i)) + " → " + printable(response);
                assertTrue(status >= 400 && status < 500, shown);
                assertTrue(response.contains("{\"message\":\""), "docker's error body: " + shown);
                assertFalse(response.contains("Exception") || response.contains("\tat "), "no stack trace: " + shown);
            }
            assertTrue(answers.get(50).startsWith("200 "), "the service still answers: " + answers.get(50));
        } finally {
            service.stop(Duration.ofSeconds(10));
        }
    }

    private static String printable(String s) {
        String t = s.length() > 160 ? s.substring(0, 160) + "…" : s;
        return t.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }
}
