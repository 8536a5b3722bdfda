package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Image references with podman's transport prefixes (090-events "image events", 030-run "podman run
 * docker-archive"): `push IMAGE dir:|docker-archive:|oci-archive:|oci:PATH` writes the layout `save` writes, and
 * `pull`, `run` and `create` read one back with podman's copy lines; the events name the image by id and the
 * reference as given; transports jpod cannot reach are refused in one line.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ImageTransportsTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX

    private static String imageId(String name) {
        return env.ok("image", "inspect", "--format", "{{.ID}}", name).stdout().strip();
    }

    @Test
    void pushToEachLocalTransportAndPullItBackUnderTheSameId() throws Exception {
        String image = FX.pushAndPull(TestImage.busybox().file("t", "transports\n", 0644).build(), "transports/each");
        String id = imageId(image);
        Path dir = FX.scratchDir("transports-");
        dir.toFile().setWritable(true, false);
        Path pushedDir = dir.resolve("dir");
        Files.createDirectory(pushedDir); // podman's test makes it first: an empty directory is a new one
        pushedDir.toFile().setWritable(true, false);
        List<String> refs = List.of("dir:" + pushedDir, "docker-archive:" + dir.resolve("d.tar"),
                "oci-archive:" + dir.resolve("o.tar"), "oci:" + dir.resolve("layout"));
        for (String ref : refs) {
            env.ok("push", image, ref);
        }
        assertTrue(Files.isRegularFile(pushedDir.resolve("manifest.json")), "dir: is the docker-dir layout");
        assertTrue(Files.isRegularFile(dir.resolve("layout/index.json")), "oci: is an OCI image layout");
        for (String ref : refs) {
            env.ok("rmi", "-f", id);
            Result pull = env.ok("pull", ref);
            assertEquals(id, pull.stdout().strip(), pull::toString);
            assertTrue(pull.stderr().startsWith("Getting image source signatures\n"), pull::toString);
            assertTrue(pull.stderr().contains("Copying config sha256:" + id), pull::toString);
            assertTrue(pull.stderr().contains("Writing manifest to image destination"), pull::toString);
        }
        Result events = env.ok("events", "--stream=false", "--filter", "type=image",
                "--format", "{{.Status}} {{.ID}} {{.Name}}");
        List<String> lines = events.stdout().lines().toList();
        for (String ref : refs) {
            assertTrue(lines.contains("push " + id + " " + ref), "podman's push event: the image id, the destination as given: " + events);
            assertTrue(lines.contains("pull  " + ref), "a pull from a file: no id, the reference as given (podman's): " + events);
        }
    }

    @Test
    void runAndCreateReadADockerArchiveOfACommittedImage() throws Exception {
        String base = FX.pushAndPull(TestImage.busybox().build(), "transports/run");
        String magic = "magic-" + Long.toHexString(System.nanoTime());
        env.ok("run", "--name", "arc-src", "--entrypoint=[\"/bin/echo\",\"" + magic + "\"]", base);
        env.ok("commit", "arc-src", "arc-img");
        Path dir = FX.scratchDir("transports-run-");
        dir.toFile().setWritable(true, false);
        Path archive = dir.resolve("archive.tar");
        Result save = env.ok("save", "--quiet", "arc-img", "-o", archive.toString());
        assertEquals("", save.stdout() + save.stderr(), save::toString);
        env.ok("rmi", "arc-img");
        env.ok("rm", "arc-src");

        Result run = env.ok("run", "--name", "arc-run", "docker-archive:" + archive);
        List<String> out = (run.stderr() + run.stdout()).lines().toList();
        assertEquals("Getting image source signatures", out.get(0), run::toString);
        assertTrue(run.stderr().contains("Copying blob "), run::toString);
        assertTrue(run.stderr().contains("Copying config "), run::toString);
        assertEquals(magic + "\n", run.stdout(), "only the container's output on stdout: " + run);
        env.ok("rm", "arc-run");
        env.ok("rmi", "arc-img"); // loaded back under its name from the archive

        Result create = env.ok("create", "docker-archive:" + archive);
        List<String> created = create.stdout().lines().toList();
        String cid = created.get(created.size() - 1);
        Result start = env.ok("start", "--attach", cid);
        assertEquals(magic, start.stdout().strip(), start::toString);
        env.ok("rm", cid);
        env.ok("rmi", "arc-img");
    }

    @Test
    void transportsJpodCannotReachAndMissingFilesAreRefusedInOneLine() {
        Result daemon = env.run(JpodEnv.NORMAL, "pull", "docker-daemon:busybox:latest");
        assertEquals(125, daemon.exitCode(), daemon::toString);
        assertTrue(daemon.stderr().startsWith("Error: the docker-daemon transport is not supported"), daemon::toString);
        assertEquals(1, daemon.stderr().lines().count(), daemon::toString);

        Result missing = env.run(JpodEnv.NORMAL, "pull", "docker-archive:/nonexistent/x.tar");
        assertEquals(125, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().startsWith("Error: docker-archive:/nonexistent/x.tar: no such file"), missing::toString);
        assertFalse(missing.stderr().contains("Getting image source signatures"), "nothing copied: " + missing);

        // a registry name with a port is no transport: registry:5000/x is still pulled from the registry
        Result port = env.run(JpodEnv.NORMAL, "pull", registry.hostPort() + "/nosuch/repo:1");
        assertFalse(port.stderr().contains("transport"), port::toString);
    }

    /** 090-events "image events": the statuses and names podman records, and its line for an image event. */
    @Test
    void imageEventsNameWhatPodmanNames() throws Exception {
        String image = FX.pushAndPull(TestImage.busybox().file("e", "events\n", 0644).build(), "transports/events");
        String id = imageId(image);
        Path dir = FX.scratchDir("transports-events-");
        dir.toFile().setWritable(true, false);
        String tarball = dir.resolve("ball.tar").toString();
        String tag = "registry.com/eventtag";
        String t0 = java.time.OffsetDateTime.now().minusSeconds(1).format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX"));
        env.ok("push", image, "dir:" + dir.resolve("d"));
        env.ok("save", image, "-o", tarball);
        env.ok("load", "-i", tarball);
        env.ok("pull", "docker-archive:" + tarball);
        env.ok("tag", image, tag);
        env.ok("untag", image, tag);
        env.ok("rmi", "-f", id);
        Result formatted = env.ok("events", "--stream=false", "--filter", "type=image", "--since", t0, "--format", "{{.Status}}--{{.Name}}");
        assertEquals(List.of("push--dir:" + dir.resolve("d"), "save--" + tarball, "loadfromarchive--" + tarball,
                "pull--docker-archive:" + tarball, "tag--" + tag, "untag--" + tag + ":latest", "untag--" + image, "remove--" + id),
                formatted.stdout().lines().filter(l -> !l.equals("pull--" + image)).toList(), formatted::toString);
        Result human = env.ok("events", "--stream=false", "--filter", "type=image", "--since", t0);
        assertTrue(human.stdout().lines().anyMatch(l -> l.endsWith(" image push " + id + " dir:" + dir.resolve("d"))), human::toString);
        assertTrue(human.stdout().lines().anyMatch(l -> l.endsWith(" image loadfromarchive  " + tarball)), human::toString);
    }
}
