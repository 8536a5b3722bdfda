package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.Await;
import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Causes found by podman's system tests 030-run, 035-logs, 040-ps, 050-stop and 075-exec (docs/CONFORMANCE.md), one
 * test each: podman's exec error lines, --memory=0, inspect --latest, --timeout, --hostuser, top's descriptors, stop's
 * warning and "stopping" state, logs of several containers, ps status=stopped and --sort created, exec under keep-id.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunStopConformanceTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/runconf");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    @Test
    void aCommandThatCannotBeExecutedIsOnePodmanErrorLine() {
        Result missing = env.run(JpodEnv.NORMAL, "run", "--rm", image, "/no/such/command");
        assertEquals(127, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().matches("(?s)Error:.*/no/such/command.*no such file or directory\n"), missing::toString);
        Result dir = env.run(JpodEnv.NORMAL, "run", "--rm", image, "/etc");
        assertEquals(126, dir.exitCode(), dir::toString);
        assertTrue(dir.stderr().matches("(?s)Error:.*exec.*permission denied\n"), dir::toString);
    }

    @Test
    void memoryZeroIsNoLimitAndNeedsNoCgroup() {
        Result r = env.ok("run", "--memory=0", "--rm", image, "echo", "hello");
        assertEquals("hello\n", r.stdout(), r::toString);
        // where no delegated cgroup exists on v1, podman's one warning line, nothing else
        assertTrue(r.stderr().isEmpty() || r.stderr().equals("Resource limits are not supported and ignored on cgroups V1 rootless systems\n"),
                r::toString);
    }

    @Test
    void inspectLatestIsTheContainerCreatedLast() {
        env.ok("create", "--name", "latest-one", image, "true");
        assertEquals("latest-one", env.ok("inspect", "-l", "--format", "{{.Name}}").stdout().strip());
        Result both = env.run(JpodEnv.NORMAL, "inspect", "-l", "latest-one");
        assertEquals(125, both.exitCode(), both::toString);
        env.ok("rm", "latest-one");
    }

    @Test
    void timeoutKillsTheContainerWithExitCodeMinusOne() {
        Result r = env.run(JpodEnv.NORMAL, "run", "--name", "timed", "--timeout", "2", image, "sleep", "60");
        assertEquals(255, r.exitCode(), r::toString);
        assertEquals("exited -1", env.ok("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "timed").stdout().strip());
        env.ok("rm", "timed");
        Result bad = env.run(JpodEnv.NORMAL, "run", "--rm", "--timeout", "-1", image, "true");
        assertEquals(125, bad.exitCode(), bad::toString);
    }

    @Test
    void hostuserAddsTheHostsPasswdEntry() {
        String user = env.user().name();
        assertEquals(1, env.run(JpodEnv.NORMAL, "run", "--rm", image, "grep", user, "/etc/passwd").exitCode());
        Result byName = env.ok("run", "--hostuser=" + user, "--rm", image, "grep", user, "/etc/passwd");
        assertTrue(byName.stdout().startsWith(user + ":"), byName::toString);
        String uid = Integer.toString(env.user().uid());
        Result byUid = env.ok("run", "--hostuser=" + uid, "--user", uid, "--rm", image, "id", "-un");
        assertEquals(user, byUid.stdout().strip(), byUid::toString);
        Result bogus = env.run(JpodEnv.NORMAL, "run", "--hostuser=bogus", "--rm", image, "true");
        assertEquals(126, bogus.exitCode(), bogus::toString);
        assertTrue(bogus.stderr().startsWith("Error: --hostuser bogus:"), bogus::toString);
    }

    @Test
    void topTakesPodmansDescriptors() {
        env.ok("run", "-d", "--name", "topper", image, "sleep", "600");
        Result r = env.ok("top", "topper", "huser,user", "pid", "args");
        List<String> lines = r.stdout().lines().toList();
        assertEquals(List.of("HUSER", "USER", "PID", "COMMAND"), List.of(lines.get(0).trim().split("\\s+")), r::toString);
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\S+\\s+\\S+\\s+1\\s+sleep 600\\s*")), r::toString);
        Result bad = env.run(JpodEnv.NORMAL, "top", "topper", "bogus");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().startsWith("Error: unknown descriptor: bogus"), bad::toString);
        env.ok("rm", "-f", "-t", "0", "topper");
    }

    @Test
    void stopWarnsWhenTheStopSignalDidNotEndTheContainer() {
        env.ok("run", "--rm", "--name", "stubborn", "-d", image, "sleep", "100");
        Result r = env.ok("stop", "-t", "1", "stubborn");
        assertEquals("stubborn\n", r.stdout(), r::toString);
        assertTrue(r.stderr().contains("StopSignal SIGTERM failed to stop container stubborn in 1 seconds, resorting to SIGKILL"), r::toString);
        env.ok("run", "-d", "--name", "willing", image, "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done");
        Result quiet = env.ok("stop", "--timeout=30", "willing"); // podman's alias of --time
        assertEquals("", quiet.stderr(), quiet::toString);
        env.ok("rm", "willing");
    }

    @Test
    void aContainerBeingStoppedIsStopping() {
        env.ok("run", "-d", "--name", "stopme", image, "sh", "-c",
                "trap 'echo Received SIGTERM, ignoring' TERM; echo READY; while :; do sleep 0.2; done");
        Await.await("READY", Duration.ofSeconds(60), () -> env.ok("logs", "stopme").stdout().contains("READY"));
        BoundedProcess stop = env.start("stop", "-t", "100", "stopme");
        try {
            Await.await("SIGTERM received", Duration.ofSeconds(60), () -> env.ok("logs", "stopme").stdout().contains("Received SIGTERM"));
            assertEquals("stopping", env.ok("inspect", "--format", "{{.State.Status}}", "stopme").stdout().strip());
            env.ok("kill", "stopme");
            assertEquals(0, stop.await(JpodEnv.NORMAL).exitCode());
        } finally {
            stop.killTree();
        }
        assertEquals("exited 137", env.ok("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "stopme").stdout().strip());
        env.ok("rm", "stopme");
    }

    @Test
    void logsOfSeveralContainersArePrefixedWithTheirIds() {
        String one = env.ok("run", "-d", "--name", "log1", image, "sh", "-c", "echo a; sleep 1; echo c").stdout().strip().substring(0, 12);
        String two = env.ok("run", "-d", "--name", "log2", image, "echo", "b").stdout().strip().substring(0, 12);
        Result follow = env.ok("logs", "-f", "log1", "log2");
        assertEquals(java.util.stream.Stream.of(one + " a", one + " c", two + " b").sorted().toList(),
                follow.stdout().lines().sorted().toList(), follow::toString);
        env.ok("wait", "log1", "log2");
        Result all = env.ok("logs", "log1", "log2");
        assertEquals(List.of(one + " a", one + " c", two + " b"), all.stdout().lines().toList(), all::toString);
        env.ok("rm", "log1", "log2");
    }

    @Test
    void psStatusStoppedMeansEndedAndSortCreatedIsOldestFirst() {
        env.ok("run", "--name", "ps-first", image, "true");
        assertEquals(1, env.run(JpodEnv.NORMAL, "run", "--name", "ps-second", image, "false").exitCode());
        Result r = env.ok("ps", "--filter", "status=stopped", "--filter", "name=ps-", "--format", "{{.Names}}", "--sort", "created");
        assertEquals(List.of("ps-first", "ps-second"), r.stdout().lines().toList(), r::toString);
        env.ok("rm", "ps-first", "ps-second");
    }

    @Test
    void execRunsAsTheKeepIdUserWhoHasAName() {
        env.ok("run", "-d", "--name", "kept", "--userns=keep-id", image, "sleep", "600");
        String user = env.user().name();
        assertEquals(user, env.ok("exec", "kept", "id", "-un").stdout().strip());
        assertEquals(Integer.toString(env.user().uid()), env.ok("exec", "--user=" + user, "kept", "id", "-u").stdout().strip());
        env.ok("rm", "-f", "-t", "0", "kept");
    }

    @Test
    void aHostPortInUseLeavesTheContainerCreatedUnlessRm() throws Exception {
        try (java.net.ServerSocket held = new java.net.ServerSocket(0)) {
            String port = held.getLocalPort() + ":80";
            Result kept = env.run(JpodEnv.NORMAL, "run", "-p", port, "-d", "--name", "port-kept", image, "top");
            assertEquals(126, kept.exitCode(), kept::toString);
            assertTrue(kept.stderr().startsWith("Error: host port " + held.getLocalPort()), kept::toString);
            Result removed = env.run(JpodEnv.NORMAL, "run", "-p", port, "--rm", "-d", "--name", "port-gone", image, "top");
            assertEquals(126, removed.exitCode(), removed::toString);
            Result ps = env.ok("ps", "-a", "--filter", "name=port-", "--format", "{{.Names}} {{.Status}}");
            assertEquals("port-kept Created", ps.stdout().strip(), ps::toString);
        }
        env.ok("rm", "port-kept");
    }

    @Test
    void ttyWithoutATerminalWarnsAndLoadRefusesToReadOne() {
        Result noTty = env.ok("run", "--tty", "-i", "--rm", image, "echo", "hello"); // stdin: /dev/null
        assertTrue(noTty.stderr().contains("level=warning msg=\"The input device is not a TTY. The --tty and --interactive flags might not work properly\""),
                noTty::toString);
        assertEquals("", env.ok("run", "--tty", "-i=false", "--rm", image, "echo", "hello").stderr());
        // `script` gives load a pseudo-terminal as stdin: podman's refusal, before anything is read
        Result load = env.startWrapped(cmd -> List.of("script", "-qec", cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                .collect(java.util.stream.Collectors.joining(" ")), "/dev/null"), java.util.Map.of(), "load").await(JpodEnv.NORMAL);
        assertEquals(125, load.exitCode(), load::toString);
        assertTrue(load.stdout().contains("Error: cannot read from terminal, use command-line redirection or the --input flag"), load::toString);
    }

    @Test
    void runtimeNamesACopyOfTheHelperWhichTheRecordKeeps() throws Exception {
        java.nio.file.Path helper = java.nio.file.Path.of(env.ok("info", "--format", "{{.Host.OCIRuntime.Path}}").stdout().strip());
        java.nio.file.Path copy = env.home().resolve("myruntime-copy");
        java.nio.file.Files.copy(helper, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String id = env.ok("run", "-d", "--runtime", copy.toString(), image, "sleep", "60").stdout().strip();
        assertEquals(copy.toString(), env.ok("inspect", "--format", "{{.OCIRuntime}}", id).stdout().strip());
        assertEquals("jpod-helper", env.ok("inspect", "--format", "{{.OCIRuntime}}",
                env.ok("create", image, "true").stdout().strip()).stdout().strip());
        env.ok("rm", "-f", "-t", "0", id);
        Result byName = env.run(JpodEnv.NORMAL, "run", "--rm", "--runtime", "runc", image, "true");
        assertEquals(125, byName.exitCode(), byName::toString);
        assertTrue(byName.stderr().startsWith("Error: --runtime runc: jpod runs containers with its own helper"), byName::toString);
    }
}
