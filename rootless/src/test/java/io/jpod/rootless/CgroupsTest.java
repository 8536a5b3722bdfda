package io.jpod.rootless;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CgroupsTest {
    private static final String HYBRID_MOUNTS = """
            30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
            33 30 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
            34 30 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,pids
            35 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,cpu,cpuacct
            """;
    private static final String HYBRID_SELF = """
            5:memory:/process_api/abc
            4:pids:/
            3:cpu,cpuacct:/
            0::/
            """;

    @Test
    void v1UsesTheConfiguredDirectoriesThatAreWritable() {
        Set<Path> writable = Set.of(Path.of("/sys/fs/cgroup/memory/process_api/abc/d"), Path.of("/sys/fs/cgroup/memory/process_api/abc/d/cgroup.procs"),
                Path.of("/sys/fs/cgroup/pids/d"), Path.of("/sys/fs/cgroup/pids/d/cgroup.procs"));
        Cgroups cg = Cgroups.detect(HYBRID_SELF, HYBRID_MOUNTS, "memory:/process_api/abc/d, pids:/d, cpu:/d", 1001,
                writable::contains, p -> "");
        assertEquals("v1", cg.version());
        assertEquals(Map.of("memory", Path.of("/sys/fs/cgroup/memory/process_api/abc/d"), "pids", Path.of("/sys/fs/cgroup/pids/d")), cg.parents());
        assertTrue(cg.usable());
        assertFalse(cg.has("cpu"), "cpu:/d is not writable");
        assertNull(cg.reason());
    }

    @Test
    void v1FallsBackToTheCallersOwnCgroupAndSaysWhyWhenNoneIsWritable() {
        Set<Path> writable = Set.of(Path.of("/sys/fs/cgroup/cpu,cpuacct"), Path.of("/sys/fs/cgroup/cpu,cpuacct/cgroup.procs"));
        Cgroups cg = Cgroups.detect(HYBRID_SELF, HYBRID_MOUNTS, null, 1001, writable::contains, p -> "");
        assertEquals(Set.of("cpu", "cpuacct"), cg.parents().keySet(), "co-mounted controllers share the directory");

        Cgroups none = Cgroups.detect(HYBRID_SELF, HYBRID_MOUNTS, null, 1001, p -> false, p -> "");
        assertFalse(none.usable());
        assertTrue(none.reason().contains(Cgroups.V1_PARENT_ENV), none.reason());
    }

    @Test
    void v2NeedsADelegatedSubtreeAndReadsItsControllers() {
        String mounts = "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
        String self = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope\n";
        Path own = Path.of("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope");
        Path service = Path.of("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service");
        Set<Path> writable = Set.of(service, service.resolve("cgroup.procs"), service.resolve("cgroup.subtree_control"), own);
        Cgroups cg = Cgroups.detect(self, mounts, null, 1000, writable::contains,
                p -> p.equals(service.resolve("cgroup.controllers")) ? "cpu memory pids\n" : "");
        assertEquals("v2", cg.version());
        assertEquals(Set.of("cpu", "memory", "pids", Cgroups.CORE), cg.parents().keySet());
        assertEquals(service.resolve("jpod"), cg.parents().get("memory"), "own cgroup lacks a writable subtree_control: systemd's user service");

        Cgroups everything = Cgroups.detect(self, mounts, null, 1000, p -> true, p -> "memory pids\n");
        assertEquals(service.resolve("jpod"), everything.parents().get("memory"), "below user@.service the service comes first");
        Cgroups ci = Cgroups.detect("0::/ci/job7\n", mounts, null, 1000, p -> true, p -> "memory pids\n");
        assertEquals(Path.of("/sys/fs/cgroup/ci/job7/jpod"), ci.parents().get("pids"), "elsewhere the caller's own cgroup");

        Cgroups none = Cgroups.detect(self, mounts, null, 1000, p -> false, p -> "");
        assertEquals("v2", none.version());
        assertFalse(none.usable());
        assertTrue(none.reason().contains("Delegate=yes"), none.reason());
    }

    @Test
    void aMountRootedBelowTheHierarchyMapsPaths() {
        Cgroups.Mount m = new Cgroups.Mount(Path.of("/sys/fs/cgroup/memory"), "/lxc/c1", java.util.List.of("memory"), false);
        assertEquals(Path.of("/sys/fs/cgroup/memory/x"), m.dirOf("/lxc/c1/x"));
        assertEquals(Path.of("/sys/fs/cgroup/memory"), m.dirOf("/lxc/c1"));
        assertNull(m.dirOf("/other"));
    }

    @Test
    void aConfiguredV2ParentIsUsedEvenOnAHybridMachineAndWorksWithoutControllers() {
        String mounts = HYBRID_MOUNTS;
        Path d = Path.of("/sys/fs/cgroup/unified/deleg");
        Set<Path> writable = Set.of(d, d.resolve("cgroup.procs"), d.resolve("cgroup.subtree_control"));
        Cgroups cg = Cgroups.detect(HYBRID_SELF, mounts, null, "/deleg", 1001, writable::contains, p -> "");
        assertEquals("v2", cg.version());
        assertTrue(cg.usable(), "a container still gets its own cgroup");
        assertEquals(java.util.List.of(), cg.controllers());
        assertEquals(d.resolve("jpod"), cg.parents().get(Cgroups.CORE));
        assertTrue(cg.reason().contains("no controllers"), cg.reason());
        Cgroups hugetlb = Cgroups.detect(HYBRID_SELF, mounts, null, "/deleg", 1001, writable::contains,
                p -> p.equals(d.resolve("cgroup.controllers")) ? "hugetlb\n" : "");
        assertEquals(java.util.List.of("hugetlb"), hugetlb.controllers());
        Cgroups notMine = Cgroups.detect(HYBRID_SELF, mounts, null, "/other", 1001, writable::contains, p -> "");
        assertFalse(notMine.usable());
        assertTrue(notMine.reason().contains("not writable"), notMine.reason());
        String v1Only = String.join("\n", HYBRID_MOUNTS.lines().filter(l -> !l.contains("cgroup2")).toList());
        Cgroups noV2 = Cgroups.detect(HYBRID_SELF, v1Only, null, "/deleg", 1001, p -> true, p -> "");
        assertFalse(noV2.usable());
        assertTrue(noV2.reason().contains("no cgroup2"), noV2.reason());
    }
}
