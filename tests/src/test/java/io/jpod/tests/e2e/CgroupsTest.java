package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.tests.support.CgroupTestSupport;
import io.jpod.tests.support.DelegatedCgroups;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resource limits for real. On cgroup v1 (these machines) the test, as root, delegates v1 directories below its
 * own cgroups to the test user ({@link DelegatedCgroups}) and points jpod at them with JPOD_CGROUP_V1_PARENT; on
 * a machine whose user has cgroup v2 delegation the tests run against that; otherwise they are skipped.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CgroupsTest {
    private static final Duration NORMAL = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V1_ENV = "JPOD_CGROUP_V1_PARENT";

    private static JpodEnv env;
    private static LocalRegistry registry;
    private static DelegatedCgroups delegated;
    private static Map<String, Optional<String>> cgEnv = Map.of();
    private static String image;

    @BeforeAll
    static void setUp() throws IOException {
        env = JpodEnv.create(TestUser.get());
        if (TestUser.jvmIsRoot() && DelegatedCgroups.v1Available()) {
            delegated = DelegatedCgroups.create(env.user());
            cgEnv = Map.of(V1_ENV, Optional.of(delegated.setting()));
        } else {
            Result info = env.run(NORMAL, "info", "--format", "json");
            JsonNode cg = JSON.readTree(info.stdout()).path("cgroups");
            Assumptions.assumeTrue(cg.path("version").asText().equals("v2") && !cg.path("controllers").asText().isEmpty(),
                    "skipped: not root on a cgroup v1 machine, and no cgroup v2 delegation (" + cg + ")");
        }
        registry = CgroupTestSupport.busyboxPulled(env);
        image = CgroupTestSupport.image(registry);
    }

    @AfterAll
    static void tearDown() {
        CgroupTestSupport.closeInOrder(env, registry, delegated);
    }

    private static Result jpod(String... args) {
        return env.runWith(cgEnv, NORMAL, args);
    }


    /** The container's own cgroup dir of a controller (v1: below the delegated dir), or null on v2. */
    private static Path containerCgroup(String controller, String id) {
        return delegated == null ? null : delegated.dir(controller).resolve("jpod-" + id);
    }

    private static JsonNode inspect(String name) throws IOException {
        return jpod("inspect", name).ok().json().get(0);
    }

    @Test
    void infoShowsTheDelegatedControllers() throws IOException {
        JsonNode cg = jpod("info", "--format", "json").ok().json().path("cgroups");
        for (String c : new String[]{"memory", "pids", "cpu"}) {
            assertTrue((" " + cg.path("controllers").asText() + " ").contains(" " + c + " "), () -> "controller " + c + " in " + cg);
        }
        Result text = jpod("info").ok();
        assertTrue(text.stdout().contains("cgroups:\n  version: " + cg.path("version").asText()), text::toString);
    }

    @Test
    void anAllocationBeyondTheMemoryLimitIsOomKilledInsideTheContainerOnly() throws IOException {
        Result r = jpod("run", "--name", "oom", "--memory", "32m", image, "sh", "-c", "x=a; while true; do x=$x$x; done");
        assertEquals(137, r.exitCode(), () -> "killed by the OOM killer: " + r);
        JsonNode c = inspect("oom");
        assertTrue(c.path("State").path("OOMKilled").asBoolean(), () -> "OOMKilled in " + c.path("State"));
        String id = c.path("Id").asText();
        if (delegated != null) {
            assertFalse(Files.exists(containerCgroup("memory", id)), "the container's cgroup is removed at teardown");
        }
        jpod("rm", "oom").ok();
        // jpod itself lived on: the next container runs normally and is not marked
        jpod("run", "--name", "fine", "--memory", "32m", image, "true").ok();
        assertFalse(inspect("fine").path("State").path("OOMKilled").asBoolean());
        jpod("rm", "fine").ok();
    }

    @Test
    void theContainerSeesItsOwnCgroupAsRoot() {
        Result r = jpod("run", "--rm", "--memory", "64m", image, "cat", "/proc/self/cgroup").ok();
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("\\d+:memory:/")), () -> "memory cgroup / in its namespace: " + r);
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("\\d+:pids:/")), () -> "pids cgroup / in its namespace: " + r);
    }

    /** Processes listed in a cgroup. */
    private static final class ContainerPids {
        static long of(Path dir) throws IOException {
            return Files.readAllLines(dir.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank()).count();
        }
    }

    @Test
    void aForkLoopStopsAtThePidsLimit() {
        // the inner shell forks background sleeps until fork fails (ash then exits); the outer one reports
        // with builtins only, since by then the cgroup may have no pid left for a fork
        String script = "sh -c 'i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); echo $i > /tmp/started; done' 2>/dev/null;"
                + " read n < /tmp/started; echo started=$n";
        Result r = jpod("run", "--rm", "--pids-limit", "20", image, "sh", "-c", script).ok();
        Matcher m = Pattern.compile("started=(\\d+)").matcher(r.stdout());
        assertTrue(m.find(), () -> "the loop reported: " + r);
        int started = Integer.parseInt(m.group(1));
        assertTrue(started < 20, () -> "at most 20 processes in the container (two shells among them): " + started + " sleeps; " + r);
        assertTrue(started >= 10, () -> "the limit is 20, not lower: " + started);
    }

    @Test
    void aCpuLimitThrottlesABusyLoopAndStatsAndUpdateWork() throws IOException {
        Assumptions.assumeTrue(delegated != null, "measured from the v1 cpuacct counter");
        String id = jpod("run", "-d", "--name", "busy", "--cpus", "0.2", "--memory", "64m", image, "sh", "-c",
                "while true; do :; done").ok().stdout().strip();
        try {
            Path usage = containerCgroup("cpuacct", id).resolve("cpuacct.usage");
            await("the container's cgroup", Duration.ofSeconds(30), () -> Files.exists(usage));
            long u0 = Long.parseLong(Files.readString(usage).strip());
            long t0 = System.nanoTime();
            await("3 s of measurement", Duration.ofSeconds(10), () -> System.nanoTime() - t0 >= 3_000_000_000L);
            long u1 = Long.parseLong(Files.readString(usage).strip());
            long t1 = System.nanoTime();
            double share = (double) (u1 - u0) / (t1 - t0);
            assertTrue(share > 0.05 && share < 0.45, () -> "about 20% of one CPU, was " + share);

            JsonNode stats = jpod("stats", "--no-stream", "--format", "json", "busy").ok().json();
            assertEquals(1, stats.size(), stats::toString);
            assertEquals(64L * 1024 * 1024, stats.get(0).path("mem_limit_bytes").asLong(), stats::toString);
            assertTrue(stats.get(0).path("pids").asInt() >= 1, stats::toString);
            Result table = jpod("stats", "--no-stream", "busy").ok();
            assertTrue(table.stdout().contains("MEM USAGE / LIMIT") && table.stdout().contains("/ 67.1MB"), table::toString);

            // exec'd processes join the container's cgroups (and namespace) too
            String execCgroups = jpod("exec", "busy", "cat", "/proc/self/cgroup").ok().stdout();
            assertTrue(execCgroups.lines().anyMatch(l -> l.matches("\\d+:memory:/")), () -> "exec in the container's memory cgroup: " + execCgroups);
            if (delegated != null) {
                assertTrue(ContainerPids.of(containerCgroup("pids", id)) >= 1);
            }

            assertEquals("2048", Files.readString(containerCgroup("pids", id).resolve("pids.max")).strip(), "podman's default pids limit");
            jpod("update", "--memory", "128m", "--pids-limit", "50", "busy").ok();
            assertEquals(128L * 1024 * 1024, Long.parseLong(Files.readString(containerCgroup("memory", id).resolve("memory.limit_in_bytes")).strip()));
            assertEquals("50", Files.readString(containerCgroup("pids", id).resolve("pids.max")).strip());
        } finally {
            jpod("rm", "-f", "busy").ok();
        }
        for (String c : DelegatedCgroups.CONTROLLERS) {
            assertFalse(Files.exists(containerCgroup(c, id)), "removed with the container: " + c);
        }
    }

    @Test
    void aRestartedContainerGetsItsCgroupAndLimitsBack() throws IOException {
        Assumptions.assumeTrue(delegated != null, "looks at the v1 directories");
        String id = jpod("run", "-d", "--name", "again", "--memory", "48m", image, "sleep", "300").ok().stdout().strip();
        try {
            Path limit = containerCgroup("memory", id).resolve("memory.limit_in_bytes");
            assertEquals(48L * 1024 * 1024, Long.parseLong(Files.readString(limit).strip()));
            jpod("stop", "-t", "0", "again").ok();
            assertFalse(Files.exists(containerCgroup("memory", id)), "removed when the container stopped");
            jpod("update", "--memory", "40m", "again").ok();
            jpod("start", "again").ok();
            assertEquals(40L * 1024 * 1024, Long.parseLong(Files.readString(limit).strip()), "the updated limit at the next start");
        } finally {
            jpod("rm", "-f", "again").ok();
        }
    }

    @Test
    void aKilledMonitorLeavesNoCgroupBehind() throws IOException {
        Assumptions.assumeTrue(delegated != null, "looks at the v1 directories");
        String id = jpod("run", "-d", "--name", "orphan", "--memory", "64m", image, "sleep", "300").ok().stdout().strip();
        Path mem = containerCgroup("memory", id);
        assertTrue(Files.isDirectory(mem), "the container has its cgroup");
        long monitor = inspect("orphan").path("State").path("ConmonPid").asLong();
        assertTrue(monitor > 0, "a monitor pid");
        ProcessHandle.of(monitor).ifPresent(ProcessHandle::destroyForcibly);
        await("the monitor's end", Duration.ofSeconds(30), () -> ProcessHandle.of(monitor).isEmpty());
        jpod("ps", "-a").ok(); // the next command sweeps
        for (String c : DelegatedCgroups.CONTROLLERS) {
            assertFalse(Files.exists(containerCgroup(c, id)), "swept: " + c);
        }
        jpod("rm", "-f", "orphan").ok();
    }

    @Test
    void aLimitWithoutADelegatedCgroupFailsWithWhatToChange() {
        Assumptions.assumeTrue(delegated != null, "needs a machine where the user has no cgroup of its own");
        Result r = env.runWith(Map.of(V1_ENV, Optional.empty()), NORMAL, "run", "--rm", "--memory", "32m", image, "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("delegated") && r.stderr().contains(V1_ENV), r::toString);
        assertEquals(1, r.stderr().strip().lines().count(), () -> "one line: " + r.stderr());
        // without a limit asked for, the container runs without cgroups
        env.run(NORMAL, "run", "--rm", image, "true").ok();
    }

    /** The whole disk holding {@code path}: its /dev path and major:minor (throttling applies to disks, not partitions). */
    static String[] diskOf(Path path) throws IOException {
        long dev = (Long) Files.getAttribute(path, "unix:dev");
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Path sys = Path.of("/sys/dev/block/" + major + ":" + minor).toRealPath();
        if (Files.exists(sys.resolve("partition"))) {
            sys = sys.getParent();
        }
        return new String[]{"/dev/" + sys.getFileName(), Files.readString(sys.resolve("dev")).strip(), sys.getFileName().toString()};
    }

    @Test
    void blockIoLimitsAreWrittenAsMajorMinorAndThrottleDirectIo() throws IOException {
        Assumptions.assumeTrue(delegated != null, "reads the v1 blkio directories");
        Path data = env.home().resolve("blkio-data");
        Files.createDirectories(data);
        env.user().chown(data);
        String[] disk = diskOf(data);
        Assumptions.assumeTrue(Files.exists(Path.of(disk[0])), "the disk's device node " + disk[0]);
        // BFQ's weight files exist only on kernels that have the scheduler: ask the kernel, then expect either the
        // weight written or one line saying why it cannot be.
        Path blkio = delegated.dir("blkio");
        Path weightFile = Files.exists(blkio.resolve("blkio.weight")) ? blkio.resolve("blkio.weight")
                : Files.exists(blkio.resolve("blkio.bfq.weight")) ? blkio.resolve("blkio.bfq.weight") : null;
        if (weightFile == null) {
            Result refused = jpod("run", "-d", "--name", "blk", "--blkio-weight", "300", image, "sleep", "300");
            assertEquals(125, refused.exitCode(), refused::toString);
            assertEquals("Error: --blkio-weight needs the kernel's BFQ I/O scheduler; this machine's blkio controller has no weight file",
                    refused.stderr().strip(), refused::toString);
            assertEquals(1, jpod("container", "exists", "blk").exitCode(), "nothing created");
        }
        List<String> weightArgs = weightFile == null ? List.of() : List.of("--blkio-weight", "300");
        List<String> runArgs = new ArrayList<>(List.of("run", "-d", "--name", "blk"));
        runArgs.addAll(weightArgs);
        runArgs.addAll(List.of("--device-read-bps", disk[0] + ":1mb", "--device-write-bps", disk[0] + ":2mb",
                "--device-read-iops", disk[0] + ":1000", "--device-write-iops", disk[0] + ":500", image, "sleep", "300"));
        String id = jpod(runArgs.toArray(String[]::new)).ok().stdout().strip();
        try {
            Path cg = containerCgroup("blkio", id);
            if (weightFile != null) {
                Path weight = cg.resolve(weightFile.getFileName().toString());
                assertEquals("300", Files.readString(weight).strip().replaceFirst("^default ", ""), weight.toString());
            }
            assertEquals(disk[1] + " 1048576", Files.readString(cg.resolve("blkio.throttle.read_bps_device")).strip());
            assertEquals(disk[1] + " 2097152", Files.readString(cg.resolve("blkio.throttle.write_bps_device")).strip());
            assertEquals(disk[1] + " 1000", Files.readString(cg.resolve("blkio.throttle.read_iops_device")).strip());
            assertEquals(disk[1] + " 500", Files.readString(cg.resolve("blkio.throttle.write_iops_device")).strip());
            if (weightFile != null) {
                jpod("update", "--device-read-bps", disk[0] + ":3mb", "--blkio-weight", "400", "blk").ok();
                assertEquals("400", Files.readString(cg.resolve(weightFile.getFileName().toString())).strip().replaceFirst("^default ", ""), "updated");
            } else {
                jpod("update", "--device-read-bps", disk[0] + ":3mb", "blk").ok();
                Result refused = jpod("update", "--blkio-weight", "400", "blk");
                assertEquals(125, refused.exitCode(), refused::toString);
                assertTrue(refused.stderr().contains("needs the kernel's BFQ I/O scheduler"), refused::toString);
            }
            assertEquals(disk[1] + " 3145728", Files.readString(cg.resolve("blkio.throttle.read_bps_device")).strip(), "updated");
        } finally {
            jpod("rm", "-f", "blk").ok();
        }
        assertFalse(Files.exists(containerCgroup("blkio", id)), "removed with the container");

        // the effect, with generous bounds: 3 MiB of direct I/O at 1 MiB/s takes about 3 s (at least 1.5 s, however
        // fast the disk), timed inside the container with /proc/uptime
        Path file = data.resolve("three-mib");
        Files.write(file, new byte[3 * 1024 * 1024]);
        env.user().chown(file);
        Result r = jpod("run", "--rm", "-v", data + ":/data", "--device-read-bps", disk[0] + ":1mb", image, "sh", "-c",
                "read a _ < /proc/uptime; dd if=/data/three-mib of=/dev/null bs=64k iflag=direct; read b _ < /proc/uptime; echo took $a $b").ok();
        Matcher m = Pattern.compile("took ([0-9.]+) ([0-9.]+)").matcher(r.stdout());
        assertTrue(m.find(), () -> "the script reports its times: " + r);
        double seconds = Double.parseDouble(m.group(2)) - Double.parseDouble(m.group(1));
        assertTrue(seconds >= 1.5, () -> "3 MiB read at 1 MiB/s takes about 3 s, was " + seconds + " s: " + r);
    }

    @Test
    void aPerDeviceWeightNeedsBfqAndSaysSo() throws IOException {
        Assumptions.assumeTrue(delegated != null, "reads the v1 blkio directories");
        String[] disk = diskOf(env.home());
        Assumptions.assumeTrue(Files.exists(Path.of(disk[0])), "the disk's device node " + disk[0]);
        boolean bfq = Files.readString(Path.of("/sys/block", disk[2], "queue/scheduler")).contains("[bfq]");
        Result r = jpod("run", "--rm", "--blkio-weight-device", disk[0] + ":200", image, "cat", "/proc/self/cgroup");
        if (bfq) {
            r.ok();
        } else if (Files.exists(delegated.dir("blkio").resolve("blkio.bfq.weight_device"))) {
            // the kernel has BFQ, this disk is not scheduled by it: the kernel refuses the write
            assertEquals(125, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("weight_device") && r.stderr().contains("bfq"), r::toString);
        } else {
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals("Error: --blkio-weight-device needs the kernel's BFQ I/O scheduler; this machine's blkio controller has no weight file",
                    r.stderr().strip(), r::toString);
        }
        Result notDev = jpod("run", "--rm", "--device-write-iops", "/etc/passwd:10", image, "true");
        assertEquals(125, notDev.exitCode(), notDev::toString);
        assertTrue(notDev.stderr().contains("/etc/passwd is not a block device"), notDev::toString);
    }

    @Test
    void anIoLimitWithoutTheBlkioControllerFailsWithWhatToChange() {
        Assumptions.assumeTrue(delegated != null, "needs the v1 setting to leave blkio out");
        String withoutBlkio = String.join(",", delegated.setting().lines().flatMap(l -> java.util.Arrays.stream(l.split(",")))
                .filter(i -> !i.startsWith("blkio:")).toList());
        Result r = env.runWith(Map.of(V1_ENV, Optional.of(withoutBlkio)), NORMAL, "run", "--rm", "--blkio-weight", "300", image, "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("--blkio-weight needs the blkio cgroup controller") && r.stderr().contains("blkio:PATH"), r::toString);
        assertEquals(1, r.stderr().strip().lines().count(), () -> "one line: " + r.stderr());
    }

    @Test
    void theConfigFileAloneDelegatesAndSetsTheDefaultPidsLimit() throws IOException {
        Assumptions.assumeTrue(delegated != null, "writes the v1 setting");
        Path dir = env.home().resolve(".config/jpod");
        Files.createDirectories(dir);
        env.user().chown(env.home().resolve(".config"));
        env.user().chown(dir);
        Path conf = dir.resolve("containers.conf");
        StringBuilder items = new StringBuilder();
        for (String item : delegated.setting().split(",")) {
            items.append(items.length() == 0 ? "" : ", ").append('"').append(item).append('"');
        }
        Files.writeString(conf, "# jpod's own containers.conf\n[containers]\npids_limit = 77\n\n[jpod]\ncgroup_v1_parent = [" + items + "]\n");
        env.user().chown(conf);
        Map<String, Optional<String>> noEnv = Map.of(V1_ENV, Optional.empty());
        try {
            JsonNode cg = env.runWith(noEnv, NORMAL, "info", "--format", "json").ok().json().path("cgroups");
            assertEquals(conf.toString(), cg.path("v1_parent_source").asText(), cg::toString);
            assertEquals(conf.toString(), cg.path("pids_limit_source").asText(), cg::toString);
            assertTrue((" " + cg.path("controllers").asText() + " ").contains(" memory "), cg::toString);
            String id = env.runWith(noEnv, NORMAL, "run", "-d", "--name", "conf", "--memory", "40m", image, "sleep", "300").ok().stdout().strip();
            try {
                assertEquals("77", Files.readString(containerCgroup("pids", id).resolve("pids.max")).strip(), "containers.conf's pids_limit");
                assertEquals(40L * 1024 * 1024, Long.parseLong(Files.readString(containerCgroup("memory", id).resolve("memory.limit_in_bytes")).strip()));
            } finally {
                env.runWith(noEnv, NORMAL, "rm", "-f", "conf").ok();
            }
            // the environment variable wins over the file
            JsonNode viaEnv = jpod("info", "--format", "json").ok().json().path("cgroups");
            assertEquals("environment " + V1_ENV, viaEnv.path("v1_parent_source").asText(), viaEnv::toString);
            // a broken file is one clear line naming it
            Files.writeString(conf, "[jpod]\ncgroup_v1_parent = \"memory\"\n");
            Result bad = env.runWith(noEnv, NORMAL, "run", "--rm", image, "true");
            assertEquals(125, bad.exitCode(), bad::toString);
            assertTrue(bad.stderr().contains(conf.toString()) && bad.stderr().contains("controller:/path"), bad::toString);
        } finally {
            Files.deleteIfExists(conf);
        }
    }

    /** The complete JSON values written so far (a partial last one is left out). */
    private static java.util.List<JsonNode> jsonValues(String text) {
        java.util.List<JsonNode> out = new java.util.ArrayList<>();
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(text)) {
            while (p.nextToken() != null) {
                out.add(JSON.readTree(p));
            }
        } catch (IOException | RuntimeException partial) {
            // the sample being written
        }
        return out;
    }

    @Test
    void streamingStatsEmitsOneJsonArrayPerIntervalWithCpuBetweenSamples() {
        jpod("run", "-d", "--name", "streamed", "--cpus", "0.5", image, "sh", "-c", "while true; do :; done").ok();
        io.jpod.tests.support.BoundedProcess stats = env.startWith(cgEnv, "stats", "--interval", "1", "--format", "json", "streamed");
        try {
            await("two samples", Duration.ofSeconds(60), () -> jsonValues(stats.stdoutSoFar()).size() >= 2 || !stats.process().isAlive());
            java.util.List<JsonNode> samples = jsonValues(stats.stdoutSoFar());
            assertTrue(stats.process().isAlive(), () -> "still streaming: " + stats.stdoutSoFar());
            assertTrue(samples.size() >= 2, samples::toString);
            for (JsonNode s : samples) {
                assertTrue(s.isArray() && s.size() == 1 && s.get(0).path("name").asText().equals("streamed"), s::toString);
            }
            double cpu = Double.parseDouble(samples.get(1).get(0).path("cpu_percent").asText().replace("%", ""));
            // between two samples of a busy loop under --cpus 0.5: clearly busy, clearly limited (generous bounds)
            assertTrue(cpu > 1 && cpu < 90, () -> "CPU % between samples: " + cpu);
        } finally {
            stats.killTree();
            jpod("rm", "-f", "streamed").ok();
        }
    }

    @Test
    void streamingStatsIntoAPipeRepeatsPlainTablesAndEndsWhenTheContainerStops() {
        jpod("run", "-d", "--name", "tabled", image, "sleep", "300").ok();
        io.jpod.tests.support.BoundedProcess stats = env.startWith(cgEnv, "stats", "--interval", "1", "tabled");
        try {
            await("two tables", Duration.ofSeconds(60), () -> stats.stdoutSoFar().split("MEM USAGE / LIMIT", -1).length > 2
                    || !stats.process().isAlive());
            String out = stats.stdoutSoFar();
            assertTrue(out.split("MEM USAGE / LIMIT", -1).length > 2, () -> "repeated tables: " + out);
            assertFalse(out.contains("\033["), "no terminal redraw into a pipe");
            assertTrue(out.lines().filter(l -> l.contains("tabled")).count() >= 2, out);
            jpod("stop", "-t", "0", "tabled").ok();
            Result end = stats.await(Duration.ofSeconds(60));
            assertEquals(0, end.exitCode(), () -> "the stream of a stopped container ends: " + end);
        } finally {
            stats.killTree();
            jpod("rm", "-f", "tabled").ok();
        }
    }

    @Test
    void streamingStatsOnATerminalRedrawsInPlace() {
        jpod("run", "-d", "--name", "drawn", image, "sleep", "300").ok();
        // script(1) gives jpod a pseudo-terminal as stdout and copies what it draws to our file
        io.jpod.tests.support.BoundedProcess stats = env.startWrapped(cmd -> java.util.List.of("script", "-qfec",
                String.join(" ", cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList()), "/dev/null"),
                cgEnv, "stats", "--interval", "1", "drawn");
        try {
            await("two redraws", Duration.ofSeconds(60), () -> stats.stdoutSoFar().split("\033\\[2J\033\\[H", -1).length > 2
                    || !stats.process().isAlive());
            String out = stats.stdoutSoFar();
            assertTrue(out.split("\033\\[2J\033\\[H", -1).length > 2, () -> "clear screen and home before each table: " + out);
            assertTrue(out.contains("drawn"), out);
        } finally {
            stats.killTree();
            jpod("rm", "-f", "drawn").ok();
        }
    }
}
