package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.rootless.Cgroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockIoLimitsTest {
    private static final Path P = Path.of("/cg");
    private static final Cgroups V1 = new Cgroups("v1", "cgroupfs", Map.of("blkio", P, "memory", P), null);
    private static final Cgroups V2 = new Cgroups("v2", "cgroupfs", Map.of("io", P), null);
    private static final Cgroups V1_NO_BLKIO = new Cgroups("v1", "cgroupfs", Map.of("memory", P), null);
    private static final Function<String, String> DEV = p -> switch (p) {
        case "/dev/vda" -> "254:0";
        case "/dev/sdb" -> "8:16";
        default -> throw new EngineException(p + " is not a block device");
    };

    private static RunRequest.BlockIoRequest io(Integer weight, List<String> wd, List<String> rbps, List<String> wbps,
                                                List<String> riops, List<String> wiops) {
        return new RunRequest.BlockIoRequest(weight, wd, rbps, wbps, riops, wiops);
    }

    @Test
    void v1WeightsAndThrottlesAsMajorMinor() {
        assertEquals(List.of(
                new CgroupLimits.Write("blkio", "blkio.weight", "300"),
                new CgroupLimits.Write("blkio", "blkio.weight_device", "8:16 200"),
                new CgroupLimits.Write("blkio", "blkio.throttle.read_bps_device", "254:0 1048576"),
                new CgroupLimits.Write("blkio", "blkio.throttle.write_bps_device", "254:0 2048"),
                new CgroupLimits.Write("blkio", "blkio.throttle.read_iops_device", "254:0 100"),
                new CgroupLimits.Write("blkio", "blkio.throttle.write_iops_device", "8:16 50")),
                BlockIoLimits.plan(io(300, List.of("/dev/sdb:200"), List.of("/dev/vda:1mb"), List.of("/dev/vda:2k"),
                        List.of("/dev/vda:100"), List.of("/dev/sdb:50")), V1, DEV));
    }

    @Test
    void v2UsesIoMaxAndTheBfqWeight() {
        assertEquals(List.of(
                new CgroupLimits.Write("io", "io.bfq.weight", "500"),
                new CgroupLimits.Write("io", "io.max", "254:0 rbps=1073741824"),
                new CgroupLimits.Write("io", "io.max", "254:0 wbps=2097152"),
                new CgroupLimits.Write("io", "io.max", "254:0 wiops=7")),
                BlockIoLimits.plan(io(500, List.of(), List.of("/dev/vda:1g"), List.of("/dev/vda:2MiB"), List.of(), List.of("/dev/vda:7")), V2, DEV));
    }

    @Test
    void aWeightOnAKernelWithoutBfqIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        // a v1 blkio cgroup of a kernel without BFQ: only the throttle files
        Files.createFile(dir.resolve("cgroup.procs"));
        Files.createFile(dir.resolve("blkio.throttle.read_bps_device"));
        Cgroups v1 = new Cgroups("v1", "cgroupfs", Map.of("blkio", dir), null);
        EngineException e = assertThrows(EngineException.class, () -> BlockIoLimits.plan(io(300, null, null, null, null, null), v1, DEV));
        assertEquals("--blkio-weight needs the kernel's BFQ I/O scheduler; this machine's blkio controller has no weight file", e.getMessage());
        EngineException d = assertThrows(EngineException.class,
                () -> BlockIoLimits.plan(io(null, List.of("/dev/sdb:200"), null, null, null, null), v1, DEV));
        assertTrue(d.getMessage().startsWith("--blkio-weight-device needs the kernel's BFQ I/O scheduler"), d.getMessage());
        assertEquals(1, BlockIoLimits.plan(io(null, null, List.of("/dev/vda:1mb"), null, null, null), v1, DEV).size(), "throttling still works");
        Files.createFile(dir.resolve("blkio.bfq.weight"));
        assertEquals(List.of(new CgroupLimits.Write("blkio", "blkio.weight", "300")),
                BlockIoLimits.plan(io(300, null, null, null, null, null), v1, DEV), "with BFQ's file the weight is planned");
    }

    @Test
    void noRequestWritesNothingAndNeedsNoController() {
        assertEquals(List.of(), BlockIoLimits.plan(RunRequest.BlockIoRequest.NONE, V1_NO_BLKIO, DEV));
        assertEquals(List.of(), BlockIoLimits.plan(io(0, null, null, null, null, null), V1_NO_BLKIO, DEV), "weight 0: none");
    }

    @Test
    void aMissingControllerOrBadValueIsOneClearLine() {
        EngineException e = assertThrows(EngineException.class,
                () -> BlockIoLimits.plan(io(null, List.of(), List.of("/dev/vda:1mb"), List.of(), List.of(), List.of()), V1_NO_BLKIO, DEV));
        assertTrue(e.getMessage().startsWith("--device-read-bps needs the blkio cgroup controller") && e.getMessage().contains("blkio:PATH"),
                e.getMessage());
        Cgroups v2NoIo = new Cgroups("v2", "cgroupfs", Map.of("memory", P), null);
        EngineException e2 = assertThrows(EngineException.class, () -> BlockIoLimits.plan(io(100, null, null, null, null, null), v2NoIo, DEV));
        assertTrue(e2.getMessage().startsWith("--blkio-weight needs the io cgroup controller"), e2.getMessage());
        assertThrows(EngineException.class, () -> BlockIoLimits.plan(io(5, null, null, null, null, null), V1, DEV));
        assertThrows(EngineException.class, () -> BlockIoLimits.plan(io(null, List.of("/dev/vda"), null, null, null, null), V1, DEV));
        assertThrows(EngineException.class, () -> BlockIoLimits.plan(io(null, null, List.of("/dev/vda:fast"), null, null, null), V1, DEV));
        assertThrows(EngineException.class, () -> BlockIoLimits.plan(io(null, null, null, null, List.of("/dev/vda:-3"), null), V1, DEV));
        EngineException notDev = assertThrows(EngineException.class,
                () -> BlockIoLimits.plan(io(null, null, null, null, null, List.of("/etc/passwd:3")), V1, DEV));
        assertTrue(notDev.getMessage().contains("not a block device"), notDev.getMessage());
    }

    @Test
    void realDevicePathsResolveToMajorMinor() {
        EngineException e = assertThrows(EngineException.class, () -> BlockIoLimits.deviceNumber("/etc/hostname"));
        assertTrue(e.getMessage().contains("not a block device"), e.getMessage());
        assertThrows(EngineException.class, () -> BlockIoLimits.deviceNumber("/nonexistent/dev"));
        for (String d : List.of("/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/loop0")) {
            if (Files.exists(Path.of(d))) {
                assertTrue(BlockIoLimits.deviceNumber(d).matches("\\d+:\\d+"), d);
            }
        }
    }

    @Test
    void weightFilesResolveToWhatTheKernelOffers(@TempDir Path dir) throws IOException {
        assertArrayEquals(new String[]{"blkio.weight", "300"}, BlockIoLimits.resolve(dir, "blkio.weight", "300"));
        Files.writeString(dir.resolve("blkio.bfq.weight"), "100");
        Files.writeString(dir.resolve("blkio.bfq.weight_device"), "");
        assertArrayEquals(new String[]{"blkio.bfq.weight", "300"}, BlockIoLimits.resolve(dir, "blkio.weight", "300"));
        assertArrayEquals(new String[]{"blkio.bfq.weight_device", "8:0 20"}, BlockIoLimits.resolve(dir, "blkio.weight_device", "8:0 20"));
        // v2 without BFQ: io.weight on its 1-10000 scale (crun's conversion)
        assertArrayEquals(new String[]{"io.weight", "1"}, BlockIoLimits.resolve(dir, "io.bfq.weight", "10"));
        assertArrayEquals(new String[]{"io.weight", "10000"}, BlockIoLimits.resolve(dir, "io.bfq.weight", "1000"));
        assertArrayEquals(new String[]{"io.weight", "8:0 5000"}, BlockIoLimits.resolve(dir, "io.bfq.weight", "8:0 505"));
        Files.writeString(dir.resolve("io.bfq.weight"), "default 100");
        assertArrayEquals(new String[]{"io.bfq.weight", "505"}, BlockIoLimits.resolve(dir, "io.bfq.weight", "505"));
        assertArrayEquals(new String[]{"blkio.throttle.read_bps_device", "8:0 1"},
                BlockIoLimits.resolve(dir, "blkio.throttle.read_bps_device", "8:0 1"));
    }

    @Test
    void anUpdateReplacesTheSettingOfTheSameDeviceAndKeyOnly() {
        assertTrue(ContainerCgroups.sameTarget("8:0 100", "8:0 200"));
        assertTrue(!ContainerCgroups.sameTarget("8:0 100", "8:16 100"));
        assertTrue(ContainerCgroups.sameTarget("8:0 rbps=1", "8:0 rbps=2"));
        assertTrue(!ContainerCgroups.sameTarget("8:0 rbps=1", "8:0 wbps=1"));
        assertTrue(ContainerCgroups.sameTarget("1024", "2048"));
        assertTrue(!ContainerCgroups.sameTarget("300", "8:0 200"));
    }
}
