package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/** --userns=keep-id: the caller's uid and gid appear as themselves inside, and what they write is theirs on the host. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KeepIdTest {
    private static final Duration NORMAL = Duration.ofSeconds(60);

    private static TestUser user; // set by FX
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/keepid");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    @RegistryAndJpod.Image
    private static String image;
    private static Path scratch;

    @BeforeAll
    static void setUp() throws IOException {
        scratch = FX.scratchDir("jpod-keepid-");
    }

    @Test
    void callerIdsAppearAsThemselves() throws IOException {
        Path dir = Files.createDirectory(scratch.resolve("data"));
        user.chown(dir);
        Result r = env.run(NORMAL, "run", "--rm", "--userns=keep-id", "-v", dir + ":/data", image,
                "sh", "-c", "id -u; id -g; touch /data/mine; grep ^CapEff /proc/self/status");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(java.util.List.of(Long.toString(user.uid()), Long.toString(user.gid()), "CapEff:\t0000000000000000"),
                r.stdout().lines().toList(), r::toString);
        assertEquals(user.uid(), Files.getAttribute(dir.resolve("mine"), "unix:uid", LinkOption.NOFOLLOW_LINKS), r::toString);
        assertEquals(user.gid(), Files.getAttribute(dir.resolve("mine"), "unix:gid", LinkOption.NOFOLLOW_LINKS), r::toString);
    }

    @Test
    void callerHasANameInside() {
        Result r = env.run(NORMAL, "run", "--rm", "--userns=keep-id", image, "sh", "-c", "whoami; id -gn");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(java.util.List.of(user.name(), user.name()), r.stdout().lines().toList(), r::toString);
    }

    @Test
    void rootInsideKeepIdIsASubordinateId() {
        Result r = env.run(NORMAL, "run", "--rm", "--userns=keep-id", "-u", "0", image, "cat", "/proc/self/uid_map");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(java.util.List.of("0 1 " + user.uid(), user.uid() + " 0 1"),
                r.normalisedLines().subList(0, 2), r::toString);
    }

    /** podman's "user namespace preserved root ownership": the image's root files are root's inside, whatever --user. */
    @Test
    void imageFilesKeepTheirOwnersUnderKeepId() throws IOException {
        for (String u : java.util.List.of("--user=0", "--user=100")) {
            Result r = env.run(NORMAL, "run", "--rm", "--userns=keep-id", u, image, "stat", "-c", "%u:%g:%n", "/etc", "/bin");
            assertEquals(0, r.exitCode(), r::toString);
            assertEquals(java.util.List.of("0:0:/etc", "0:0:/bin"), r.stdout().lines().toList(), r::toString);
        }
        // what the container's root writes is stored with the image's numbering: a plain container sees it as root's
        env.ok("run", "--name", "keepid-writer", "--userns=keep-id", "--user=0", image, "touch", "/by-root");
        env.ok("commit", "keepid-writer", "keepid-written");
        Result plain = env.run(NORMAL, "run", "--rm", "keepid-written", "stat", "-c", "%u:%g", "/by-root");
        assertEquals("0:0\n", plain.stdout(), plain::toString);
        // the caller's own ids are still theirs
        Result own = env.run(NORMAL, "run", "--rm", "--userns=keep-id", image, "sh", "-c", "touch /tmp/mine; stat -c %u /tmp/mine");
        assertEquals(user.uid() + "\n", own.stdout(), own::toString);
        env.ok("rm", "keepid-writer");
        env.ok("rmi", "keepid-written");
    }

    @Test
    void unknownUsernsModeIsAnEngineError() {
        Result r = env.run(NORMAL, "run", "--rm", "--userns=bogus", image, "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("--userns"), r::toString);
    }
}
