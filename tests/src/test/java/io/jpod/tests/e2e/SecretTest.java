package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * podman's secrets (170-run-userns "userns=auto and secrets", 610-format's set-up): `secret create` from a file or
 * stdin into podman's file-driver layout, `ls`/`inspect`/`rm`/`exists` with podman's shapes and messages, and
 * `run --secret` giving the container a read-only /run/secrets/NAME (or a variable) with podman's defaults.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecretTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/secretbox");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    private static Path dataFile(String name, String content) throws Exception {
        Path dir = FX.scratchDir("secret-" + name);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path f = dir.resolve("data");
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        return f;
    }

    @Test
    void createListInspectAndRemoveInPodmansShapes() throws Exception {
        Path f = dataFile("shapes", "s3cret\n");
        String id = env.ok("secret", "create", "--label", "a=b", "shapes", f.toString()).stdout().strip();
        assertTrue(id.matches("[0-9a-f]{25}"), id);

        Result again = env.run(JpodEnv.NORMAL, "secret", "create", "shapes", f.toString());
        assertEquals(125, again.exitCode(), again::toString);
        assertEquals("Error: shapes: secret name in use\n", again.stderr());

        for (int n : new int[]{0, 1, 3}) { // cobra's ExactArgs(2)
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("secret", "create"),
                    java.util.stream.Stream.of("a", "b", "c").limit(n)).toArray(String[]::new);
            Result count = env.run(JpodEnv.NORMAL, args);
            assertEquals(125, count.exitCode(), count::toString);
            assertEquals("Error: accepts 2 arg(s), received " + n + "\n", count.stderr());
        }
        assertTrue(env.ok("secret", "create", "--help").stdout().contains("secret create [options] NAME FILE|-"));

        Result bad = env.run(JpodEnv.NORMAL, "secret", "create", "bad/name", f.toString());
        assertEquals(125, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().endsWith("bad/name: invalid secret name\n"), bad::toString);

        String ls = env.ok("secret", "ls").stdout();
        assertTrue(ls.startsWith("ID "), ls);
        assertTrue(ls.contains(id + " ") && ls.contains(" shapes "), ls);
        assertEquals("shapes file\n", env.ok("secret", "ls", "--filter", "name=shapes", "--format", "{{.Name}} {{.Driver}}").stdout());

        JsonNode inspect = new ObjectMapper().readTree(env.ok("secret", "inspect", "shapes").stdout()).get(0);
        assertEquals(id, inspect.path("ID").asText(), inspect::toString);
        assertEquals("shapes", inspect.path("Spec").path("Name").asText(), inspect::toString);
        assertEquals("file", inspect.path("Spec").path("Driver").path("Name").asText(), inspect::toString);
        assertEquals("b", inspect.path("Spec").path("Labels").path("a").asText(), inspect::toString);
        assertEquals(id + " shapes\n", env.ok("secret", "inspect", "--format", "{{.ID}} {{.Spec.Name}}", id.substring(0, 10)).stdout());

        // podman's file driver layout: the index by id and name, the data base64 in a 0600 file
        JsonNode index = new ObjectMapper().readTree(env.storageRoot().resolve("secrets/secrets.json").toFile());
        assertEquals(id, index.path("nameToID").path("shapes").asText(), index::toString);
        Path data = env.storageRoot().resolve("secrets/filedriver/secretsdata.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));

        assertEquals(0, env.run(JpodEnv.NORMAL, "secret", "exists", "shapes").exitCode());
        assertEquals(id + "\n", env.ok("secret", "rm", "shapes").stdout());
        assertEquals(1, env.run(JpodEnv.NORMAL, "secret", "exists", "shapes").exitCode());
        Result gone = env.run(JpodEnv.NORMAL, "secret", "inspect", "shapes");
        assertEquals(125, gone.exitCode(), gone::toString);
        assertEquals("Error: inspecting secret: no secret with name or id \"shapes\": no such secret\n", gone.stderr());
        Result rmGone = env.run(JpodEnv.NORMAL, "secret", "rm", "shapes");
        assertEquals(125, rmGone.exitCode(), rmGone::toString);
        assertEquals("Error: no secret with name or id \"shapes\": no such secret\n", rmGone.stderr());
    }

    @Test
    void createFromStdinRefusesEmptyData() throws Exception {
        Path f = dataFile("stdin", "from stdin");
        Result empty = env.runWithInput(dataFile("empty", ""), Map.of(), JpodEnv.NORMAL, "secret", "create", "empty", "-");
        assertEquals(125, empty.exitCode(), empty::toString);
        assertEquals("Error: secret data must be larger than 0 and less than 512000 bytes\n", empty.stderr());
        Result in = env.runWithInput(f, Map.of(), JpodEnv.NORMAL, "secret", "create", "fromstdin2", "-");
        assertEquals(0, in.exitCode(), in::toString);
        assertEquals("from stdin", env.ok("run", "--rm", "--secret", "fromstdin2", image, "cat", "/run/secrets/fromstdin2").stdout());
        env.ok("secret", "rm", "fromstdin2");
    }

    @Test
    void runGivesTheSecretAsAReadOnlyFileOrAVariable() throws Exception {
        env.ok("secret", "create", "runsec", dataFile("run", "hello\n").toString());
        try {
            assertEquals("-r--r--r-- 0 0\nhello\n", env.ok("run", "--rm", "--secret=runsec", image, "sh", "-c",
                    "stat -c '%A %u %g' /run/secrets/runsec; cat /run/secrets/runsec").stdout());
            assertEquals("-r-------- 5 6\nhello\n", env.ok("run", "--rm", "--secret", "runsec,target=/etc/mine,mode=0400,uid=5,gid=6", image,
                    "sh", "-c", "stat -c '%A %u %g' /etc/mine; cat /etc/mine").stdout());
            Result write = env.run(JpodEnv.NORMAL, "run", "--rm", "--secret", "runsec", image, "sh", "-c", "echo x > /run/secrets/runsec");
            assertFalse(write.exitCode() == 0, write::toString);
            assertEquals("hello\n", env.ok("run", "--rm", "--secret", "runsec,type=env,target=MYVAR", image, "sh", "-c", "echo $MYVAR").stdout());

            int before = env.ok("ps", "-aq").stdout().length();
            Result missing = env.run(JpodEnv.NORMAL, "run", "--rm", "--secret", "nosuch", image, "true");
            assertEquals(125, missing.exitCode(), missing::toString);
            assertEquals("Error: no secret with name or id \"nosuch\": no such secret\n", missing.stderr());
            Result opt = env.run(JpodEnv.NORMAL, "create", "--secret", "runsec,bogus=1", image, "true");
            assertEquals(125, opt.exitCode(), opt::toString);
            assertEquals("Error: option bogus=1 invalid: parsing secret\n", opt.stderr());
            assertEquals(before, env.ok("ps", "-aq").stdout().length(), "nothing created");

            // the container keeps the data it was made with when the secret goes
            env.ok("create", "--name", "keeps", "--secret", "runsec", image, "cat", "/run/secrets/runsec");
            env.ok("secret", "rm", "runsec");
            assertEquals("hello\n", env.ok("start", "-a", "keeps").stdout());
        } finally {
            env.run(JpodEnv.NORMAL, "rm", "-f", "keeps");
            env.run(JpodEnv.NORMAL, "secret", "rm", "runsec");
        }
    }
}
