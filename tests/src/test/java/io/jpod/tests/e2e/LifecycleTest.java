package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.CollectedOutput;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The container lifecycle without a resident JVM: detached containers under the native monitor, their logs,
 * exec into their namespaces, stop with the SIGKILL fallback, --init reaping, --rm, many at once, and state that
 * stays true when the monitor is killed.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LifecycleTest {
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

    private static JsonNode psJson() {
        return env.ok("ps", "-a", "--format", "json").json();
    }

    private static long countContainerDirs() {
        Path dir = env.storageRoot().resolve("containers");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).count();
        } catch (IOException e) {
            return fail(e);
        }
    }

    @Test
    void detachedLoopLogsAndStop() {
        Result run = env.ok("run", "-d", "--name", "ticker", "--label", "app=tick", image, "sh", "-c", "while true; do echo tick; sleep 0.2; done");
        String id = run.stdout().strip();
        assertTrue(id.matches("[0-9a-f]{64}"), () -> "run -d prints the full id: " + run);
        assertEquals("running", env.inspect("ticker").at("/State/Status").asText());
        assertTrue(env.ok("ps", "-q").stdout().contains(id.substring(0, 12)));
        assertTrue(env.ok("ps", "--filter", "status=running", "--filter", "name=tick").stdout().contains("ticker"));
        assertTrue(env.ok("ps", "-q", "--filter", "label=app=tick").stdout().contains(id.substring(0, 12)));
        assertEquals("", env.ok("ps", "-q", "--filter", "status=exited", "--filter", "name=ticker").stdout().strip());
        assertEquals("tick", env.inspect("ticker").at("/Config/Labels/app").asText());

        // logs -f sees lines written after it started
        BoundedProcess follow = env.start("logs", "-f", "ticker");
        await("logs of the detached loop", NORMAL, () -> env.ok("logs", "ticker").stdout().split("tick").length > 3);
        Result tail = env.ok("logs", "--tail", "2", "-t", "ticker");
        List<String> lines = tail.stdout().lines().toList();
        assertEquals(2, lines.size(), tail::toString);
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+(Z|[+-]\\d\\d:\\d\\d) tick"), tail::toString);
        assertEquals("", env.ok("logs", "--since", "2999-01-01T00:00:00Z", "ticker").stdout());

        // the monitor is small and no JVM stays
        long monitor = env.inspect("ticker").at("/State/ConmonPid").asLong();
        assertTrue(monitor > 0);
        long rssKb = vmRssKb(monitor);
        assertTrue(rssKb > 0 && rssKb < 2048, "monitor RSS " + rssKb + " kB");

        Result stop = env.ok("stop", "-t", "5", "ticker");
        Result followed = follow.await(NORMAL);
        assertEquals(0, followed.exitCode(), followed::toString);
        long ticks = followed.stdout().lines().filter(l -> l.equals("tick")).count();
        assertTrue(ticks >= 3, () -> "logs -f saw " + ticks + " lines: " + followed);
        JsonNode state = env.inspect("ticker").at("/State");
        assertEquals("exited", state.get("Status").asText(), stop::toString);
        assertTrue(!state.get("FinishedAt").asText().startsWith("0001"), state::toString);
        assertFalse(isMounted(env.storageRoot().resolve("containers").resolve(id).resolve("merged")));
        env.ok("rm", "ticker");
    }

    @Test
    void stopSendsTheImagesStopSignal() {
        registry.push(TestImage.busybox().stopSignal("SIGUSR1").build(), "library/usr1", "latest");
        String usr1 = registry.hostPort() + "/library/usr1:latest";
        // PID 1 ignores TERM and exits 42 on USR1: only the image's StopSignal ends it before the kill timeout
        env.ok("run", "-d", "--name", "usr1", usr1, "sh", "-c",
                "trap '' TERM; trap 'exit 42' USR1; while true; do sleep 0.1; done");
        env.ok("stop", "-t", "30", "usr1");
        assertEquals(42, env.inspect("usr1").at("/State/ExitCode").asInt());
        env.ok("rm", "usr1");
    }

    @Test
    void stopKillsWhatIgnoresTheStopSignal() {
        env.ok("run", "-d", "--name", "stubborn", image, "sh", "-c", "trap '' TERM; while true; do sleep 0.1; done");
        env.ok("stop", "-t", "1", "stubborn");
        JsonNode state = env.inspect("stubborn").at("/State");
        assertEquals("exited", state.get("Status").asText());
        assertEquals(137, state.get("ExitCode").asInt());
        Result wait = env.ok("wait", "stubborn");
        assertEquals("137", wait.stdout().strip());
        env.ok("restart", "-t", "1", "stubborn");
        assertEquals("running", env.inspect("stubborn").at("/State/Status").asText());
        env.ok("rm", "-f", "stubborn");
        assertEquals("", env.ok("ps", "-a", "-q", "--filter", "name=stubborn").stdout().strip());
    }

    @Test
    void execJoinsTheContainersNamespaces() {
        env.ok("run", "-d", "--name", "host1", "--hostname", "inside", image, "sleep", "600");
        Result r = env.ok("exec", "host1", "sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$");
        List<String> lines = r.stdout().lines().toList();
        assertEquals("inside", lines.get(0), r::toString);
        assertEquals("sleep 600", lines.get(1).strip(), r::toString);
        assertTrue(Integer.parseInt(lines.get(2).strip()) < 100, () -> "a pid of the container's namespace: " + r);
        Result user = env.ok("exec", "-u", "1000:1000", "-w", "/tmp", "-e", "FOO=bar", "host1", "sh", "-c", "id -u; pwd; echo $FOO");
        assertEquals(List.of("1000", "/tmp", "bar"), user.stdout().lines().toList(), user::toString);
        assertEquals(3, jpod("exec", "host1", "sh", "-c", "exit 3").exitCode());
        assertEquals(127, jpod("exec", "host1", "no-such-command").exitCode());
        Result top = env.ok("top", "host1");
        assertTrue(top.stdout().contains("sleep 600"), top::toString);
        env.ok("kill", "-s", "KILL", "host1");
        assertEquals("137", env.ok("wait", "host1").stdout().strip());
        env.ok("rm", "host1");
    }

    @Test
    void initReapsZombiesAndIsPid1() {
        Result r = env.ok("run", "--rm", "--init", image, "sh", "-c",
                "(sleep 0.2 &); sleep 1; cat /proc/1/comm; grep -l '^State:.*Z' /proc/[0-9]*/status | wc -l");
        List<String> lines = r.stdout().lines().map(String::strip).toList();
        assertEquals(List.of("jpod-init", "0"), lines, r::toString);
        assertEquals(7, jpod("run", "--rm", "--init", image, "sh", "-c", "exit 7").exitCode());
    }

    @Test
    void rmLeavesNothing() {
        long before = countContainerDirs();
        env.ok("run", "--rm", image, "true");
        Result d = env.ok("run", "-d", "--rm", image, "sh", "-c", "sleep 1; exit 4");
        String id = d.stdout().strip();
        assertEquals("4", env.ok("wait", id).stdout().strip(), "wait outlives a --rm container");
        await("the detached --rm container is removed", NORMAL,
                () -> !Files.exists(env.storageRoot().resolve("containers").resolve(id)));
        assertEquals(before, countContainerDirs());
        for (JsonNode c : psJson()) {
            assertFalse(c.get("Id").asText().equals(id), "still listed: " + c);
        }
    }

    @Test
    void killedMonitorShowsAsExited() throws Exception {
        String id = env.ok("run", "-d", "--name", "orphan", image, "sleep", "600").stdout().strip();
        long monitor = env.inspect("orphan").at("/State/ConmonPid").asLong();
        assertTrue(monitor > 0);
        ProcessHandle.of(monitor).ifPresent(ProcessHandle::destroyForcibly);
        await("the monitor to die", NORMAL, () -> ProcessHandle.of(monitor).map(p -> !p.isAlive()).orElse(true));
        JsonNode ps = psJson();
        JsonNode mine = null;
        for (JsonNode c : ps) {
            if (c.get("Id").asText().equals(id)) {
                mine = c;
            }
        }
        assertTrue(mine != null, ps::toString);
        assertEquals("exited", mine.get("State").asText(), mine::toString);
        JsonNode state = env.inspect("orphan").at("/State");
        assertTrue(state.get("Error").asText().contains("monitor"), state::toString);
        assertFalse(isMounted(env.storageRoot().resolve("containers").resolve(id).resolve("merged")));
        env.ok("rm", "orphan");
    }

    @Test
    void startRestartRenameAndCopy() throws Exception {
        env.ok("run", "--name", "again", image, "sh", "-c", "echo run >> /log; cat /log");
        Result start = env.ok("start", "-a", "again");
        assertEquals(List.of("run", "run"), start.stdout().lines().toList(), start::toString);
        env.ok("rename", "again", "renamed");
        Path host = Files.createTempFile(env.home(), "cp", ".txt");
        Files.writeString(host, "from the host\n");
        env.user().chown(host);
        env.ok("cp", host.toString(), "renamed:/copied.txt");
        Path back = env.home().resolve("back.txt");
        env.ok("cp", "renamed:/copied.txt", back.toString());
        assertEquals("from the host\n", Files.readString(back));
        env.ok("rm", "renamed");
    }

    @Test
    void twentyAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<Result>> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String name = "many" + i;
                runs.add(pool.submit(() -> env.run(Duration.ofSeconds(240), "run", "-d", "--name", name, image, "sleep", "600")));
            }
            for (Future<Result> f : runs) {
                f.get(300, TimeUnit.SECONDS).ok();
            }
            assertEquals(20, env.ok("ps", "-q", "--filter", "name=^many").stdout().lines().count());
            List<Future<Result>> rms = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String name = "many" + i;
                Callable<Result> rm = () -> env.run(Duration.ofSeconds(240), "rm", "-f", name);
                rms.add(pool.submit(rm));
            }
            for (Future<Result> f : rms) {
                f.get(300, TimeUnit.SECONDS).ok();
            }
            assertEquals(0, env.ok("ps", "-a", "-q", "--filter", "name=^many").stdout().lines().count());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void interactiveShellThroughAPty() throws Exception {
        String jpod = io.jpod.tests.support.JpodInstall.launcher().toString();
        List<String> cmd = env.user().wrap(List.of("script", "-qfec", jpod + " run -it --rm " + image + " sh", "/dev/null"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(env.home().toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env.environment());
        pb.environment().put("TERM", "xterm");
        Process p = pb.start();
        CollectedOutput seen = CollectedOutput.of(p);
        try {
            await("the shell prompt: " + seen, NORMAL, () -> seen.contains("# "));
            type(p, "tty; echo $((6*7))\n");
            await("the answer: " + seen, NORMAL, () -> seen.contains("42"));
            assertTrue(seen.toString().contains("/dev/pts/"), seen::toString);
            type(p, "stty rows 33 cols 101; stty size\n");
            await("the new size: " + seen, NORMAL, () -> seen.contains("33 101"));
            type(p, "exit 3\n");
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), seen::toString);
            assertEquals(3, p.exitValue(), seen::toString);
        } finally {
            p.destroyForcibly();
        }
        // raw mode of the caller's terminal is restored when the container ends
        List<String> check = env.user().wrap(List.of("script", "-qfec", jpod + " run -t --rm " + image + " true; stty -a", "/dev/null"));
        Result r = BoundedProcess.run(NORMAL, check, withTerm(), env.home(), env.home());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains(" icanon") && r.stdout().contains(" echo "), () -> "terminal left in raw mode: " + r);
    }

    @Test
    void interruptOfAForegroundRunReachesTheContainer() throws Exception {
        List<String> cmd = env.user().wrap(List.of(io.jpod.tests.support.JpodInstall.launcher().toString(), "run", "--rm", image,
                "sh", "-c", "trap 'echo got it; exit 42' INT; echo ready; while true; do sleep 0.1; done"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(env.home().toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env.environment());
        Process p = pb.start();
        CollectedOutput seen = CollectedOutput.of(p);
        try {
            await("the container to be ready: " + seen, NORMAL, () -> seen.contains("ready"));
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
            assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), seen::toString);
            seen.join(10_000);
            assertEquals(42, p.exitValue(), seen::toString);
            assertTrue(seen.toString().contains("got it"), seen::toString);
        } finally {
            p.destroyForcibly();
        }
    }

    private static java.util.Map<String, String> withTerm() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(env.environment());
        m.put("TERM", "xterm");
        return m;
    }

    private static void type(Process p, String text) throws IOException {
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
    }

    private static long vmRssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** In the pause process's mount namespace, where jpod mounts rootfs. */
    private static boolean isMounted(Path path) {
        long pause = env.pauseProcess().orElseThrow().pid();
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pause), "mountinfo")).stream()
                    .anyMatch(l -> l.split(" ")[4].equals(path.toString()));
        } catch (IOException e) {
            return fail(e);
        }
    }
}
