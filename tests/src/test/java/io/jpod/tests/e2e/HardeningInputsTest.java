package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LayerBuilder;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #16 items 5 and 7, and the flags podman's own system tests use in every setup (#15): each input of the
 * issue, reproduced as the unprivileged user. Bad input: exit 125 and one line naming what was wrong.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class HardeningInputsTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/hardening");
    private static JpodEnv env; // set by FX

    /** Exit 125 and exactly one "Error: …" line containing every one of {@code expected}. */
    private static void oneErrorLine(Result r, String... expected) {
        assertEquals(125, r.exitCode(), r::toString);
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("Error: "), r::toString);
        for (String e : expected) {
            assertTrue(lines.get(0).contains(e), () -> "expected \"" + e + "\" in " + r);
        }
    }

    private static Result jpod(String... args) {
        return env.run(JpodEnv.NORMAL, args);
    }

    /** A file the test user can read (or, with {@code mode}, own) in a scratch directory. */
    private static Path userFile(String name, byte[] content, String mode) throws IOException {
        Path f = FX.scratchDir("hardening").resolve(name);
        Files.write(f, content);
        env.user().chown(f);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    // ---- item 5: hardlinks into lower layers

    @Test
    void hardlinkToAFileOfALowerLayerIsPulledAndRuns() {
        String image = FX.pushAndPull(TestImage.busybox()
                .layer(new LayerBuilder().dir("data", 0755).file("data/base.txt", "written by layer one"))
                .layer(new LayerBuilder().dir("data", 0755).hardlink("data/linked.txt", "data/base.txt"))
                .build(), "jpod/lowerlink");
        Result r = env.ok("run", "--rm", "--network", "none", image, "sh", "-c",
                "cat /data/linked.txt; echo; cat /data/base.txt; echo; stat -c %h /data/linked.txt /data/base.txt");
        assertEquals(List.of("written by layer one", "written by layer one", "1", "1"), r.stdout().lines().toList(), r::toString);
        env.ok("rmi", image);
    }

    // ---- item 7: messages and codes

    @Test
    void negativeUidInTheImagesPasswdIsOneLine() {
        String image = FX.pushAndPull(TestImage.busybox()
                .layer(new LayerBuilder().file("etc/passwd", TestImage.PASSWD + "bad:x:-1:-1:bad:/:/bin/sh\n"))
                .build(), "jpod/negativeuid");
        oneErrorLine(jpod("run", "--rm", "--user", "bad", image, "true"), "uid of user bad", "-1", "not a valid id");
        env.ok("rmi", image);
    }

    @Test
    void unknownPlatformOfALocalImageIsRefused() {
        oneErrorLine(jpod("run", "--rm", "--platform", "bogus/x", FX.image(), "true"), "invalid platform \"bogus/x\"",
                "unknown operating system");
        oneErrorLine(jpod("run", "--rm", "--platform", "linux/x", FX.image(), "true"), "unknown architecture");
    }

    @Test
    void rmiOfAnInvalidIdIsAnInvalidReference() {
        oneErrorLine(jpod("rmi", "sha256:zzzz"), "sha256:zzzz", "invalid reference format");
        Result missing = jpod("rmi", "sha256:" + "0".repeat(64));
        assertEquals(1, missing.exitCode(), missing::toString); // a valid id that is not there stays podman's 1
    }

    @Test
    void nonUtf8EnvFileAndConfigFilesNameTheFile() throws IOException {
        byte[] latin1 = "GREETING=gr\u00fc\u00dfe\n".getBytes(StandardCharsets.ISO_8859_1);
        Path envFile = userFile("latin1.env", latin1, "rw-r--r--");
        Result r = jpod("run", "--rm", "--env-file", envFile.toString(), FX.image(), "true");
        oneErrorLine(r, envFile.toString(), "is not UTF-8 text", "offset 11");
        assertFalse(r.stderr().contains("Input length"), r::toString);

        Path conf = userFile("containers.conf", "[containers]\n# gr\u00fc\u00dfe\npids_limit = 100\n".getBytes(StandardCharsets.ISO_8859_1), "rw-r--r--");
        oneErrorLine(env.runWith(Map.of("CONTAINERS_CONF", Optional.of(conf.toString())), JpodEnv.NORMAL,
                "run", "--rm", FX.image(), "true"), conf.toString(), "is not UTF-8 text");

        Path registries = userFile("registries.conf", "unqualified-search-registries = [\"gr\u00fc\u00dfe\"]\n"
                .getBytes(StandardCharsets.ISO_8859_1), "rw-r--r--");
        oneErrorLine(env.runWith(Map.of("CONTAINERS_REGISTRIES_CONF", Optional.of(registries.toString())), JpodEnv.NORMAL,
                "pull", "somename"), registries.toString(), "is not UTF-8 text");
    }

    @Test
    void unreadableConfigFileFailsAsInPodman() throws IOException {
        Path conf = userFile("containers.conf", "[containers]\npids_limit = 100\n".getBytes(StandardCharsets.UTF_8), "---------");
        oneErrorLine(env.runWith(Map.of("CONTAINERS_CONF", Optional.of(conf.toString())), JpodEnv.NORMAL,
                "run", "--rm", FX.image(), "true"), conf.toString(), "permission denied");
    }

    @Test
    void resourceValuesAreCheckedBeforeTheCgroupIs() {
        Result memory = jpod("run", "--rm", "--memory", "abc", FX.image(), "true");
        oneErrorLine(memory, "--memory abc is not a size");
        Result cpus = jpod("run", "--rm", "--cpus", "-1", FX.image(), "true");
        oneErrorLine(cpus, "--cpus -1 is out of range");
        assertFalse(memory.stderr().contains("delegated") || cpus.stderr().contains("delegated"), memory + "\n" + cpus);
    }

    @Test
    void imagesSaysWhenARecordIsDamaged() throws IOException {
        String image = FX.pushAndPull(TestImage.busybox().layer(new LayerBuilder().file("damaged", "x")).build(), "jpod/damaged");
        String id = env.ok("image", "inspect", "--format", "{{.Id}}", image).stdout().strip().replace("sha256:", "");
        Files.writeString(env.storageRoot().resolve("images").resolve(id).resolve("image.json"), "{ not json");
        Result listed = env.ok("images");
        assertFalse(listed.stdout().contains("jpod/damaged"), listed::toString);
        List<String> warnings = listed.stderr().lines().toList();
        assertEquals(1, warnings.size(), listed::toString);
        assertTrue(warnings.get(0).contains(id.substring(0, 12)) && warnings.get(0).contains("system check --repair"), listed::toString);
        env.ok("system", "check", "--repair");
        Result after = env.ok("images");
        assertEquals("", after.stderr(), after::toString);
    }

    // ---- #15: the flags of podman's system-test setup, and repeated options

    @Test
    void rmTimeWaitsForTheStopThenKills() {
        env.ok("run", "-d", "--name", "rmtime", FX.image(), "sleep", "300"); // PID 1 without a handler ignores SIGTERM
        oneErrorLine(jpod("rm", "-t", "2", "rmtime"), "--force option must be specified to use the --time option");
        long start = System.nanoTime();
        env.ok("rm", "-f", "-t", "2", "rmtime");
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited >= 2000, "rm -t 2 waited " + waited + " ms for the stop before killing");
        env.ok("run", "-d", "--name", "rmtime0", FX.image(), "sleep", "300");
        env.ok("rm", "-t", "0", "--all", "--force", "--ignore"); // podman's system-test setup line
        assertEquals("", env.ok("ps", "-a", "-q").stdout().strip());
    }

    @Test
    void psExternalListsWhatPsLists() {
        env.ok("create", "--name", "external", FX.image(), "true");
        Result ext = env.ok("ps", "--all", "--external");
        assertEquals(env.ok("ps", "--all").stdout().lines().map(String::strip).toList().size(), ext.stdout().lines().toList().size());
        assertTrue(ext.stdout().contains("external"), ext::toString);
        env.ok("rm", "external");
    }

    @Test
    void aRepeatedOptionTakesTheLastValue() {
        env.ok("create", "--name", "first-name", "--name", "last-name", FX.image(), "true");
        Result names = env.ok("ps", "-a", "--format", "{{.ID}}", "--format", "{{.Names}}");
        assertEquals(List.of("last-name"), names.stdout().lines().toList(), names::toString);
        env.ok("rm", "last-name");
    }
}
