package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.JpodInstall;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The helper against what a container (or a same-user process) can do to it: a replaced /dev/ptmx or /dev/pts when
 * `exec -t` opens a terminal, a container init whose pid now belongs to another process, an attach client that
 * sends half a frame and dribbles the rest, and mount options longer than the helper's buffer.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HelperHardeningTest {
    private static final Duration NORMAL = Duration.ofSeconds(90);
    private static final String READY = "touch /tmp/ready; exec sleep 600";

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/hardening");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    private static Result jpod(String... args) {
        return env.run(NORMAL, args);
    }

    /** Starts a detached container running {@code script} (which ends in {@link #READY}) and waits until it is ready. */
    private static void startReady(String name, List<String> options, String script) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(options);
        args.addAll(List.of(image, "sh", "-c", script));
        jpod(args.toArray(String[]::new)).ok();
        await(name + " ready", NORMAL, () -> jpod("exec", name, "test", "-e", "/tmp/ready").exitCode() == 0);
    }

    private static Path containerRunDir(String name) {
        String id = env.inspect(name).get("Id").asText();
        return env.runRoot().resolve("containers").resolve(id);
    }

    // ---- exec -t and the container's /dev

    @Test
    void execTtyDoesNotOpenAFifoAtDevPtmx() {
        // no capability needed: the container owns its /dev; a writer blocked on the FIFO tells whether anyone opened it
        startReady("fifo-ptmx", List.of(), "rm /dev/ptmx; mkfifo /dev/ptmx; { echo x > /dev/ptmx; touch /tmp/opened; } & " + READY);
        try {
            Result tty = jpod("exec", "-t", "fifo-ptmx", "sh", "-c", "tty; echo tty-ok");
            assertEquals(0, tty.exitCode(), tty::toString);
            assertTrue(tty.stdout().contains("/dev/pts/") && tty.stdout().contains("tty-ok"), tty::toString);
            Result seen = jpod("exec", "fifo-ptmx", "sh", "-c", "test -p /dev/ptmx && echo fifo; test -e /tmp/opened && echo OPENED; true");
            assertEquals("fifo\n", seen.stdout(), seen::toString);
        } finally {
            jpod("rm", "-f", "fifo-ptmx");
        }
    }

    @Test
    void execTtyRefusesAFifoBoundOverDevPtsPtmx() {
        // with CAP_SYS_ADMIN the container can cover devpts's own ptmx (and so what /dev/ptmx points to)
        startReady("bound-ptmx", List.of("--cap-add", "SYS_ADMIN"),
                "mkfifo /tmp/f; mount --bind /tmp/f /dev/pts/ptmx; { echo x > /tmp/f; touch /tmp/opened; } & " + READY);
        try {
            assertEquals("fifo\n", jpod("exec", "bound-ptmx", "sh", "-c", "test -p /dev/pts/ptmx && echo fifo").stdout(),
                    "the FIFO was not bound over /dev/pts/ptmx");
            Result tty = jpod("exec", "-t", "bound-ptmx", "echo", "should-not-run");
            assertOneLineRefusal(tty, "/dev/pts/ptmx");
            Result seen = jpod("exec", "bound-ptmx", "sh", "-c", "test -e /tmp/opened && echo OPENED; echo checked");
            assertEquals("checked\n", seen.stdout(), seen::toString);
        } finally {
            jpod("rm", "-f", "bound-ptmx");
        }
    }

    @Test
    void execTtyRefusesASymlinkAtDevPts() {
        startReady("link-pts", List.of("--cap-add", "SYS_ADMIN"),
                "umount /dev/pts && rmdir /dev/pts && mkdir /tmp/pts && mkfifo /tmp/pts/ptmx && ln -s /tmp/pts /dev/pts;"
                        + " { echo x > /tmp/pts/ptmx; touch /tmp/opened; } & " + READY);
        try {
            assertEquals("link\n", jpod("exec", "link-pts", "sh", "-c", "test -L /dev/pts && echo link").stdout(),
                    "/dev/pts was not replaced by a symlink");
            Result tty = jpod("exec", "-t", "link-pts", "echo", "should-not-run");
            assertOneLineRefusal(tty, "/dev/pts");
            Result seen = jpod("exec", "link-pts", "sh", "-c", "test -e /tmp/opened && echo OPENED; echo checked");
            assertEquals("checked\n", seen.stdout(), seen::toString);
        } finally {
            jpod("rm", "-f", "link-pts");
        }
    }

    private static void assertOneLineRefusal(Result r, String names) {
        assertEquals(125, r.exitCode(), r::toString);
        assertFalse(r.stdout().contains("should-not-run"), r::toString);
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).contains(names) && lines.get(0).contains("cannot allocate a terminal"), r::toString);
    }

    // ---- exec and a reused pid

    @Test
    void execNeverJoinsAnotherProcessThatHasTheInitsPid() throws IOException {
        jpod("run", "-d", "--name", "victim", "--hostname", "victim", image, "sleep", "600").ok();
        jpod("run", "-d", "--name", "bystander", "--hostname", "bystander", image, "sleep", "600").ok();
        Path pidFile = containerRunDir("victim").resolve("pid");
        String original = Files.readString(pidFile);
        try {
            assertEquals("victim\n", jpod("exec", "victim", "hostname").stdout());
            // as if victim's init had died and its pid had gone to another container's init
            String other = Files.readString(containerRunDir("bystander").resolve("pid"));
            Files.writeString(pidFile, other);
            Result r = jpod("exec", "victim", "hostname");
            assertEquals(125, r.exitCode(), r::toString);
            assertFalse(r.stdout().contains("bystander"), r::toString);
            assertEquals(1, r.stderr().lines().count(), r::toString);
            assertTrue(r.stderr().contains("not the container's init"), r::toString);
        } finally {
            Files.writeString(pidFile, original);
            jpod("rm", "-f", "victim", "bystander");
        }
    }

    @Test
    void killNeverSignalsAnotherProcessThatHasTheInitsPid() throws IOException {
        jpod("run", "-d", "--name", "target", image, "sleep", "600").ok();
        jpod("run", "-d", "--name", "innocent", image, "sleep", "600").ok();
        Path pidFile = containerRunDir("target").resolve("pid");
        String original = Files.readString(pidFile);
        try {
            // as if target's init had died and its pid had gone to another container's init
            Files.writeString(pidFile, Files.readString(containerRunDir("innocent").resolve("pid")));
            jpod("kill", "target");
            Files.writeString(pidFile, original);
            // SIGKILL is delivered before kill(2) returns, so a JVM start later its init would be gone
            jpod("exec", "innocent", "true").ok();
            assertEquals("running", jpod("inspect", "--format", "{{.State.Status}}", "innocent").stdout().strip(),
                    "the other container's init was not signalled");
            jpod("kill", "target").ok();
            assertEquals("137", env.run(NORMAL, "wait", "target").stdout().strip(), "with the right pid, kill reaches it");
        } finally {
            Files.writeString(pidFile, original);
            jpod("rm", "-f", "target", "innocent");
        }
    }

    // ---- the monitor's attach socket

    @Test
    void anAttachClientThatDribblesAFrameDoesNotHoldUpTheContainer() {
        jpod("run", "-d", "--name", "dribbled", image, "sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.1; done; echo finished; exit 3").ok();
        Path socket = containerRunDir("dribbled").resolve("attach.sock");
        await("the attach socket", NORMAL, () -> Files.exists(socket));
        // a same-user client: a header announcing 16 KiB of input, then one byte a second
        String perl = "use IO::Socket::UNIX; chdir($ARGV[0]) or die \"chdir: $!\"; "
                + "my $s = IO::Socket::UNIX->new(Peer => 'attach.sock') or die \"connect: $!\"; "
                + "$s->syswrite('i' . pack('L', 16384)); $| = 1; print \"stalling\\n\"; "
                + "for (1..600) { sleep 1; $s->syswrite('x') or exit 0; }";
        BoundedProcess client = BoundedProcess.start(env.user().wrap(List.of("perl", "-e", perl, socket.getParent().toString())),
                env.environment(), env.home(), env.home().resolve("hardening-client"));
        try {
            await("the client's header sent", NORMAL, () -> client.stdoutSoFar().contains("stalling") || !client.process().isAlive());
            assertTrue(client.process().isAlive(), () -> "the client ended: " + client.await(Duration.ofSeconds(5)));
            jpod("exec", "dribbled", "touch", "/tmp/go").ok();
            // the monitor must see the container's output and exit while the client is still mid-frame
            Result waited = env.run(Duration.ofSeconds(30), "wait", "dribbled");
            assertEquals("3", waited.stdout().strip(), waited::toString);
            assertTrue(jpod("logs", "dribbled").stdout().contains("finished"));
        } finally {
            client.killTree();
            jpod("rm", "-f", "dribbled");
        }
    }

    // ---- mount options

    @Test
    void mountOptionsLongerThanTheHelperTakesAreRefused() throws IOException {
        String options = "size=1m," + "mode=1777,".repeat(110) + "ro"; // > 1 KiB, the "ro" at the end
        Result r = jpod("run", "--rm", "--name", "longopts", "--tmpfs", "/scratch:" + options, image, "echo", "started");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("", r.stdout(), r::toString);
        assertEquals(1, r.stderr().lines().count(), r::toString);
        assertTrue(r.stderr().contains("/scratch") && r.stderr().contains("1023"), r::toString);
        assertFalse(jpod("ps", "-a", "--format", "{{.Names}}").stdout().lines().anyMatch("longopts"::equals));

        // the helper itself refuses such a record rather than cut it
        Path dir = env.home().resolve("hardening-spec");
        Files.createDirectories(dir);
        Path spec = dir.resolve("spec");
        String records = "rootfs=/nonexistent\0arg=true\0mount=tmpfs\t\t/scratch\t" + "mode=1777,".repeat(110) + "ro\0";
        Files.write(spec, records.getBytes(StandardCharsets.UTF_8));
        spec.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        Path helper = JpodInstall.get().resolve("libexec/jpod-helper");
        Result h = BoundedProcess.run(NORMAL, env.user().wrap(List.of(helper.toString(), "run", spec.toString())),
                env.environment(), env.home(), env.home().resolve("hardening-client"));
        assertEquals(125, h.exitCode(), h::toString);
        assertEquals(List.of(), h.stdout().lines().toList(), h::toString);
        assertEquals(1, h.stderr().lines().count(), h::toString);
        assertTrue(h.stderr().startsWith("jpod-helper: run: spec: the options of mount /scratch are 1102 bytes long"), h::toString);
    }
}
