package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.Htpasswd;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The credential paths a podman user relies on: login --password-stdin, docker credential helpers (credHelpers, credsStore). */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CredentialPathsTest {
    private static final Duration T = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX

    @Test
    void loginWithPasswordStdinStoresCredentialsThatPullUses() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "stdin login\n", 0644).build();
        registry.push(img, "creds/stdin", "1");
        Path authJson = env.runtimeDir().resolve("containers/auth.json");
        try (LocalRegistry basic = LocalRegistry.sharing(registry, Htpasswd.registryConfig("frank", "from-stdin"))) {
            String host = basic.hostPort();
            Path wrong = userFile("wrong-password", "not-it\n");
            Result refused = env.runWithInput(wrong, Map.of(), T, "login", "-u", "frank", "--password-stdin", host);
            refused.assertOneError("frank");
            assertFalse(Files.exists(authJson), "a refused login must not store anything");

            Path right = userFile("password", "from-stdin\n"); // the trailing newline is not part of the password
            Result login = env.runWithInput(right, Map.of(), T, "login", "-u", "frank", "--password-stdin", host);
            assertEquals(0, login.exitCode(), login::toString);
            assertEquals("Login Succeeded!", login.stdout().strip(), login::toString);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(authJson)));
            assertTrue(JSON.readTree(authJson.toFile()).path("auths").has(host), () -> authJson + " lacks " + host);

            Result pull = env.run(T, "pull", "-q", host + "/creds/stdin:1");
            assertEquals(0, pull.exitCode(), pull::toString);
            assertEquals(img.imageId().substring(7), pull.stdout().strip(), pull::toString);
            assertEquals(0, env.run(T, "logout", host).exitCode());
        }
    }

    @Test
    void credentialHelpersFromDockerConfigServePulls() throws IOException {
        BuiltImage img = TestImage.busybox().file("f", "helper\n", 0644).build();
        registry.push(img, "creds/helper", "1");
        Path bin = env.home().resolve("helper-bin");
        Path log = env.home().resolve("helper.log");
        Files.createDirectories(bin);
        env.user().chown(bin);
        userFile("helper.log", "");
        // the docker-credential-helpers protocol: `get` reads the server URL on stdin, answers JSON on stdout
        Path helper = bin.resolve("docker-credential-jpodtest");
        Files.writeString(helper, """
                #!/bin/sh
                server=$(cat)
                echo "$1 $server" >> %s
                case "$1" in
                  get) printf '{"ServerURL":"%%s","Username":"grace","Secret":"h3lper-secret"}\\n' "$server" ;;
                  *) exit 1 ;;
                esac
                """.formatted(log));
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, Optional<String>> path = Map.of("PATH", Optional.of(bin + ":" + JpodEnv.PATH));
        Path dockerConfig = env.home().resolve(".docker/config.json");

        try (LocalRegistry basic = LocalRegistry.sharing(registry, Htpasswd.registryConfig("grace", "h3lper-secret"))) {
            String host = basic.hostPort();
            String image = host + "/creds/helper:1";
            for (String config : List.of("{\"credHelpers\":{\"" + host + "\":\"jpodtest\"}}", "{\"credsStore\":\"jpodtest\"}")) {
                Files.writeString(log, "");
                Files.createDirectories(dockerConfig.getParent());
                env.user().chown(dockerConfig.getParent());
                userFile(".docker/config.json", config);
                Result pull = env.runWith(path, T, "pull", "-q", image);
                assertEquals(0, pull.exitCode(), () -> config + "\n" + pull);
                assertEquals(img.imageId().substring(7), pull.stdout().strip(), pull::toString);
                String calls = Files.readString(log);
                assertTrue(calls.startsWith("get ") && calls.contains(host), () -> config + ": the helper was not asked: " + calls);
                assertFalse(Files.exists(env.runtimeDir().resolve("containers/auth.json")), "no auth.json is involved");
                assertFalse(Files.exists(env.home().resolve(".config/containers/auth.json")), "no auth.json is involved");
                assertEquals(0, env.run(T, "rmi", image).exitCode());
            }

            // a helper that is configured but missing from PATH is a clear one-line error, not a silent anonymous pull
            Result missing = env.run(T, "pull", "-q", image);
            missing.assertOneError("jpodtest");
        } finally {
            Files.deleteIfExists(dockerConfig);
        }
    }

    /** A file in the test user's home, owned by the test user. */
    private static Path userFile(String name, String content) throws IOException {
        Path f = env.home().resolve(name);
        Files.writeString(f, content);
        env.user().chown(f);
        return f;
    }

}
