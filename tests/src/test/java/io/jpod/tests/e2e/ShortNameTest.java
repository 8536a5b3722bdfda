package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Short names, aliases, mirrors and blocked registries from jpod's own registries.conf override. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShortNameTest {
    private static final Duration PULL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static String dead;

    @BeforeAll
    static void setUp() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = "127.0.0.1:" + s.getLocalPort(); // nothing listens there once closed: connection refused
        }
        Path conf = env.home().resolve(".config/jpod/registries.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, """
                unqualified-search-registries = ["%1$s", "%2$s"]

                [[registry]]
                prefix = "mirrored.example/team"
                location = "%1$s/team"
                [[registry.mirror]]
                location = "%2$s/mirrored"

                [[registry]]
                location = "blocked.example"
                blocked = true

                [aliases]
                "shorty" = "%2$s/names/aliased"
                """.formatted(dead, registry.hostPort()));
        for (Path p = conf; !p.equals(env.home()); p = p.getParent()) {
            env.user().chown(p);
        }
    }


    private static Result jpod(String... args) {
        return env.run(PULL, args);
    }

    @Test
    void searchRegistriesAreTriedInOrderAndTheOneThatServedIsNamed() {
        BuiltImage img = TestImage.busybox().file("f", "searched\n", 0644).build();
        registry.push(img, "names/searched", "1");
        Result r = jpod("pull", "names/searched:1");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(img.imageId().substring(7), r.stdout().strip(), r::toString);
        assertTrue(r.stderr().contains("Resolved \"names/searched:1\" to " + registry.hostPort() + "/names/searched:1"), r::toString);
        Result run = jpod("run", "--rm", "names/searched:1", "cat", "/f");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("searched\n", run.stdout(), run::toString);
    }

    @Test
    void aliasesNameTheImage() {
        BuiltImage img = TestImage.busybox().file("f", "aliased\n", 0644).build();
        registry.push(img, "names/aliased", "2");
        Result r = jpod("pull", "shorty:2");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(img.imageId().substring(7), r.stdout().strip(), r::toString);
        Result images = jpod("images");
        assertTrue(images.stdout().contains(registry.hostPort() + "/names/aliased"), images::toString);
    }

    @Test
    void aMirrorServesBeforeTheLocationAndTheNameStays() {
        BuiltImage img = TestImage.busybox().file("f", "mirrored\n", 0644).build();
        registry.push(img, "mirrored/app", "1");
        Result r = jpod("pull", "mirrored.example/team/app:1");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(img.imageId().substring(7), r.stdout().strip(), r::toString);
        assertTrue(r.stderr().contains("mirror " + registry.hostPort()), r::toString);
        Result images = jpod("images");
        assertTrue(images.stdout().contains("mirrored.example/team/app"), images::toString);
    }

    @Test
    void blockedRegistriesAreRefused() {
        Result r = jpod("pull", "blocked.example/x:1");
        assertEquals(125, r.exitCode(), r::toString);
        String last = r.stderr().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("Error: ") && last.contains("blocked"), r::toString);
    }
}
