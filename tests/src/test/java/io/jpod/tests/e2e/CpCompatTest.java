package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `jpod cp` as podman's system tests (065-cp) use it: paths relative to the working directory, --archive owners,
 * tars on stdin and stdout, container to container, --overwrite, a stopped container's volumes and tmpfs copy-up,
 * and podman's messages.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CpCompatTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/cpcompat");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;
    private static Path scratch;

    @BeforeAll
    static void setUp() throws IOException {
        scratch = FX.scratchDir("jpod-cpcompat-");
    }

    private static Path hostFile(String name, String content) throws IOException {
        Path p = scratch.resolve(name);
        Files.writeString(p, content);
        env.user().chown(p);
        return p;
    }

    private static Result fails(String... args) {
        Result r = env.run(JpodEnv.NORMAL, args);
        assertEquals(125, r.exitCode(), r::toString);
        return r;
    }

    private static String cat(String container, String path) {
        return env.ok("exec", container, "cat", path).stdout();
    }

    @Test
    void relativePathsAreFromTheWorkdirAndArchiveChownsToTheContainerUser() throws Exception {
        Path file = hostFile("rel.txt", "relative\n");
        env.ok("run", "-d", "--name", "cprel", "--user", "1001", "--workdir", "/tmp", image, "sleep", "600");
        try {
            env.ok("cp", file.toString(), "cprel:.");
            assertEquals("relative\n", cat("cprel", "/tmp/rel.txt"));
            assertEquals("1001\n", env.ok("exec", "cprel", "stat", "-c", "%u", "/tmp/rel.txt").stdout(), "--archive is the default");
            env.ok("cp", file.toString(), "cprel:renamed.txt");
            assertEquals("relative\n", cat("cprel", "/tmp/renamed.txt"));
            Path back = scratch.resolve("back");
            Files.createDirectory(back);
            env.user().chown(back);
            env.ok("cp", "cprel:renamed.txt", back.toString());
            assertEquals("relative\n", Files.readString(back.resolve("renamed.txt")));

            Result missing = fails("cp", file.toString(), "cprel:/IdoNotExist/");
            assertEquals("Error: \"/IdoNotExist/\" could not be found on container cprel: no such file or directory\n", missing.stderr());
            Result dirOntoFile = fails("cp", "cprel:/etc/", back.resolve("renamed.txt").toString());
            assertEquals("Error: destination must be a directory when copying a directory\n", dirOntoFile.stderr());

            // -a=false (pflag's shorthand with a value) keeps the tar's owners
            Path tar = tar("owned", "--owner=1042", "--group=1043", "-cf");
            Result kept = env.runWithInput(tar, java.util.Map.of(), JpodEnv.NORMAL, "cp", "-a=false", "--pause=false", "-", "cprel:/tmp/");
            assertEquals(0, kept.exitCode(), kept::toString);
            assertEquals("1042:1043\n", env.ok("exec", "cprel", "stat", "-c", "%u:%g", "/tmp/owned/a.txt").stdout());
        } finally {
            env.ok("rm", "-f", "-t", "0", "cprel");
        }
    }

    /** A directory {@code name} with a.txt, as a tar made by GNU tar with {@code tarArgs}. */
    private static Path tar(String name, String... tarArgs) throws Exception {
        Path dir = scratch.resolve("tar-" + name);
        Files.createDirectories(dir.resolve(name));
        Files.writeString(dir.resolve(name).resolve("a.txt"), "in the tar\n");
        Path out = scratch.resolve(name + ".tar");
        List<String> cmd = new java.util.ArrayList<>(List.of("tar", "-C", dir.toString()));
        cmd.addAll(List.of(tarArgs));
        cmd.addAll(List.of(out.toString(), name));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tar did not finish");
        assertEquals(0, p.exitValue(), msg);
        Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return out;
    }

    @Test
    void tarOnStdinAndStdout() throws Exception {
        env.ok("run", "-d", "--name", "cpstdio", image, "sleep", "600");
        try {
            Path gz = tar("zipped", "-zcf");
            Result in = env.runWithInput(gz, java.util.Map.of(), JpodEnv.NORMAL, "cp", "-", "cpstdio:/tmp");
            assertEquals(0, in.exitCode(), in::toString);
            assertEquals("in the tar\n", cat("cpstdio", "/tmp/zipped/a.txt"));

            Path notTar = hostFile("plain.txt", "just text, not a tar archive at all\n".repeat(20));
            Result bad = env.runWithInput(notTar, java.util.Map.of(), JpodEnv.NORMAL, "cp", "-", "cpstdio:/tmp");
            assertEquals(125, bad.exitCode(), bad::toString);
            assertEquals("Error: source must be a (compressed) tar archive when copying from stdin\n", bad.stderr());
            Result notDir = env.runWithInput(gz, java.util.Map.of(), JpodEnv.NORMAL, "cp", "-", "cpstdio:/tmp/IdoNotExist");
            assertEquals(125, notDir.exitCode(), notDir::toString);
            assertEquals("Error: destination must be a directory when copying from stdin\n", notDir.stderr());

            Result out = env.ok("cp", "cpstdio:/tmp/zipped/a.txt", "-");
            assertTrue(out.stdout().startsWith("a.txt"), "a tar whose entry is named after the file");
            assertTrue(out.stdout().contains("in the tar\n"), out::toString);
            // only "-" is stdout: a device (here /dev/null; /dev/stdout where it is a pipe) is refused
            Result device = fails("cp", "cpstdio:/tmp/zipped/a.txt", "/dev/null");
            assertEquals("Error: invalid destination: \"/dev/null\" must be a directory or a regular file\n", device.stderr());
        } finally {
            env.ok("rm", "-f", "-t", "0", "cpstdio");
        }
    }

    @Test
    void containerToContainerAndOverwrite() {
        env.ok("run", "-d", "--name", "cpfile", image, "sh", "-c", "echo file > /tmp/foo; sleep 600");
        env.ok("run", "-d", "--name", "cpdir", image, "sh", "-c", "mkdir /tmp/foo; echo dir > /tmp/foo/file.txt; sleep 600");
        try {
            env.ok("exec", "cpfile", "test", "-f", "/tmp/foo"); // the shells ran before the copies
            env.ok("exec", "cpdir", "test", "-f", "/tmp/foo/file.txt");
            Result conflict = fails("cp", "cpfile:/tmp/foo", "cpdir:/tmp");
            assertTrue(conflict.stderr().matches("(?s)Error: .* error creating \"/tmp/foo\": .*: file exists\n"), conflict::toString);
            env.ok("cp", "--overwrite", "cpfile:/tmp/foo", "cpdir:/tmp");
            assertEquals("file\n", cat("cpdir", "/tmp/foo"));
            env.ok("cp", "cpfile:/tmp/foo", "cpdir:/tmp/copied");
            assertEquals("file\n", cat("cpdir", "/tmp/copied"));
        } finally {
            env.ok("rm", "-f", "-t", "0", "cpfile", "cpdir");
        }
    }

    @Test
    void stoppedContainersVolumesAndTmpfsCopyUp() throws Exception {
        Path file = hostFile("vol.txt", "into the volume\n");
        env.ok("volume", "create", "cpouter");
        env.ok("volume", "create", "cpinner");
        Path outer = Path.of(env.ok("volume", "inspect", "cpouter", "--format", "{{.Mountpoint}}").stdout().strip());
        Path inner = Path.of(env.ok("volume", "inspect", "cpinner", "--format", "{{.Mountpoint}}").stdout().strip());
        env.ok("create", "--name", "cpvol", "-v", "cpouter:/tmp/volume", "-v", "cpinner:/tmp/volume/sub", image);
        try {
            env.ok("cp", file.toString(), "cpvol:/tmp/volume/sub");
            assertEquals("into the volume\n", Files.readString(inner.resolve("vol.txt")));
            try (Stream<Path> s = Files.list(outer)) {
                assertEquals(List.of(), s.toList(), "the copy left its mount point in the outer volume");
            }
        } finally {
            env.ok("rm", "-f", "cpvol");
            env.ok("volume", "rm", "cpouter", "cpinner");
        }
        env.ok("create", "--name", "cptmpfs", "--mount", "type=tmpfs,dst=/tmp", image, "sleep", "600");
        try {
            env.ok("cp", file.toString(), "cptmpfs:/tmp");
            env.ok("start", "cptmpfs");
            assertEquals("into the volume\n", cat("cptmpfs", "/tmp/vol.txt"), "the tmpfs copies up the image's /tmp");
            assertTrue(env.ok("exec", "cptmpfs", "grep", " /tmp tmpfs ", "/proc/mounts").stdout().contains("tmpfs"));
        } finally {
            env.ok("rm", "-f", "-t", "0", "cptmpfs");
        }
    }
}
