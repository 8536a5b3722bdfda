package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.JpodInstall;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.CollectedOutput;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `attach` with stdin through the monitor's attach socket (pipes and a real pty), the detach keys, `start -a -i`,
 * and the log options (--log-driver none, --log-opt max-size / path).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AttachAndLogOptionsTest {
    private static final Duration NORMAL = Duration.ofSeconds(90);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/busybox");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    private static Result jpod(String... args) {
        return env.run(NORMAL, args);
    }

    /** A jpod (or a command line around it) with piped stdin and its output collected as it comes. */
    private static final class Live implements AutoCloseable {
        final Process process;
        final CollectedOutput seen;

        Live(List<String> command, boolean withTerm) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(env.user().wrap(command)).directory(env.home().toFile()).redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().putAll(env.environment());
            if (withTerm) {
                pb.environment().put("TERM", "xterm");
            }
            process = pb.start();
            seen = CollectedOutput.of(process);
        }

        static Live jpod(String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(JpodInstall.launcher().toString());
            cmd.addAll(List.of(args));
            return new Live(cmd, false);
        }

        /** jpod under script(1): its stdin and stdout are a real pty. */
        static Live inPty(String jpodArgs) throws IOException {
            return new Live(List.of("script", "-qfec", JpodInstall.launcher() + " " + jpodArgs, "/dev/null"), true);
        }

        void type(byte... bytes) throws IOException {
            process.getOutputStream().write(bytes);
            process.getOutputStream().flush();
        }

        void type(String text) throws IOException {
            type(text.getBytes(StandardCharsets.UTF_8));
        }

        void closeStdin() throws IOException {
            process.getOutputStream().close();
        }

        void awaitSeen(String text) {
            await("\"" + text + "\" in: " + seen, NORMAL, () -> seen.toString().contains(text));
        }

        int awaitExit() throws InterruptedException {
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), () -> "still running; output: " + seen);
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static final byte CTRL_P = 0x10;
    private static final byte CTRL_Q = 0x11;

    @Test
    void attachRelaysStdinAndTheDetachKeysLeaveItRunning() throws Exception {
        env.ok("run", "-d", "-i", "--name", "echoer", image, "cat");
        try (Live a = Live.jpod("attach", "echoer")) {
            a.type("hello through the socket\n");
            a.awaitSeen("hello through the socket");
            a.type(CTRL_P, CTRL_Q);
            assertEquals(0, a.awaitExit(), a.seen::toString);
        }
        assertEquals("running", env.inspect("echoer").at("/State/Status").asText());
        assertTrue(env.ok("logs", "echoer").stdout().contains("hello through the socket"));

        // a half-typed detach sequence is input; --detach-keys changes the sequence; EOF ends cat with 0
        try (Live a = Live.jpod("attach", "--detach-keys", "ctrl-x", "echoer")) {
            a.type(new byte[]{CTRL_P, 'o', 'k', '\n'});
            a.awaitSeen("\u0010ok");
            a.closeStdin();
            assertEquals(0, a.awaitExit(), a.seen::toString);
        }
        JsonNode state = env.inspect("echoer").at("/State");
        assertEquals("exited", state.get("Status").asText(), state::toString);
        assertEquals(0, state.get("ExitCode").asInt());
        env.ok("rm", "echoer");
    }

    @Test
    void attachReturnsTheStatusAndNoStdinLeavesStdinAlone() throws Exception {
        env.ok("run", "-d", "-i", "--name", "reader", image,
                "sh", "-c", "(while true; do echo tick; sleep 0.2; done) & read x; echo got $x; exit 7");
        try (Live a = Live.jpod("attach", "--no-stdin", "reader")) {
            a.type("ignored\n");
            a.closeStdin();
            a.awaitSeen("tick"); // attached
            try (Live b = Live.jpod("attach", "reader")) {
                b.awaitSeen("tick");
                b.type("seven\n");
                b.awaitSeen("got seven");
                assertEquals(7, b.awaitExit(), b.seen::toString);
            }
            assertEquals(7, a.awaitExit(), a.seen::toString);
            assertTrue(a.seen.toString().contains("got seven"), a.seen::toString);
        }
        Result r = jpod("attach", "reader");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("not running"), r::toString);
        env.ok("rm", "reader");
    }

    @Test
    void attachToATtyThroughAPty() throws Exception {
        env.ok("run", "-d", "-i", "-t", "--name", "shell", image, "sh");
        try (Live a = Live.inPty("attach shell")) {
            a.type("echo $((6*7)); tty\n");
            a.awaitSeen("42");
            a.awaitSeen("/dev/pts/");
            a.type(CTRL_P, CTRL_Q);
            assertEquals(0, a.awaitExit(), a.seen::toString);
        }
        assertEquals("running", env.inspect("shell").at("/State/Status").asText());
        try (Live a = Live.inPty("attach shell")) {
            // resizing the attacher's terminal (SIGWINCH to it) resizes the container's
            a.type("echo attached\n");
            a.awaitSeen("attached");
            String pts = attachClientTerminal(a.process);
            Process stty = new ProcessBuilder("stty", "-F", pts, "rows", "33", "cols", "101").inheritIO().start();
            assertTrue(stty.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, stty.exitValue());
            await("the new size: " + a.seen, NORMAL, () -> {
                try {
                    a.type("stty size\n");
                    a.process.waitFor(200, TimeUnit.MILLISECONDS); // a bounded pause between tries, not a sync
                } catch (IOException | InterruptedException e) {
                    return fail(e);
                }
                return a.seen.toString().contains("33 101");
            });
            a.type("exit 3\n");
            assertEquals(3, a.awaitExit(), a.seen::toString);
        }
        assertEquals(3, env.inspect("shell").at("/State/ExitCode").asInt());
        env.ok("rm", "shell");
    }

    /** The pty the `jpod-helper attach` client under process p reads (its fd 0). */
    private static String attachClientTerminal(Process p) {
        long end = System.nanoTime() + NORMAL.toNanos();
        while (System.nanoTime() < end) {
            for (ProcessHandle h : p.descendants().toList()) {
                String cmd = h.info().commandLine().orElse("");
                if (cmd.contains("jpod-helper") && cmd.contains(" attach ")) {
                    try {
                        return Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "fd", "0")).toString();
                    } catch (IOException e) {
                        return fail(e);
                    }
                }
            }
            Thread.onSpinWait();
        }
        return fail("no jpod-helper attach process under " + p.pid());
    }

    @Test
    void startAttachInteractiveEchoesAndExitsAtEof() throws Exception {
        Result created = env.ok("create", "-i", "--name", "later", image, "cat");
        assertTrue(created.stdout().strip().matches("[0-9a-f]{64}"), created::toString);
        assertEquals("created", env.inspect("later").at("/State/Status").asText());
        try (Live s = Live.jpod("start", "-a", "-i", "later")) {
            s.type("first line\n");
            s.awaitSeen("first line");
            s.type("second line\n");
            s.closeStdin();
            assertEquals(0, s.awaitExit(), s.seen::toString);
            assertEquals("first line\nsecond line\n", s.seen.toString());
        }
        assertEquals("exited", env.inspect("later").at("/State/Status").asText());
        // start -i alone attaches too, and output written before the attach is not lost; an exited container
        env.ok("run", "-i", "--name", "status", image, "sh", "-c", "echo early; read x; exit ${x:-0}");
        assertEquals("exited", env.inspect("status").at("/State/Status").asText());
        try (Live s = Live.jpod("start", "-i", "status")) {
            s.awaitSeen("early");
            s.type("5\n");
            assertEquals(5, s.awaitExit(), s.seen::toString);
        }
        env.ok("rm", "later", "status");
    }

    @Test
    void attachProxiesSignalsToTheContainer() throws Exception {
        env.ok("run", "-d", "--name", "trapper", image,
                "sh", "-c", "trap 'echo got it; exit 42' INT; while true; do echo tick; sleep 0.1; done");
        try (Live a = Live.jpod("attach", "trapper")) {
            a.awaitSeen("tick");
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(a.process.pid())).inheritIO().start();
            assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
            assertEquals(42, a.awaitExit(), a.seen::toString);
            assertTrue(a.seen.toString().contains("got it"), a.seen::toString);
        }
        env.ok("rm", "trapper");
    }

    @Test
    void stopThenStartAtOnceKeepsTheNewRun() {
        env.ok("run", "-d", "--name", "again", image, "sleep", "1000");
        String id = env.inspect("again").at("/Id").asText();
        env.ok("stop", "-t", "0", "again");
        JsonNode stopped = env.inspect("again").at("/State");
        assertEquals("exited", stopped.get("Status").asText(), stopped::toString);
        assertEquals(137, stopped.get("ExitCode").asInt(), stopped::toString);
        // the first run's exit command (a JVM of its own) may still be on its way: it must leave this run alone
        env.ok("start", "again");
        env.ok("exec", "again", "true");
        Result exec = env.ok("exec", "again", "ls", "/bin/busybox");
        assertTrue(exec.stdout().contains("busybox"), exec::toString);
        assertEquals("running", env.inspect("again").at("/State/Status").asText());
        env.ok("rm", "-f", "again");
        assertFalse(Files.exists(env.storageRoot().resolve("containers").resolve(id)));
    }

    @Test
    void logMaxSizeRotates() throws IOException {
        Result run = env.ok("run", "--name", "chatty", "--log-opt", "max-size=2k", image,
                "sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); done");
        assertEquals(300, run.stdout().lines().count(), run::toString);
        JsonNode c = env.inspect("chatty");
        Path log = Path.of(c.at("/LogPath").asText());
        assertEquals("2kB", c.at("/HostConfig/LogConfig/Size").asText(), c::toString);
        Path rotated = log.resolveSibling(log.getFileName() + ".1");
        assertTrue(Files.exists(rotated), "rotated log " + rotated);
        assertTrue(Files.size(log) < 2000 + 100, () -> log + " is past its cap");
        List<String> shown = env.ok("logs", "chatty").stdout().lines().toList();
        assertEquals("line 299", shown.get(shown.size() - 1));
        assertTrue(shown.size() < 300, "older records were rotated away: " + shown.size());
        Result bad = jpod("run", "--rm", "--log-opt", "max-size=lots", image, "true");
        assertEquals(125, bad.exitCode(), bad::toString);
        env.ok("rm", "chatty");
    }

    @Test
    void logDriverNoneAndLogPath() throws IOException {
        Result run = env.ok("run", "--name", "silent", "--log-driver", "none", image, "echo", "hi");
        assertEquals("hi\n", run.stdout());
        Result logs = jpod("logs", "silent");
        assertEquals(125, logs.exitCode(), logs::toString);
        assertTrue(logs.stderr().contains("'none' log driver"), logs::toString);
        assertEquals("none", env.inspect("silent").at("/HostConfig/LogConfig/Type").asText());
        String id = env.inspect("silent").at("/Id").asText();
        assertFalse(Files.exists(env.storageRoot().resolve("containers").resolve(id).resolve("ctr.log")));

        Path mine = env.home().resolve("my.log");
        env.ok("run", "--name", "pathed", "--log-opt", "path=" + mine, image, "echo", "to my file");
        assertTrue(Files.readString(mine).contains("stdout F to my file"), () -> mine.toString());
        assertEquals("to my file\n", env.ok("logs", "pathed").stdout());

        Result bad = jpod("run", "--rm", "--log-driver", "journald", image, "true");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().contains("k8s-file or none"), bad::toString);
        env.ok("rm", "silent", "pathed");
    }
}
