package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * --userns=nomap and --userns=auto: maps that leave out the caller's own id (container root is a subordinate id),
 * entered by the container's init after its mounts; exec joins them; auto ranges of two containers do not overlap.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UsernsModesTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/usernsmodes");
    private static JpodEnv env; // set by FX
    private static TestUser user; // set by FX
    @RegistryAndJpod.Image
    private static String image;
    private static Path scratch;

    @BeforeAll
    static void setUp() throws IOException {
        scratch = FX.scratchDir("jpod-usernsmodes-");
    }

    /** The uid_map lines of a running container's process, as "INSIDE OUTSIDE COUNT". */
    private static List<String> uidMap(String container) {
        Result r = env.run(NORMAL, "exec", container, "cat", "/proc/self/uid_map");
        assertEquals(0, r.exitCode(), r::toString);
        return r.stdout().lines().map(l -> l.strip().replaceAll("\\s+", " ")).toList();
    }

    @Test
    void nomapRunsRootAsTheFirstSubordinateIdWithoutTheCaller() throws IOException {
        Path dir = Files.createDirectory(scratch.resolve("nomap-data"));
        user.chown(dir);
        Result run = env.run(NORMAL, "run", "-d", "--userns=nomap", "-v", dir + ":/data", image, "sleep", "100");
        assertEquals(0, run.exitCode(), run::toString); // /data's mount point is made before the nested namespace
        String cid = run.stdout().strip();
        try {
            Result top = env.run(NORMAL, "top", cid, "huser");
            assertEquals(0, top.exitCode(), top::toString);
            assertEquals(List.of("HUSER", Long.toString(user.requireSubuid().start())), top.normalisedLines(), top::toString);
            List<String> map = uidMap(cid); // exec enters the nested namespace after the others
            assertEquals(1, map.size(), map::toString);
            assertTrue(map.get(0).startsWith("0 1 "), map::toString);
            Result id = env.run(NORMAL, "exec", cid, "id", "-u");
            assertEquals("0", id.stdout().strip(), id::toString);
        } finally {
            env.run(NORMAL, "rm", "-t", "0", "-f", cid);
        }
    }

    @Test
    void autoGivesEachContainerItsOwnRangeWithoutTheCaller() {
        String a = env.ok("run", "-d", "--userns=auto:size=1000", image, "sleep", "100").stdout().strip();
        String b = env.ok("run", "-d", "--userns=auto:size=1000", image, "sleep", "100").stdout().strip();
        try {
            List<String> ma = uidMap(a), mb = uidMap(b);
            assertEquals(1, ma.size(), ma::toString);
            assertEquals(1, mb.size(), mb::toString);
            long[] ra = parse(ma.get(0)), rb = parse(mb.get(0));
            assertEquals(0, ra[0]);
            assertEquals(1000, ra[2]);
            assertEquals(1000, rb[2]);
            assertTrue(ra[1] >= 1 && rb[1] >= 1, ma + " " + mb);
            assertTrue(ra[1] + 1000 <= rb[1] || rb[1] + 1000 <= ra[1], "ranges overlap: " + ma + " " + mb);
        } finally {
            env.run(NORMAL, "rm", "-t", "0", "-f", a, b);
        }
        // podman's check: no line of either map leads to the caller's id
        Result r = env.run(NORMAL, "run", "--rm", "--userns=auto", image, "awk", "{if($2 == \"0\"){exit 1}}",
                "/proc/self/uid_map", "/proc/self/gid_map");
        assertEquals(0, r.exitCode(), r::toString);
    }

    @Test
    void autoTakesExplicitMappings() {
        Result r = env.run(NORMAL, "run", "--rm", "--userns=auto:size=100,uidmapping=0:5000:1", image, "cat", "/proc/self/uid_map");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.normalisedLines().stream().map(l -> l.strip().replaceAll("\\s+", " ")).toList();
        assertEquals(2, lines.size(), r::toString);
        assertEquals("0 5000 1", lines.get(0), r::toString);
        long[] rest = parse(lines.get(1));
        assertEquals(1, rest[0], r::toString);
        assertEquals(99, rest[2], r::toString);
        assertFalse(rest[1] == 0, r::toString);
    }

    @Test
    void containersConfUsernsAutoIsTheDefault() throws IOException {
        Path conf = scratch.resolve("userns_auto.conf");
        Files.writeString(conf, "[containers]\nuserns=\"auto\"\n");
        conf.toFile().setReadable(true, false);
        java.util.Map<String, java.util.Optional<String>> withConf = java.util.Map.of("CONTAINERS_CONF", java.util.Optional.of(conf.toString()));
        Result run = env.runWith(withConf, NORMAL, "run", "-d", image, "sleep", "100");
        assertEquals(0, run.exitCode(), run::toString);
        String cid = run.stdout().strip();
        String plain = env.ok("run", "-d", image, "sleep", "100").stdout().strip();
        try {
            assertEquals("private", env.ok("inspect", "--format", "{{.HostConfig.UsernsMode}}", cid).stdout().strip());
            assertEquals("", env.ok("inspect", "--format", "{{.HostConfig.UsernsMode}}", plain).stdout().strip());
            List<String> map = uidMap(cid);
            assertFalse(map.stream().anyMatch(l -> l.split(" ")[1].equals("0")), map::toString);
        } finally {
            env.run(NORMAL, "rm", "-t", "0", "-f", cid, plain);
        }
    }

    @Test
    void unknownAutoOptionIsAnEngineError() {
        Result r = env.run(NORMAL, "run", "--rm", "--userns=auto:bogus=1", image, "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("\"bogus\""), r::toString);
    }

    private static long[] parse(String line) {
        String[] f = line.split(" ");
        return new long[]{Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }
}
