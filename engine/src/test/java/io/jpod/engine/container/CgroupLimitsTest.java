package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.rootless.Cgroups;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CgroupLimitsTest {
    private static final Path P = Path.of("/cg");
    private static final Cgroups V1 = new Cgroups("v1", "cgroupfs", Map.of("memory", P, "pids", P, "cpu", P, "cpuacct", P), null);
    private static final Cgroups V2 = new Cgroups("v2", "cgroupfs", Map.of("memory", P, "pids", P, "cpu", P), null);
    private static final Cgroups NONE = new Cgroups("v1", "cgroupfs", Map.of(), "no delegation: set X");

    private static RunRequest.ResourceRequest req(String memory, String swap, String cpus, Long shares, Long pids) {
        return new RunRequest.ResourceRequest(memory, swap, null, cpus, shares, null, null, pids);
    }

    @Test
    void v1FilesAndPodmanDefaults() {
        assertEquals(List.of(
                new CgroupLimits.Write("memory", "memory.limit_in_bytes", "33554432"),
                new CgroupLimits.Write("memory", "memory.memsw.limit_in_bytes", "67108864"),
                new CgroupLimits.Write("cpu", "cpu.cfs_period_us", "100000"),
                new CgroupLimits.Write("cpu", "cpu.cfs_quota_us", "20000"),
                new CgroupLimits.Write("cpu", "cpu.shares", "512"),
                new CgroupLimits.Write("pids", "pids.max", "2048")),
                CgroupLimits.plan(req("32m", "64m", "0.2", 512L, null), V1));
        assertEquals(List.of(new CgroupLimits.Write("pids", "pids.max", "max")), CgroupLimits.plan(req(null, null, null, null, -1L), V1));
    }

    @Test
    void v2Files() {
        assertEquals(List.of(
                new CgroupLimits.Write("memory", "memory.max", "1073741824"),
                new CgroupLimits.Write("memory", "memory.swap.max", "max"),
                new CgroupLimits.Write("cpu", "cpu.max", "150000 100000"),
                new CgroupLimits.Write("cpu", "cpu.weight", "100"),
                new CgroupLimits.Write("pids", "pids.max", "20")),
                CgroupLimits.plan(req("1g", "-1", "1.5", 1024L, 20L), V2));
    }

    @Test
    void limitsWithoutCgroupsFailWithTheReasonButNoLimitsRunWithout() {
        EngineException e = assertThrows(EngineException.class, () -> CgroupLimits.plan(req("32m", null, null, null, null), NONE));
        assertTrue(e.getMessage().contains("no delegation: set X"), e.getMessage());
        assertEquals(List.of(), CgroupLimits.plan(new RunRequest.ResourceRequest(), NONE));
        Cgroups memOnly = new Cgroups("v1", "cgroupfs", Map.of("memory", P), null);
        EngineException pids = assertThrows(EngineException.class, () -> CgroupLimits.plan(req(null, null, null, null, 10L), memOnly));
        assertTrue(pids.getMessage().contains("pids:PATH"), pids.getMessage());
    }

    @Test
    void badValuesAreNamedBeforeTheMissingCgroupIs() {
        EngineException memory = assertThrows(EngineException.class, () -> CgroupLimits.plan(req("abc", null, null, null, null), NONE));
        assertTrue(memory.getMessage().startsWith("--memory abc is not a size"), memory.getMessage());
        EngineException cpus = assertThrows(EngineException.class, () -> CgroupLimits.plan(req(null, null, "-1", null, null), NONE));
        assertTrue(cpus.getMessage().startsWith("--cpus -1 is out of range"), cpus.getMessage());
        EngineException shares = assertThrows(EngineException.class, () -> CgroupLimits.plan(req(null, null, null, 1L, null), NONE));
        assertTrue(shares.getMessage().startsWith("--cpu-shares 1 is out of range"), shares.getMessage());
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(EngineException.class, () -> CgroupLimits.plan(req("lots", null, null, null, null), V1));
        assertThrows(EngineException.class, () -> CgroupLimits.plan(req("1m", null, null, null, null), V1));
        assertThrows(EngineException.class, () -> CgroupLimits.plan(req("64m", "32m", null, null, null), V1));
        assertThrows(EngineException.class, () -> CgroupLimits.plan(req(null, null, "0", null, null), V1));
        assertThrows(EngineException.class, () -> CgroupLimits.plan(req(null, null, null, 1L, null), V1));
        assertEquals(512L * 1024, CgroupLimits.parseSize("--memory-reservation", "512k"));
        assertEquals(10, CgroupLimits.parseSize("--memory-reservation", "10b"));
        assertEquals(1, CgroupLimits.sharesToWeight(2));
        assertEquals(10000, CgroupLimits.sharesToWeight(262144));
    }

    /** Older systemd's Delegate=yes gives memory and pids (252: also cpu): `jpod info` names the others, one line each. */
    @Test
    void missingControllersAreNamedOneEachWithTheFlagsTheyBreak() {
        Cgroups systemdDefault = new Cgroups("v2", "cgroupfs", Map.of("memory", P, "pids", P, Cgroups.CORE, P), null);
        Map<String, String> missing = CgroupLimits.missingControllers(systemdDefault);
        assertEquals(List.of("cpu", "cpuset", "io"), List.copyOf(missing.keySet()));
        missing.values().forEach(line -> {
            assertTrue(!line.contains("\n") && line.contains("Delegate=cpu cpuset io memory pids"), line);
        });
        assertTrue(missing.get("cpu").contains("--cpus"), missing.get("cpu"));
        assertTrue(missing.get("io").contains("--device-read-bps"), missing.get("io"));
        Cgroups dropIn = new Cgroups("v2", "cgroupfs", Map.of("memory", P, "pids", P, "cpu", P, "cpuset", P, "io", P), null);
        assertEquals(Map.of(), CgroupLimits.missingControllers(dropIn));
        assertEquals(Map.of(), CgroupLimits.missingControllers(NONE), "nothing delegated: the reason says why, not a list");
        assertEquals(List.of("cpuset", "blkio"), List.copyOf(CgroupLimits.missingControllers(V1).keySet()));
        EngineException e = assertThrows(EngineException.class, () -> CgroupLimits.plan(
                new RunRequest.ResourceRequest(null, null, null, "0.5", null, null, null, null), systemdDefault));
        assertTrue(e.getMessage().contains("--cpus needs the cpu cgroup controller") && e.getMessage().contains("Delegate=cpu cpuset io memory pids")
                && !e.getMessage().contains("\n"), e.getMessage());
    }
}
