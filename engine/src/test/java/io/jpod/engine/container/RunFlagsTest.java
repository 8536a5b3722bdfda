package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFlagsTest {
    @TempDir
    Path tmp;

    @Test
    void shmSizesArePowersOf1024AndZeroMeansNoLimit() {
        assertEquals(64L << 20, RunFlags.shmSize("64m"));
        assertEquals(1L << 30, RunFlags.shmSize("1g"));
        assertEquals(1L << 30, RunFlags.shmSize("1GB"));
        assertEquals(512L << 10, RunFlags.shmSize("512k"));
        assertEquals(512L << 10, RunFlags.shmSize("512KiB"));
        assertEquals(1000, RunFlags.shmSize("1000"));
        assertEquals(1000, RunFlags.shmSize("1000b"));
        assertEquals(3L << 29, RunFlags.shmSize("1.5g"));
        assertEquals(0, RunFlags.shmSize("0"));
    }

    @Test
    void badShmSizesAreOneLineErrors() {
        for (String bad : List.of("", "m", "-1m", "12x", "1q", "abc", "1e3m", "1..5m")) {
            EngineException e = assertThrows(EngineException.class, () -> RunFlags.shmSize(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid --shm-size"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"));
        }
    }

    @Test
    void deviceSpecsDefaultTheContainerPathAndPermissions() {
        assertEquals(new RunFlags.Device("/dev/fuse", "/dev/fuse", "rwm"), RunFlags.Device.parse("/dev/fuse"));
        assertEquals(new RunFlags.Device("/dev/fuse", "/dev/fuse", "r"), RunFlags.Device.parse("/dev/fuse:r"));
        assertEquals(new RunFlags.Device("/dev/sdc", "/dev/xvdc", "rwm"), RunFlags.Device.parse("/dev/sdc:/dev/xvdc"));
        assertEquals(new RunFlags.Device("/dev/sdc", "/dev/xvdc", "rw"), RunFlags.Device.parse("/dev/sdc:/dev/xvdc:rw"));
        assertEquals(new RunFlags.Device("/dev/net/tun", "/dev/net/tun", "rwm"), RunFlags.Device.parse("/dev/net/tun"));
        assertEquals("/dev/sdc:/dev/xvdc:rw", RunFlags.Device.parse("/dev/sdc:/dev/xvdc:rw").stored());
    }

    @Test
    void badDeviceSpecsAreRefused() {
        for (String bad : List.of("dev/fuse", "/dev/fuse:fuse", "/dev/a:/dev/b:rwx", "/dev/a:/dev/b:rr", "/a:/b:r:x",
                "/dev/../etc/passwd", "/dev/fuse:/dev", "/dev/fuse:/dev/../x", "/dev/fuse:/dev/fd/3", "/dev/fuse:/dev/stdin",
                "/dev/fuse:/")) {
            assertThrows(EngineException.class, () -> RunFlags.Device.parse(bad), bad);
        }
    }

    @Test
    void hostDeviceMustBeADeviceNode() throws IOException {
        Path file = Files.createFile(tmp.resolve("plain"));
        EngineException notDevice = assertThrows(EngineException.class, () -> RunFlags.Device.parse(file.toString()).checkHost());
        assertTrue(notDevice.getMessage().contains("is not a device node"), notDevice.getMessage());
        EngineException missing = assertThrows(EngineException.class,
                () -> RunFlags.Device.parse(tmp.resolve("nothing").toString()).checkHost());
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
        RunFlags.Device.parse("/dev/null").checkHost(); // a character device
    }

    @Test
    void devicesOutsideDevResolveInsideTheRootfs() throws IOException {
        Files.createDirectories(tmp.resolve("real"));
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("/real"));
        var mounts = RunFlags.deviceMounts(List.of("/dev/null:/link/null", "/dev/null:/dev/mynull"), tmp);
        assertEquals("/real/null", mounts.get(0).destination());
        assertEquals("/dev/mynull", mounts.get(1).destination());
        assertEquals("/dev/null", mounts.get(1).source());
    }

    @Test
    void hostEnvironmentComesBeforeTheImages() {
        List<String> env = RunFlags.withHostEnv(new java.util.LinkedHashMap<>(Map.of("FOO", "host")), List.of("FOO=image"));
        assertEquals(List.of("FOO=host", "FOO=image"), env);
        List<String> built = ContainerEnv.build(env, List.of(), "h", "/root", false, Map.of());
        assertTrue(built.contains("FOO=image"), built.toString());
    }

    @Test
    void groupAddTakesGidsAndNamesOfTheImagesGroupFile() throws IOException {
        Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(tmp.resolve("etc/group"), "root:x:0:\nwheel:x:10:\naudio:x:29:\n");
        ContainerUser root = new ContainerUser(0, 0, List.of(10L), "/root");
        assertEquals(List.of(10L, 29L, 1234L), RunFlags.addGroups(tmp, root, List.of("audio", "1234", "wheel")).groups());
        assertThrows(EngineException.class, () -> RunFlags.addGroups(tmp, root, List.of("nosuchgroup")));
        assertThrows(EngineException.class, () -> RunFlags.addGroups(tmp, root, List.of("70000")));
    }

    @Test
    void timezonesMustExistOnTheHost() {
        assertThrows(EngineException.class, () -> RunFlags.timezoneSource("No/Such_Zone"));
        assertThrows(EngineException.class, () -> RunFlags.timezoneSource("../../../etc/passwd"));
        assertThrows(EngineException.class, () -> RunFlags.timezoneSource("/etc/passwd"));
    }
}
