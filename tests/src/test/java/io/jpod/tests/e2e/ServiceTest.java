package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.CollectedOutput;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.JpodInstall;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.OciImageBuilder;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TcpProxy;
import io.jpod.tests.support.TestImage;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-user service and the native client (bin/jpod): commands are served by one warm JVM started on demand,
 * processes that need the caller's terminal run as the client's children (exit codes, stdin, signals), another
 * uid is refused by SO_PEERCRED, a client of another build replaces the service, the service exits when idle, a
 * killed service costs one clear error and nothing else, and JPOD_SERVICE=0 or containers.conf turn it off.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ServiceTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/busybox");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    @AfterEach
    void noConfig() throws IOException {
        Files.deleteIfExists(env.home().resolve(".config/jpod/containers.conf"));
    }

    private Path socket() {
        return env.runRoot().resolve("service.sock");
    }

    /**
     * This env's java processes (the test user's, with this env's XDG_RUNTIME_DIR: other test classes may run as
     * the same user at the same time): with the service, only the service itself.
     */
    private List<Long> javaProcesses() {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (!Files.readString(p.resolve("comm")).strip().equals("java")) {
                        continue;
                    }
                    String environ = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
                    if (("\0" + environ).contains("\0XDG_RUNTIME_DIR=" + env.runtimeDir() + "\0")) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            fail(e);
        }
        return pids;
    }

    /**
     * The running service's pid. With none running, the command runs in-process and leaves a starter that brings
     * the service up after it: awaited (bounded) here.
     */
    private long servicePid() {
        env.ok("ps", "-a");
        awaitOneService();
        List<Long> java = javaProcesses();
        assertEquals(1, java.size(), () -> "java processes of the test user: " + java);
        return java.get(0);
    }

    /** Until the starters are done and the one service listens. */
    private void awaitOneService() {
        await("the service started after the command to listen", NORMAL,
                () -> starters().isEmpty() && listening() && javaProcesses().size() == 1);
    }

    /** Something accepts on the socket (a killed service leaves its socket file behind, answering nothing). */
    private boolean listening() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket()));
            return true; // this uid is refused by the service, which is all the same here
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * This env's service starters (`jpod-helper service-starter … SOCKET`) still alive; not the launcher a starter
     * has just forked, which bears the starter's command line until it execs.
     */
    private List<Long> starters() {
        Map<Long, Long> parents = new java.util.HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    String stat = Files.readString(p.resolve("stat"));
                    if (cmdline.contains("\0service-starter\0") && cmdline.contains("\0" + socket() + "\0") && !stat.contains(") Z ")) {
                        long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
                        parents.put(Long.parseLong(p.getFileName().toString()), ppid);
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            fail(e);
        }
        return parents.keySet().stream().filter(pid -> !parents.containsKey(parents.get(pid))).toList();
    }

    private void killService() {
        // a starter still at work would start a service after the kill
        await("the service starters to be done", NORMAL, () -> starters().isEmpty());
        for (long pid : javaProcesses()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        await("the service to be gone", NORMAL, () -> javaProcesses().isEmpty());
    }

    @Test
    void commandsAreServedWithTheirExitCodesOutputAndStdin() throws IOException {
        long service = servicePid();
        Path socket = socket();
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

        assertEquals(0, env.run(NORMAL, "run", "--rm", image, "true").exitCode());
        assertEquals(1, env.run(NORMAL, "run", "--rm", image, "false").exitCode());
        assertEquals(3, env.run(NORMAL, "run", "--rm", image, "sh", "-c", "exit 3").exitCode());
        assertEquals(137, env.run(NORMAL, "run", "--rm", "--init", image, "sh", "-c", "kill -9 $$").exitCode());
        Result notFound = env.run(NORMAL, "run", "--rm", image, "no-such-command");
        assertEquals(127, notFound.exitCode(), notFound::toString);
        Result notExecutable = env.run(NORMAL, "run", "--rm", image, "/etc/passwd");
        assertEquals(126, notExecutable.exitCode(), notExecutable::toString);
        Result badFlag = env.run(NORMAL, "run", "--rm", "--memory", "lots", image, "true");
        assertEquals(125, badFlag.exitCode(), badFlag::toString);
        assertEquals(1, badFlag.stderr().strip().lines().count(), badFlag::toString);
        Result noImage = env.run(NORMAL, "inspect", "no-such-thing");
        assertEquals(125, noImage.exitCode(), noImage::toString);

        assertEquals("hello from the client\n", env.run(NORMAL, "run", "--rm", image, "echo", "hello from the client").stdout());
        Path input = FX.scratchDir("service-stdin").resolve("input");
        Files.writeString(input, "piped line 1\npiped line 2\n");
        Result piped = env.runWithInput(input, Map.of(), NORMAL, "run", "--rm", "-i", image, "cat");
        assertEquals(0, piped.exitCode(), piped::toString);
        assertEquals("piped line 1\npiped line 2\n", piped.stdout());

        // detached, exec, logs -f, ps, inspect, stop, rm: all through the same service
        env.ok("run", "-d", "--name", "svc-d", image, "sh", "-c", "echo one; sleep 1000");
        Result exec = env.run(NORMAL, "exec", "svc-d", "sh", "-c", "echo exec-out; exit 7");
        assertEquals(7, exec.exitCode(), exec::toString);
        assertEquals("exec-out\n", exec.stdout());
        assertTrue(env.ok("ps", "-a").stdout().contains("svc-d"));
        assertEquals("running", env.inspect("svc-d").at("/State/Status").asText());
        Result stop = env.run(NORMAL, "stop", "-t", "1", "svc-d");
        assertEquals(0, stop.exitCode(), stop::toString);
        assertTrue(env.ok("logs", "-f", "svc-d").stdout().contains("one"));
        env.ok("rm", "svc-d");

        env.ok("run", "-d", "--name", "svc-f", image, "sh", "-c", "for i in 1 2 3; do echo line$i; sleep 0.3; done");
        Result follow = env.run(NORMAL, "logs", "-f", "svc-f");
        assertEquals("line1\nline2\nline3\n", follow.stdout(), follow::toString);
        env.ok("rm", "svc-f");

        // still the one service: nothing above started a JVM of its own
        assertEquals(List.of(service), javaProcesses());
    }

    /**
     * The service keeps parsed records between requests (validated by each file's bytes) and sweeps the store's tmp/
     * only when it changed: what a direct command (JPOD_SERVICE=0, a JVM of its own, as another user session or an
     * older jpod would be) does to the store is what the service's next `images` and `inspect` show.
     */
    @Test
    void aDirectCommandsChangeIsSeenByTheServicesNextImagesAndInspect() {
        long service = servicePid();
        Map<String, Optional<String>> direct = Map.of("JPOD_SERVICE", Optional.of("0"));
        env.ok("create", "--name", "seen-a", image, "true");
        // read (and kept) by the service before each change
        assertEquals("seen-a", env.inspect("seen-a").at("/Name").asText());
        assertFalse(env.ok("images", "--format", "{{.Repository}}:{{.Tag}}").stdout().contains("localhost/seen:1"));

        Result tag = env.runWith(direct, NORMAL, "tag", image, "localhost/seen:1");
        assertEquals(0, tag.exitCode(), tag::toString);
        assertTrue(env.ok("images", "--format", "{{.Repository}}:{{.Tag}}").stdout().contains("localhost/seen:1"),
                "a tag made directly is listed by the service's next images");
        assertEquals(env.inspect(image).at("/Id").asText(), env.inspect("localhost/seen:1").at("/Id").asText());

        Result rename = env.runWith(direct, NORMAL, "rename", "seen-a", "seen-b");
        assertEquals(0, rename.exitCode(), rename::toString);
        assertEquals("seen-b", env.inspect("seen-b").at("/Name").asText(), "renamed directly: the service's inspect has the new name");
        Result old = env.run(NORMAL, "inspect", "--type", "container", "seen-a");
        assertEquals(125, old.exitCode(), old::toString);

        Result start = env.runWith(direct, NORMAL, "start", "--attach", "seen-b");
        assertEquals(0, start.exitCode(), start::toString);
        assertEquals("exited", env.inspect("seen-b").at("/State/Status").asText(), "started and ended directly: the service says so");

        Result untag = env.runWith(direct, NORMAL, "rmi", "localhost/seen:1");
        assertEquals(0, untag.exitCode(), untag::toString);
        assertFalse(env.ok("images", "--format", "{{.Repository}}:{{.Tag}}").stdout().contains("localhost/seen:1"),
                "untagged directly: gone from the service's next images");
        Result rm = env.runWith(direct, NORMAL, "rm", "seen-b");
        assertEquals(0, rm.exitCode(), rm::toString);
        Result gone = env.run(NORMAL, "inspect", "seen-b");
        assertEquals(125, gone.exitCode(), gone::toString);
        assertEquals(List.of(service), javaProcesses(), "all of it through the one service");
    }

    @Test
    void aForegroundRunHasTheClientsTerminalAndSignals() throws Exception {
        long service = servicePid();
        List<String> cmd = env.user().wrap(List.of(JpodInstall.launcher().toString(), "run", "--rm", image,
                "sh", "-c", "trap 'echo got it; exit 42' INT; echo ready; while true; do sleep 0.1; done"));
        Process p = start(cmd);
        CollectedOutput seen = CollectedOutput.of(p);
        try {
            await("the container to be ready: " + seen, NORMAL, () -> seen.contains("ready"));
            // while the container runs, the only JVM is the service: the client runs the monitor itself
            assertEquals(List.of(service), javaProcesses());
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
            assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), seen::toString);
            seen.join(10_000);
            assertEquals(42, p.exitValue(), seen::toString);
            assertTrue(seen.toString().contains("got it"), seen::toString);
        } finally {
            p.destroyForcibly();
        }

        // -it through a real pty (script(1)): the container's stdin and stdout are a terminal of the right size
        List<String> pty = env.user().wrap(List.of("script", "-qfec",
                "stty rows 33 cols 77; " + JpodInstall.launcher() + " run --rm -it " + image + " sh -c 'stty size; test -t 0 && echo tty-in'",
                "/dev/null"));
        Process t = start(pty);
        CollectedOutput out = CollectedOutput.of(t);
        assertTrue(t.waitFor(90, TimeUnit.SECONDS), out::toString);
        out.join(10_000);
        assertEquals(0, t.exitValue(), out::toString);
        assertTrue(out.toString().contains("33 77"), out::toString);
        assertTrue(out.toString().contains("tty-in"), out::toString);
    }

    private Process start(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(env.home().toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env.environment());
        pb.environment().put("TERM", "xterm");
        return pb.start();
    }

    @Test
    void anotherUidIsRefusedBySoPeercred() throws Exception {
        servicePid();
        // this test JVM is another uid (root: it can reach the socket through the 0700 directory, so only the
        // service's own check stands between it and the user's containers)
        org.junit.jupiter.api.Assumptions.assumeTrue(io.jpod.tests.support.TestUser.jvmIsRoot(), "needs a JVM of another uid");
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket()));
            // refused before it can say anything
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            assertEquals('r', in.read());
            byte[] message = in.readNBytes(in.readInt());
            assertTrue(new String(message, StandardCharsets.UTF_8).contains("accepts requests only from its own user"),
                    () -> new String(message, StandardCharsets.UTF_8));
            assertEquals(-1, in.read(), "the connection is closed after the refusal");
        }
        env.ok("ps", "-a"); // and the service still serves its user
    }

    @Test
    void aClientOfAnotherBuildReplacesTheService() throws IOException {
        long old = servicePid();
        Path other = FX.scratchDir("other-build").resolve("jpod");
        copyTree(JpodInstall.get(), other);
        Files.writeString(other.resolve("lib/jpod-build-id"), "another-build\n");
        List<String> cmd = env.user().wrap(List.of(other.resolve("bin/jpod").toString(), "ps", "-a"));
        Result r = BoundedProcess.run(NORMAL, cmd, env.environment(), env.home(), FX.scratchDir("other-build-out"));
        assertEquals(0, r.exitCode(), r::toString);
        await("the old service to exit", NORMAL, () -> ProcessHandle.of(old).map(ph -> !ph.isAlive()).orElse(true));
        awaitOneService(); // the other build's, started after its command
        List<Long> now = javaProcesses();
        assertEquals(1, now.size(), now::toString);
        assertNotEquals(old, now.get(0));
        assertTrue(Files.readString(env.runRoot().resolve("service.log")).contains("build another-build@"));
        killService(); // the next test's commands use this build's client again
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        try {
            assertTrue(new ProcessBuilder("chmod", "-R", "a+rX", to.getParent().toString()).start().waitFor(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aRunThroughTheWarmServiceStartsNoMountOrUnmountProcess() throws Exception {
        // a copy of the distribution whose helper logs the mode of every start (the copy's client replaces the
        // service, like another build's)
        Path scratch = FX.scratchDir("helper-modes");
        Path dist = scratch.resolve("jpod");
        copyTree(JpodInstall.get(), dist);
        Path real = dist.resolve("libexec/jpod-helper.real");
        Path helper = dist.resolve("libexec/jpod-helper");
        Files.move(helper, real);
        Path log = scratch.resolve("helper-modes.log");
        Files.writeString(log, "");
        Files.setPosixFilePermissions(log, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.writeString(helper, "#!/bin/sh\necho \"$1\" >> " + log + "\nexec " + real + " \"$@\"\n");
        Files.setPosixFilePermissions(helper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            assertEquals(0, copy(dist, "ps", "-a").exitCode()); // in-process; leaves the copy's service behind
            // the service binds its system calls after answering its first request: in a while, every run --rm is
            // the monitor's `enter` and `run` and nothing else (before: mount-overlay and umount as well)
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + NORMAL.toNanos();
            while (true) {
                Files.writeString(log, "");
                Result r = copy(dist, "run", "--rm", image, "true");
                assertEquals(0, r.exitCode(), r::toString);
                List<String> modes = Files.readAllLines(log).stream().sorted().toList();
                seen.add(String.join(",", modes));
                if (modes.equals(List.of("enter", "run"))) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, () -> "every run --rm started other helpers than enter and run: " + seen);
            }
            // and the rootfs was mounted and is gone: a file written in one run is not in the next container
            Result write = copy(dist, "run", "--rm", image, "sh", "-c", "echo x > /left-behind && cat /left-behind");
            assertEquals("x\n", write.stdout(), write::toString);
            Result next = copy(dist, "run", "--rm", image, "sh", "-c", "test ! -e /left-behind && echo clean");
            assertEquals("clean\n", next.stdout(), next::toString);
            Result check = copy(dist, "system", "check");
            assertEquals(0, check.exitCode(), check::toString);
        } finally {
            killService(); // the next test's commands use this build's own client and service again
        }
    }

    private Result copy(Path dist, String... args) {
        List<String> cmd = new ArrayList<>(List.of(dist.resolve("bin/jpod").toString()));
        cmd.addAll(List.of(args));
        return BoundedProcess.run(NORMAL, env.user().wrap(cmd), env.environment(), env.home(), FX.scratchDir("helper-modes-out"));
    }

    @Test
    void theServiceExitsWhenIdle() throws IOException {
        killService();
        writeConfig("[engine]\nservice_timeout = 2\n");
        long service = servicePid();
        await("the idle service to exit", NORMAL, () -> ProcessHandle.of(service).map(ph -> !ph.isAlive()).orElse(true));
        assertFalse(Files.exists(socket()), "the socket goes with the service");
        env.ok("ps", "-a"); // and the next command leaves a new one behind
        awaitOneService();
        killService();
    }

    private void writeConfig(String text) throws IOException {
        Path conf = env.home().resolve(".config/jpod/containers.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, text);
        new ProcessBuilder("chown", "-R", env.user().uid() + ":" + env.user().gid(), env.home().resolve(".config").toString())
                .inheritIO().start();
        await("the config to be the test user's", NORMAL, () -> {
            try {
                return ((Number) Files.getAttribute(conf, "unix:uid")).intValue() == env.user().uid();
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void killingTheServiceMidRunCostsOneClearErrorAndTheNextCommandWorks() throws Exception {
        servicePid();
        List<String> cmd = env.user().wrap(List.of(JpodInstall.launcher().toString(), "run", "--name", "svc-killed", image,
                "sh", "-c", "echo ready; sleep 2; echo done"));
        Process p = start(cmd);
        CollectedOutput seen = CollectedOutput.of(p);
        try {
            await("the container to be ready: " + seen, NORMAL, () -> seen.contains("ready"));
            killService();
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), seen::toString);
            seen.join(10_000);
            assertEquals(125, p.exitValue(), seen::toString);
            List<String> errors = seen.toString().lines().filter(l -> l.startsWith("Error:")).toList();
            assertEquals(1, errors.size(), seen::toString);
            assertTrue(errors.get(0).contains("the jpod service ended before the command finished"), seen::toString);
        } finally {
            p.destroyForcibly();
        }
        Result ps = env.run(NORMAL, "ps", "-a", "--format", "{{.Names}} {{.Status}}");
        assertEquals(0, ps.exitCode(), ps::toString);
        assertTrue(ps.stdout().contains("svc-killed Exited"), ps::toString);
        env.ok("rm", "svc-killed");
        Result check = env.run(NORMAL, "system", "check");
        assertEquals(0, check.exitCode(), check::toString);
    }

    @Test
    void aResizedTerminalIsFollowedByTheContainersTerminal() throws Exception {
        servicePid();
        // -it through a real pty (script(1)); the shell records which pty is the client's, the container reports
        // its size, then waits until it changes. The test resizes the client's terminal as a terminal emulator
        // does (TIOCSWINSZ, which sends SIGWINCH to the terminal's foreground group: the client and the monitor
        // it forked), and the container's own pty must follow.
        Path dir = FX.scratchDir("service-resize");
        new ProcessBuilder("chmod", "0777", dir.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        Path ttyName = dir.resolve("tty");
        String container = "stty size; echo waiting-for-resize; "
                + "while [ \"$(stty size)\" = \"33 77\" ]; do sleep 0.1; done; echo resized-to $(stty size)";
        List<String> pty = env.user().wrap(List.of("script", "-qfec",
                "stty rows 33 cols 77; tty > " + ttyName + "; " + JpodInstall.launcher() + " run --rm -it " + image
                        + " sh -c '" + container + "'",
                "/dev/null"));
        Process t = start(pty);
        CollectedOutput out = CollectedOutput.of(t);
        try {
            await("the container to report its first size: " + out, NORMAL, () -> out.contains("waiting-for-resize"));
            assertTrue(out.toString().contains("33 77"), out::toString);
            String tty = Files.readString(ttyName).strip();
            assertTrue(tty.startsWith("/dev/pts/"), tty);
            Process resize = new ProcessBuilder("stty", "-F", tty, "rows", "44", "cols", "99").inheritIO().start();
            assertTrue(resize.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, resize.exitValue());
            assertTrue(t.waitFor(90, TimeUnit.SECONDS), out::toString);
            out.join(10_000);
            assertEquals(0, t.exitValue(), out::toString);
            assertTrue(out.toString().contains("resized-to 44 99"), out::toString);
        } finally {
            t.destroyForcibly();
        }
    }

    @Test
    void killingTheServiceMidPullCostsOneClearErrorAndLeavesNoImage() throws Exception {
        servicePid();
        byte[] big = new byte[4 << 20];
        new Random(11).nextBytes(big);
        BuiltImage img = TestImage.busybox().compression(OciImageBuilder.Compression.NONE).format(OciImageBuilder.Format.OCI)
                .layer(l -> l.file("big", big, 0644)).build();
        registry.push(img, "svc/pull-killed", "1");
        try (TcpProxy proxy = TcpProxy.start(registry.port())) {
            String ref = proxy.hostPort() + "/svc/pull-killed:1";
            // the big layer's response stops 1 MiB in and stays stopped: the pull is in its middle, for sure
            proxy.arm(TcpProxy.Fault.HOLD, img.layers().get(1).digest(), 1 << 20);
            Process p = start(env.user().wrap(List.of(JpodInstall.launcher().toString(), "pull", ref)));
            CollectedOutput seen = CollectedOutput.of(p);
            try {
                await("the pull to be in the middle of the layer: " + seen, NORMAL, proxy::faultFired);
                killService();
                assertTrue(p.waitFor(90, TimeUnit.SECONDS), seen::toString);
                seen.join(10_000);
                assertEquals(125, p.exitValue(), seen::toString);
                List<String> errors = seen.toString().lines().filter(l -> l.startsWith("Error:")).toList();
                assertEquals(1, errors.size(), seen::toString);
                assertTrue(errors.get(0).contains("the jpod service ended before the command finished"), seen::toString);
            } finally {
                p.destroyForcibly();
                proxy.disarm();
            }

            // nothing half-written: no image by that name, a clean store, and the next command (a new service)
            // pulls the same image whole
            Result inspect = env.run(NORMAL, "image", "inspect", ref);
            assertEquals(125, inspect.exitCode(), inspect::toString);
            Result images = env.run(NORMAL, "images", "-a", "--no-trunc");
            assertEquals(0, images.exitCode(), images::toString);
            assertFalse(images.stdout().contains("pull-killed"), images::toString);
            assertFalse(images.stdout().contains(img.imageId().substring("sha256:".length())), images::toString);
            Result check = env.run(NORMAL, "system", "check");
            assertEquals(0, check.exitCode(), check::toString);
            Result again = env.run(NORMAL, "pull", ref);
            assertEquals(0, again.exitCode(), again::toString);
            assertEquals(img.imageId().substring("sha256:".length()), again.stdout().strip(), again::toString);
            Result wc = env.run(NORMAL, "run", "--rm", ref, "wc", "-c", "/big");
            assertEquals(0, wc.exitCode(), wc::toString);
            assertTrue(wc.stdout().strip().startsWith(String.valueOf(big.length)), wc::toString);
            env.ok("rmi", ref);
        }
    }

    @Test
    void theServiceCanBeTurnedOff() throws IOException {
        killService();
        Result off = env.runWith(Map.of("JPOD_SERVICE", Optional.of("0")), NORMAL, "run", "--rm", image, "sh", "-c", "exit 5");
        assertEquals(5, off.exitCode(), off::toString);
        // a starter left behind would be alive (until its service listens) or its service would be
        assertTrue(javaProcesses().isEmpty() && starters().isEmpty(), "JPOD_SERVICE=0 starts no service");

        writeConfig("[jpod]\nservice = false\n");
        Result conf = env.run(NORMAL, "ps", "-a");
        assertEquals(0, conf.exitCode(), conf::toString);
        assertTrue(javaProcesses().isEmpty() && starters().isEmpty(), "[jpod] service = false starts no service");
    }

    @Test
    void concurrentFirstCommandsRunInProcessAndLeaveExactlyOneService() {
        killService();
        List<BoundedProcess> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            first.add(env.start("ps", "-a"));
        }
        for (BoundedProcess p : first) {
            Result r = p.await(NORMAL);
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stdout().startsWith("CONTAINER ID"), r::toString);
        }
        awaitOneService();
        long service = javaProcesses().get(0);
        env.ok("ps", "-a"); // served by it: no JVM of its own
        assertEquals(List.of(service), javaProcesses());
    }

    @Test
    void aCapturedFirstCommandDoesNotWaitForTheServiceStart() throws Exception {
        killService();
        // a copy of the distribution whose launcher holds `system service` until the test lets it go: the starter is
        // then provably still at work when the caller's $(jpod ps -a) has returned
        Path scratch = FX.scratchDir("held-start");
        Path dist = scratch.resolve("jpod");
        copyTree(JpodInstall.get(), dist);
        Path gate = scratch.resolve("gate");
        Process mkfifo = new ProcessBuilder("mkfifo", "-m", "0666", gate.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
        Path launcher = dist.resolve("libexec/jpod-launch");
        Files.move(launcher, dist.resolve("libexec/jpod-launch.real"));
        Files.writeString(launcher, "#!/bin/bash\nif [ \"$1 $2\" = \"system service\" ]; then read -r _ < " + gate + "; fi\n"
                + "exec \"${BASH_SOURCE[0]}.real\" \"$@\"\n");
        Files.setPosixFilePermissions(launcher, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        boolean released = false;
        try {
            String client = dist.resolve("bin/jpod").toString();
            Result r = BoundedProcess.run(NORMAL, env.user().wrap(List.of("sh", "-c", "out=$(" + client + " ps -a) && echo \"$out\"")),
                    env.environment(), env.home(), FX.scratchDir("held-start-out"));
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stdout().startsWith("CONTAINER ID"), r::toString);
            // the caller is back while its starter still waits at the gate, holding none of the caller's fds
            List<Long> waiting = starters();
            assertEquals(1, waiting.size(), () -> "starters: " + waiting + ", " + r);
            assertFalse(listening(), "no service yet: the starter is held");
            try (Stream<Path> fds = Files.list(Path.of("/proc/" + waiting.get(0) + "/fd"))) {
                for (Path fd : fds.toList()) {
                    String target = Files.readSymbolicLink(fd).toString();
                    assertFalse(target.startsWith("pipe:") || target.contains("held-start-out"), () -> "the starter holds " + fd + " -> " + target);
                }
            }
            Files.writeString(gate, "go\n"); // blocks until the held launcher opens it: it is on its way there
            released = true;
            awaitOneService();
        } finally {
            if (!released) { // a failure above: the held starter and its launcher would outlive the test
                starters().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                ProcessHandle.allProcesses().filter(ph -> ph.info().arguments().map(a -> String.join(" ", a).contains(dist.toString())).orElse(false))
                        .forEach(ProcessHandle::destroyForcibly);
            }
            killService(); // the next test's commands use this build's own client and service again
        }
    }

    @Test
    void theClientAnswersVersionAsTheJvmDoesWithoutTheService() throws IOException {
        killService();
        Result client = env.ok("--version");
        assertTrue(client.stdout().matches("jpod version \\S+\n"), client::toString);
        assertEquals(client.stdout(), env.ok("-V").stdout());
        assertTrue(javaProcesses().isEmpty(), "--version started a service");
        // the JVM's own answer (the launcher runs the CLI in a JVM of its own): the client's constant must match it
        List<String> cmd = env.user().wrap(List.of(JpodInstall.get().resolve("libexec/jpod-launch").toString(), "--version"));
        Result jvm = BoundedProcess.run(NORMAL, cmd, env.environment(), env.home(), FX.scratchDir("version-out"));
        assertEquals(0, jvm.exitCode(), jvm::toString);
        assertEquals(jvm.stdout(), client.stdout());
    }

    @Test
    void manyCommandsAtOnce() throws Exception {
        servicePid();
        List<BoundedProcess> running = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            running.add(env.start("run", "--rm", "--name", "svc-many-" + i, image, "sh", "-c", "echo run-" + i));
            running.add(env.start("ps", "-a"));
        }
        for (int i = 0; i < running.size(); i++) {
            Result r = running.get(i).await(NORMAL);
            assertEquals(0, r.exitCode(), r::toString);
            if (i % 2 == 0) {
                assertEquals("run-" + i / 2 + "\n", r.stdout(), r::toString);
            }
        }
        assertEquals(1, javaProcesses().size());
    }
}
