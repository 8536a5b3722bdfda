package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/** -v, --mount, --tmpfs, --read-only and named volumes, seen from inside the container and from the host. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MountsAndVolumesTest {
    private static final Duration FIRST = Duration.ofSeconds(120);
    private static final Duration NORMAL = Duration.ofSeconds(60);

    private static TestUser user; // set by FX
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/mounts");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    @RegistryAndJpod.Image
    private static String image;
    private static Path scratch;

    @BeforeAll
    static void setUp() throws IOException {
        scratch = FX.scratchDir("jpod-mounts-");
    }

    private static Result run(List<String> options, String... command) {
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(options);
        args.add(image);
        args.addAll(List.of(command));
        return env.run(NORMAL, args.toArray(String[]::new));
    }

    private static Path hostDir(String name) throws IOException {
        Path d = Files.createDirectory(scratch.resolve(name));
        user.chown(d);
        return d;
    }

    @Test
    void volumesFromMountsAnotherContainersVolumesAndBindsWithItsModeOrTheSuffixs() throws IOException {
        Path dir = hostDir("from-bind");
        Files.writeString(dir.resolve("hello"), "from the host\n");
        java.nio.file.Files.setPosixFilePermissions(dir.resolve("hello"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        env.ok("create", "--name", "vfsrc", "-v", "vfnamed:/named", "-v", dir + ":/bind:ro", "-v", "/anon", image, "true");
        Result seeded = run(List.of("-v", "vfnamed:/named"), "sh", "-c", "echo named > /named/f");
        assertEquals(0, seeded.exitCode(), seeded::toString);
        Result seen = run(List.of("--volumes-from", "vfsrc"), "sh", "-c",
                "cat /named/f /bind/hello && test -d /anon && echo anon > /anon/a && ! touch /bind/x 2>/dev/null && echo bind-ro");
        assertEquals("named\nfrom the host\nbind-ro\n", seen.stdout(), seen::toString);
        // the anonymous volume is the source's own, by name: what one container wrote there another sees
        assertEquals("anon\n", run(List.of("--volumes-from=vfsrc"), "cat", "/anon/a").stdout());
        // :ro makes every mount read-only; a destination the container mounts itself keeps its own mount
        Result ro = run(List.of("--volumes-from", "vfsrc:ro"), "sh", "-c", "touch /named/g 2>/dev/null || echo named-ro");
        assertEquals("named-ro\n", ro.stdout(), ro::toString);
        Path other = hostDir("from-own");
        Result own = run(List.of("--volumes-from", "vfsrc", "-v", other + ":/named"), "sh", "-c", "ls -A /named | wc -l");
        assertEquals("0\n", own.stdout().strip() + "\n", own::toString);
        Result unknown = run(List.of("--volumes-from", "no-such-vfsrc"), "true");
        assertEquals(125, unknown.exitCode(), unknown::toString);
        assertEquals("Error: no container with name or ID \"no-such-vfsrc\" found: no such container\n", unknown.stderr());
        Result badMode = run(List.of("--volumes-from", "vfsrc:rx"), "true");
        assertEquals(125, badMode.exitCode(), badMode::toString);
        assertEquals("Error: invalid options \"rx\", can only specify 'ro', 'rw', and 'z'\n", badMode.stderr());
        env.ok("rm", "vfsrc");
    }

    @Test
    void bindMountedFilesAreOwnedByTheMappedIdsOnTheHost() throws IOException {
        TestUser.Range subuid = user.requireSubuid();
        Path dir = hostDir("owned");
        Result r = run(List.of("-v", dir + ":/data"), "sh", "-c", "touch /data/by-root && touch /data/by-1000 && chown 1000:1000 /data/by-1000");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(user.uid(), Files.getAttribute(dir.resolve("by-root"), "unix:uid", LinkOption.NOFOLLOW_LINKS), r::toString);
        assertEquals((int) (subuid.start() + 999), Files.getAttribute(dir.resolve("by-1000"), "unix:uid", LinkOption.NOFOLLOW_LINKS), r::toString);
    }

    @Test
    void readOnlyBindMountRefusesWrites() throws IOException {
        Path dir = hostDir("ro");
        Files.writeString(dir.resolve("hello"), "from the host\n");
        dir.resolve("hello").toFile().setReadable(true, false);
        Result r = run(List.of("-v", dir + ":/data:ro"), "sh", "-c", "cat /data/hello; touch /data/new");
        assertNotEquals(0, r.exitCode(), r::toString);
        assertEquals("from the host\n", r.stdout(), r::toString);
        assertTrue(r.stderr().contains("Read-only file system"), r::toString);
        assertFalse(Files.exists(dir.resolve("new")), r::toString);

        Result m = run(List.of("--mount", "type=bind,source=" + dir + ",target=/m,readonly"), "touch", "/m/new");
        assertNotEquals(0, m.exitCode(), m::toString);
        assertTrue(m.stderr().contains("Read-only file system"), m::toString);
    }

    @Test
    void missingBindSourceIsAClearError() {
        Result r = run(List.of("-v", scratch.resolve("does-not-exist") + ":/data"), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("does-not-exist") && r.stderr().contains("does not exist"), r::toString);
    }

    @Test
    void readOnlyRootfsKeepsTmpWritable() {
        Result r = run(List.of("--read-only"), "sh", "-c", "touch /tmp/ok /var/tmp/ok /run/ok && echo tmp-writable; touch /etc/nope");
        assertNotEquals(0, r.exitCode(), r::toString);
        assertEquals("tmp-writable\n", r.stdout(), r::toString);
        assertTrue(r.stderr().contains("Read-only file system"), r::toString);
    }

    @Test
    void tmpfsIsWritableAndFresh() {
        Result r = run(List.of("--tmpfs", "/scratch:size=1m", "--mount", "type=tmpfs,target=/other"), "sh", "-c",
                "echo a > /scratch/f && echo b > /other/f && cat /scratch/f /other/f && grep -E ' /(scratch|other) ' /proc/mounts | cut -d' ' -f3");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("a\nb\ntmpfs\ntmpfs\n", r.stdout(), r::toString);
    }

    @Test
    void namedVolumeSurvivesTheContainerAndIsManaged() {
        Result w = run(List.of("-v", "keep:/data"), "sh", "-c", "echo persisted > /data/f");
        assertEquals(0, w.exitCode(), w::toString);
        Result r = run(List.of("--mount", "type=volume,source=keep,target=/again"), "cat", "/again/f");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("persisted\n", r.stdout(), r::toString);

        Result ls = env.run(NORMAL, "volume", "ls", "-q");
        assertEquals(0, ls.exitCode(), ls::toString);
        assertTrue(ls.stdout().lines().anyMatch("keep"::equals), ls::toString);
        Result inspect = env.run(NORMAL, "volume", "inspect", "keep");
        assertEquals(0, inspect.exitCode(), inspect::toString);
        assertTrue(inspect.stdout().contains(env.storageRoot().resolve("volumes/keep/_data").toString()), inspect::toString);

        Result rm = env.run(NORMAL, "volume", "rm", "keep");
        assertEquals(0, rm.exitCode(), rm::toString);
        assertFalse(Files.exists(env.storageRoot().resolve("volumes/keep"), LinkOption.NOFOLLOW_LINKS));
        Result gone = env.run(NORMAL, "volume", "inspect", "keep");
        assertEquals(125, gone.exitCode(), gone::toString);
    }

    /** podman's volume rm statuses (1: no such volume, 2: in use), --force, prune's prompt and --filter, duplicate -v. */
    @Test
    void volumeRmPruneAndDuplicatesAsPodman() throws IOException {
        Result bogus = env.run(NORMAL, "volume", "rm", "bogus");
        assertEquals(1, bogus.exitCode(), bogus::toString);
        assertEquals("Error: no volume with name \"bogus\" found: no such volume\n", bogus.stderr());
        assertEquals("", env.ok("volume", "rm", "--force", "bogus").stdout());
        Result mount = env.run(NORMAL, "volume", "mount", "bogus");
        assertEquals(125, mount.exitCode(), mount::toString);
        assertTrue(mount.stderr().startsWith("Error: cannot run command \"jpod volume mount\" in rootless mode, must execute `jpod unshare` first"),
                mount::toString);

        env.ok("run", "-d", "--name", "vol-running", "-v", "forced:/f", image, "sleep", "600");
        assertEquals(2, env.run(NORMAL, "volume", "rm", "forced").exitCode());
        assertEquals("forced\n", env.ok("volume", "rm", "-t", "0", "forced", "--force").stdout());
        assertNotEquals(0, env.run(NORMAL, "inspect", "vol-running").exitCode(), "--force removes the container using it");

        env.ok("volume", "create", "prune-plain");
        env.ok("volume", "create", "--label", "mylabel", "prune-labelled");
        Path no = Files.writeString(hostDir("answer-dir").resolve("no"), "N\n");
        Result asked = env.runWithInput(no, java.util.Map.of(), NORMAL, "volume", "prune", "--filter", "label=mylabel");
        assertEquals(0, asked.exitCode(), asked::toString);
        List<String> lines = asked.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("WARNING! "), asked::toString);
        assertEquals("prune-labelled", lines.get(1), asked::toString);
        assertTrue(lines.get(2).startsWith("Are you sure"), asked::toString);
        assertEquals("prune-labelled\n", env.ok("volume", "prune", "--force", "--filter", "label=mylabel").stdout());
        env.ok("volume", "rm", "prune-plain");

        Result bogusDevice = env.run(NORMAL, "volume", "create", "-o", "type=bind", "-o", "device=/bogus", "bogus-bind");
        assertEquals(125, bogusDevice.exitCode(), bogusDevice::toString);
        assertEquals("Error: invalid volume option device for driver 'local': stat /bogus: no such file or directory\n", bogusDevice.stderr());
        Path device = hostDir("bind-device");
        Files.writeString(device.resolve("myfile"), "x");
        assertEquals("opt-bind\n", env.ok("volume", "create", "-o", "type=bind", "-o", "device=" + device, "opt-bind").stdout());
        assertEquals("/vol/myfile\n", env.ok("run", "--rm", "-v", "opt-bind:/vol:z", image, "ls", "/vol/myfile").stdout());
        env.ok("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "opt-tmpfs");
        assertEquals("tmpfs\n", env.ok("run", "--rm", "-v", "opt-tmpfs:/vol", image, "stat", "-f", "-c", "%T", "/vol").stdout());
        env.ok("volume", "rm", "opt-bind", "opt-tmpfs");
        assertTrue(Files.exists(device.resolve("myfile")), "removing a bind volume keeps its directory");

        Path dir = hostDir("dup-src");
        env.ok("run", "--rm", "-v", dir + ":/d", "-v", dir + ":/d", "--tmpfs", "/t", "--tmpfs", "/t", image, "true");
        Result clash = env.run(NORMAL, "run", "--rm", "--tmpfs", "/t", "--tmpfs", "/t:ro", image, "true");
        assertEquals(125, clash.exitCode(), clash::toString);
        assertEquals("Error: /t: duplicate mount destination\n", clash.stderr());
    }

    @Test
    void volumeExportAndImport() throws IOException {
        env.ok("volume", "create", "exp-src");
        env.ok("run", "--rm", "-v", "exp-src:/data", image, "sh", "-c", "echo hello > /data/test; mkdir /data/sub; ln -s /etc/passwd /data/sub/link");
        Path out = hostDir("export-out").resolve("vol.tar");
        env.ok("volume", "export", "exp-src", "--output=" + out);
        env.ok("volume", "create", "exp-dst");
        Result imported = env.runWithInput(out, java.util.Map.of(), NORMAL, "volume", "import", "exp-dst", "-");
        assertEquals(0, imported.exitCode(), imported::toString);
        assertEquals("hello\n", env.ok("run", "--rm", "-v", "exp-dst:/data", image, "cat", "/data/test").stdout());
        assertEquals("/etc/passwd\n", env.ok("run", "--rm", "-v", "exp-dst:/data", image, "readlink", "/data/sub/link").stdout());
        Result notTar = env.runWithInput(Path.of("/etc/hostname"), java.util.Map.of(), NORMAL, "volume", "import", "exp-dst", "-");
        assertEquals(125, notTar.exitCode(), notTar::toString);
        env.ok("volume", "rm", "exp-src", "exp-dst");
    }

    @Test
    void newVolumeIsFilledFromTheImage() {
        env.ok("volume", "create", "etc-copy");
        com.fasterxml.jackson.databind.JsonNode fresh = env.ok("volume", "ls", "--format", "json", "--filter", "name=^etc-copy$").json().get(0);
        assertTrue(fresh.get("NeedsCopyUp").asBoolean() && fresh.get("NeedsChown").asBoolean(), fresh::toString);
        env.ok("run", "--rm", "-v", "etc-copy:/nothing-here", image, "true");
        assertEquals("true false\n", env.ok("volume", "inspect", "--format", "{{.NeedsCopyUp}} {{.NeedsChown}}", "etc-copy").stdout(),
                "an empty directory copies nothing up; the first use is recorded");
        Result r = run(List.of("-v", "etc-copy:/etc"), "cat", "/etc/passwd");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("root:"), r::toString);
        assertTrue(Files.exists(env.storageRoot().resolve("volumes/etc-copy/_data/passwd")), "copy-up did not fill the volume");
        assertEquals("false\n", env.ok("volume", "inspect", "--format", "{{.NeedsCopyUp}}", "etc-copy").stdout());
    }

    @Test
    void volumeInUseIsKeptUntilItsContainerIsRemoved() {
        Result c = env.run(NORMAL, "volume", "create", "busy");
        assertEquals(0, c.exitCode(), c::toString);
        Result clash = env.run(NORMAL, "volume", "create", "busy");
        assertEquals(125, clash.exitCode(), clash::toString);
        Result run = env.run(NORMAL, "run", "--name", "vol-user", "-v", "busy:/b", image, "true");
        assertEquals(0, run.exitCode(), run::toString);
        Result rm = env.run(NORMAL, "volume", "rm", "busy");
        assertEquals(2, rm.exitCode(), rm::toString); // podman's status and sentence for a volume in use
        String user = env.ok("inspect", "--format", "{{.Id}}", "vol-user").stdout().strip();
        assertEquals("Error: volume busy is being used by the following container(s): " + user + ": volume is being used\n", rm.stderr());
        Result prune = env.run(NORMAL, "volume", "prune", "-f");
        assertEquals(0, prune.exitCode(), prune::toString);
        assertFalse(prune.stdout().lines().anyMatch("busy"::equals), prune::toString);
        assertEquals(0, env.run(NORMAL, "rm", "vol-user").exitCode());
        Result prune2 = env.run(NORMAL, "volume", "prune", "-f");
        assertEquals(0, prune2.exitCode(), prune2::toString);
        assertTrue(prune2.stdout().lines().anyMatch("busy"::equals), prune2::toString);
    }

    @Test
    void envFileFeedsTheEnvironmentAndDashEOverridesIt() throws IOException {
        Path file = scratch.resolve("vars.env");
        Files.writeString(file, "# comment\nA=from-file\n\nB=two words\n");
        file.toFile().setReadable(true, false);
        Result r = run(List.of("--env-file", file.toString(), "-e", "A=from-e"), "sh", "-c", "echo \"$A|$B\"");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("from-e|two words\n", r.stdout(), r::toString);
        Result missing = run(List.of("--env-file", scratch.resolve("nope.env").toString()), "true");
        assertEquals(125, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().contains("nope.env"), missing::toString);
    }

    @Test
    void anonymousVolumeGoesWithRm() {
        Result before = env.run(NORMAL, "volume", "ls", "-q");
        Result r = run(List.of("-v", "/anon"), "sh", "-c", "echo x > /anon/f");
        assertEquals(0, r.exitCode(), r::toString);
        Result after = env.run(NORMAL, "volume", "ls", "-q");
        assertEquals(before.stdout().lines().filter(l -> l.matches("[0-9a-f]{64}")).count(),
                after.stdout().lines().filter(l -> l.matches("[0-9a-f]{64}")).count(), after::toString);
    }

    @Test
    void anonymousVolumeStaysWithoutRmAndGoesWithRmV() {
        long before = anonymousVolumes();
        Result r = env.run(NORMAL, "run", "--name", "keeps-anon", "-v", "/anon", image, "sh", "-c", "echo x > /anon/f");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(before + 1, anonymousVolumes(), "a container that still exists keeps its anonymous volume");
        Result rm = env.run(NORMAL, "rm", "-v", "keeps-anon");
        assertEquals(0, rm.exitCode(), rm::toString);
        assertEquals(before, anonymousVolumes(), "rm -v removes it");
    }

    private static long anonymousVolumes() {
        Result ls = env.run(NORMAL, "volume", "ls", "-q");
        assertEquals(0, ls.exitCode(), ls::toString);
        return ls.stdout().lines().filter(l -> l.matches("[0-9a-f]{64}")).count();
    }
}
