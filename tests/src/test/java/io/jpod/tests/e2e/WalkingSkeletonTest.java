package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.ProcFs;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the walking skeleton must show: an unprivileged user pulls from a real registry and runs a container with
 * podman-compatible exit codes, a proper user namespace mapping, its own pid and UTS namespaces, files owned by the
 * mapped ids on the host, and no capabilities anywhere in the host user namespace.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WalkingSkeletonTest {

    private static final Duration FIRST_PULL = Duration.ofSeconds(120);
    private static final Duration NORMAL = Duration.ofSeconds(60);

    private static TestUser user;
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static String image;
    private static String repository;

    @BeforeAll
    static void setUp() {
        user = TestUser.get(); // first: fails at once, with the reason, when the distribution is not built
        registry.push(TestImage.busybox().build(), "library/alpine", "latest");
        repository = registry.hostPort() + "/library/alpine";
        image = repository + ":latest";
    }


    private static Result jpod(String... args) {
        return env.run(NORMAL, args);
    }

    private static Result run(String... command) {
        List<String> args = new ArrayList<>(List.of("run", "--rm", image));
        args.addAll(List.of(command));
        return jpod(args.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void pullStoresTheImageAndImagesListsIt() {
        Result pull = env.run(FIRST_PULL, "pull", image);
        assertEquals(0, pull.exitCode(), pull::toString);

        Result images = jpod("images");
        assertEquals(0, images.exitCode(), images::toString);
        long listed = linesMentioning(images, repository);
        assertTrue(listed >= 1, () -> "jpod images does not list " + repository + images);

        Result again = jpod("pull", image);
        assertEquals(0, again.exitCode(), again::toString);
        Result imagesAgain = jpod("images");
        assertEquals(0, imagesAgain.exitCode(), imagesAgain::toString);
        assertEquals(listed, linesMentioning(imagesAgain, repository),
                () -> "a second pull of the same image must not add an image" + images + imagesAgain);
    }

    private static long linesMentioning(Result r, String text) {
        return r.stdout().lines().filter(l -> l.contains(text)).count();
    }

    @Test
    @Order(2)
    void echoPrintsExactlyItsOutput() {
        Result r = run("echo", "hello", "from", "a", "container");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("hello from a container\n", r.stdout(), r::toString);
    }

    @Test
    @Order(3)
    void exitCodeOfTheContainerIsPassedThrough() {
        Result r = run("sh", "-c", "exit 3");
        assertEquals(3, r.exitCode(), r::toString);
    }

    @Test
    @Order(4)
    void commandNotFoundIs127() {
        Result r = run("no-such-command");
        assertEquals(127, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("no-such-command"), r::toString);
    }

    @Test
    @Order(5)
    void commandNotExecutableIs126() {
        Result r = run("/etc/passwd");
        assertEquals(126, r.exitCode(), r::toString);
    }

    @Test
    @Order(6)
    void unknownImageIs125WithOneErrorLine() {
        String nope = registry.hostPort() + "/library/nope:latest";
        Result r = jpod("run", "--rm", nope, "true");
        assertEquals(125, r.exitCode(), r::toString);
        // pull progress may come first (as with podman); the failure itself is one line, printed once, last
        List<String> lines = r.stderr().strip().lines().toList();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("Error: ")).count(), () -> "expected exactly one error line" + r);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("Error: "), r::toString);
        assertTrue(last.contains("library/nope"), () -> "the error must name the image" + r);
    }

    @Test
    @Order(7)
    void userNamespaceMapsRootToTheUserAndTheRestToTheSubordinateRange() {
        TestUser.Range subuid = user.requireSubuid();
        TestUser.Range subgid = user.requireSubgid();
        assumeTrue(subuid.count() >= 65536 && subgid.count() >= 65536,
                "the test user needs a 65536-id subordinate range: run scripts/setup-host.sh");

        Result uidMap = run("cat", "/proc/self/uid_map");
        assertEquals(0, uidMap.exitCode(), uidMap::toString);
        assertEquals(List.of("0 " + user.uid() + " 1", "1 " + subuid.start() + " 65536"), uidMap.normalisedLines(),
                uidMap::toString);

        Result gidMap = run("cat", "/proc/self/gid_map");
        assertEquals(0, gidMap.exitCode(), gidMap::toString);
        assertEquals(List.of("0 " + user.gid() + " 1", "1 " + subgid.start() + " 65536"), gidMap.normalisedLines(),
                gidMap::toString);
    }

    @Test
    @Order(8)
    void commandIsPid1() {
        Result r = run("sh", "-c", "echo $$");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("1", r.stdout().strip(), r::toString);
    }

    @Test
    @Order(9)
    void hostnameIsTheShortContainerId() throws IOException {
        String hostHostname = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
        Result r = run("hostname");
        assertEquals(0, r.exitCode(), r::toString);
        String inside = r.stdout().strip();
        assertNotEquals(hostHostname, inside, r::toString);
        assertTrue(inside.matches("[0-9a-f]{12}"), () -> "hostname should be 12 hex chars" + r);
    }

    @Test
    @Order(10)
    void procShowsOnlyTheContainersProcesses() {
        Result r = run("ls", "/proc");
        assertEquals(0, r.exitCode(), r::toString);
        Set<String> pids = Arrays.stream(r.stdout().split("\\s+")).filter(s -> s.matches("\\d+"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(pids.contains("1"), () -> "no pid 1 in /proc" + r);
        assertTrue(pids.size() < 5, () -> "/proc shows host processes: " + pids + r);
    }

    @Test
    @Order(11)
    void filesWrittenInTheContainerAreOwnedByMappedIdsOnTheHost() throws IOException {
        TestUser.Range subuid = user.requireSubuid();
        TestUser.Range subgid = user.requireSubgid();
        Result r = jpod("run", "--name", "owned", image, "sh", "-c", "touch /root-file; touch /tmp/u; chown 100:100 /tmp/u");
        assertEquals(0, r.exitCode(), r::toString);

        Path upper = containerDir("owned").resolve("upper");
        Path rootFile = upper.resolve("root-file");
        Path u = upper.resolve("tmp/u");
        assertTrue(Files.exists(rootFile, LinkOption.NOFOLLOW_LINKS), () -> rootFile + " missing" + r);
        assertTrue(Files.exists(u, LinkOption.NOFOLLOW_LINKS), () -> u + " missing" + r);
        assertEquals(user.uid(), Files.getAttribute(rootFile, "unix:uid", LinkOption.NOFOLLOW_LINKS), "uid of " + rootFile);
        assertEquals(user.gid(), Files.getAttribute(rootFile, "unix:gid", LinkOption.NOFOLLOW_LINKS), "gid of " + rootFile);
        assertEquals((int) (subuid.start() + 99), Files.getAttribute(u, "unix:uid", LinkOption.NOFOLLOW_LINKS), "uid of " + u);
        assertEquals((int) (subgid.start() + 99), Files.getAttribute(u, "unix:gid", LinkOption.NOFOLLOW_LINKS), "gid of " + u);
    }

    /** {@code <storage>/containers/<id>/} of the container named {@code name} (by container.json, else the only one). */
    private static Path containerDir(String name) throws IOException {
        Path containers = env.storageRoot().resolve("containers");
        assertTrue(Files.isDirectory(containers), () -> containers + " does not exist");
        List<Path> dirs;
        try (Stream<Path> s = Files.list(containers)) {
            dirs = s.filter(Files::isDirectory).toList();
        }
        List<Path> named = new ArrayList<>();
        for (Path d : dirs) {
            Path json = d.resolve("container.json");
            if (Files.isRegularFile(json)) {
                JsonNode node = new ObjectMapper().readTree(json.toFile());
                if (name.equals(node.path("name").asText())) {
                    named.add(d);
                }
            }
        }
        if (named.size() == 1) {
            return named.get(0);
        }
        if (named.isEmpty() && dirs.size() == 1) {
            return dirs.get(0);
        }
        return fail("expected one container directory for '" + name + "' under " + containers + ", found " + dirs);
    }

    @Test
    @Order(12)
    void nothingInTheHostUserNamespaceHasCapabilities() {
        String hostNs = ProcFs.selfUserNs();
        BoundedProcess running = env.start("run", "--rm", image, "sleep", "20");
        try {
            ProcFs.Proc sleep = awaitContainerSleep(running, Duration.ofSeconds(45));
            List<ProcFs.Proc> snapshot = ProcFs.snapshot();
            List<ProcFs.Proc> ours = snapshot.stream()
                    .filter(p -> user.ownsHostUid(p.effectiveUid()))
                    .toList();
            List<ProcFs.Proc> inHostNs = ours.stream().filter(p -> p.userNs().equals(Optional.of(hostNs))).toList();
            List<ProcFs.Proc> privileged = inHostNs.stream().filter(p -> p.capEff() != 0).toList();
            assertTrue(privileged.isEmpty(), () -> "processes of " + user.name()
                    + " in the host user namespace with effective capabilities:\n  " + join(privileged)
                    + "\nall of the user's processes:\n  " + join(ours));

            Optional<String> sleepNs = sleep.userNs();
            assertTrue(sleepNs.isPresent(), () -> "cannot read the user namespace of " + sleep);
            assertNotEquals(hostNs, sleepNs.get(), () -> "the container runs in the host user namespace: " + sleep);
            assertTrue(ours.stream().anyMatch(p -> p.userNs().isPresent() && !p.userNs().get().equals(hostNs)),
                    () -> "no process of the user lives in another user namespace:\n  " + join(ours));
        } finally {
            running.stop(Duration.ofSeconds(10));
        }
    }

    /** Polls /proc (bounded) for the container's {@code sleep 20}: a process of the test user whose argv[0] is sleep. */
    private static ProcFs.Proc awaitContainerSleep(BoundedProcess running, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<ProcFs.Proc> sleep = ProcFs.snapshot().stream()
                    .filter(p -> user.ownsHostUid(p.effectiveUid()))
                    .filter(p -> p.program().equals("sleep") && p.cmdline().size() == 2 && p.cmdline().get(1).equals("20"))
                    .findFirst();
            if (sleep.isPresent()) {
                return sleep.get();
            }
            if (!running.process().isAlive()) {
                Result r = running.await(Duration.ofSeconds(5));
                return fail("jpod run exited before the container's sleep appeared" + r);
            }
            if (System.nanoTime() > deadline) {
                running.killTree();
                return fail("no 'sleep 20' process of " + user.name() + " appeared within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(50); // poll interval of a bounded wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted");
            }
        }
    }

    private static String join(List<ProcFs.Proc> procs) {
        return procs.stream().map(ProcFs.Proc::toString).collect(Collectors.joining("\n  "));
    }

    @Test
    @Order(13)
    void userWithoutSubordinateIdsGetsAClearError() {
        assumeTrue(TestUser.jvmIsRoot(), "creating the user without subordinate ids needs root");
        TestUser nosub = TestUser.withoutSubids();
        try (JpodEnv other = JpodEnv.create(nosub)) {
            Result r = other.run(NORMAL, "run", "--rm", image, "true");
            assertEquals(125, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("/etc/subuid"), () -> "the error must point at /etc/subuid" + r);
        }
    }
}
