package io.jpod.rootless;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.rootless.ContainerSpec.Mount;
import io.jpod.rootless.ContainerSpec.Network;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerSpecTest {

    @TempDir
    Path dir;

    private static ContainerSpec full() {
        return new ContainerSpec(Path.of("/run/c/merged"), "box", "/work", 1000, 100, List.of(10, 20),
                List.of("PATH=/usr/bin:/bin", "GREETING=hello world"), List.of("sh", "-c", "echo \"$GREETING\"\ttab"),
                Network.SLIRP4NETNS, Path.of("/usr/bin/slirp4netns"), 1500,
                List.of(new Mount("bind", "/home/u/data", "/data", List.of("ro", "nosuid")),
                        new Mount("tmpfs", null, "/tmp", List.of("mode=1777", "size=64m")),
                        new Mount("bind", "/etc/resolv.conf", "/etc/resolv.conf", List.of())),
                Path.of("/run/c/exit"), Path.of("/run/c/pid"));
    }

    private static ContainerSpec minimal(List<String> env, List<String> args) {
        return new ContainerSpec(Path.of("/r"), null, "/", 0, 0, List.of(), env, args, Network.NONE, null, 65520,
                List.of(), null, null);
    }

    @Test
    void writesExactRecords() throws Exception {
        Path file = dir.resolve("spec");
        full().writeTo(file);
        String expected = "rootfs=/run/c/merged\0"
                + "hostname=box\0"
                + "cwd=/work\0"
                + "uid=1000\0"
                + "gid=100\0"
                + "group=10\0"
                + "group=20\0"
                + "env=PATH=/usr/bin:/bin\0"
                + "env=GREETING=hello world\0"
                + "arg=sh\0"
                + "arg=-c\0"
                + "arg=echo \"$GREETING\"\ttab\0"
                + "net=slirp4netns\0"
                + "slirp4netns=/usr/bin/slirp4netns\0"
                + "mtu=1500\0"
                + "mount=bind\t/home/u/data\t/data\tro,nosuid\0"
                + "mount=tmpfs\t\t/tmp\tmode=1777,size=64m\0"
                + "mount=bind\t/etc/resolv.conf\t/etc/resolv.conf\t\0"
                + "exitfile=/run/c/exit\0"
                + "pidfile=/run/c/pid\0";
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(file), entries.toList(), "no temp file left behind");
        }
    }

    @Test
    void optionalRecordsAreOmittedAndNonAsciiIsUtf8() throws Exception {
        Path file = dir.resolve("spec");
        minimal(List.of("LANG=été"), List.of("true")).writeTo(file);
        String expected = "rootfs=/r\0cwd=/\0uid=0\0gid=0\0env=LANG=été\0arg=true\0net=none\0mtu=65520\0";
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
    }

    @Test
    void replacesAnExistingFile() throws Exception {
        Path file = dir.resolve("spec");
        Files.writeString(file, "old contents that are longer than the new ones ....................................");
        minimal(List.of(), List.of("true")).writeTo(file);
        assertArrayEquals(minimal(List.of(), List.of("true")).encode(), Files.readAllBytes(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void rejectsNul() {
        assertThrows(IllegalArgumentException.class, () -> minimal(List.of(), List.of("a\0b")));
        assertThrows(IllegalArgumentException.class, () -> minimal(List.of("A=b\0c"), List.of("true")));
        assertThrows(IllegalArgumentException.class, () -> new ContainerSpec(Path.of("/r"), "h\0", "/", 0, 0,
                List.of(), List.of(), List.of("true"), Network.NONE, null, 65520, List.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> new ContainerSpec(Path.of("/r"), null, "/a\0", 0, 0,
                List.of(), List.of(), List.of("true"), Network.NONE, null, 65520, List.of(), null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Mount("bind", "/a\0", "/b", List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new Mount("tmpfs", null, "/b", List.of("size=1\0")));
    }

    @Test
    void rejectsWhatTheHelperCannotParse() {
        assertThrows(IllegalArgumentException.class, () -> minimal(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> minimal(List.of("NOEQUALS"), List.of("true")));
        assertThrows(IllegalArgumentException.class, () -> minimal(List.of("=x"), List.of("true")));
        assertThrows(IllegalArgumentException.class, () -> new Mount("bind", "/a\tb", "/b", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Mount("bind", "/a", "/b", List.of("ro,nosuid")));
        assertThrows(IllegalArgumentException.class, () -> new Mount("overlay", "/a", "/b", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Mount("bind", "relative", "/b", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Mount("bind", "/a", "b", List.of()));
        // the helper's buffer for a mount's options is 1024 bytes: longer would be cut (an "ro" at the end lost)
        List<String> longest = List.of("size=" + "1".repeat(995), "mode=" + "7".repeat(17)); // 1000 + ',' + 22
        assertEquals(1023, Mount.optionsLength(longest));
        new Mount("tmpfs", null, "/t", longest);
        List<String> tooLong = new ArrayList<>(longest);
        tooLong.add("ro");
        assertThrows(IllegalArgumentException.class, () -> new Mount("tmpfs", null, "/t", tooLong));
        assertThrows(IllegalArgumentException.class, () -> new ContainerSpec(Path.of("/r"), null, "relative", 0, 0,
                List.of(), List.of(), List.of("true"), Network.NONE, null, 65520, List.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> new ContainerSpec(Path.of("/r"), null, "/", -1, 0,
                List.of(), List.of(), List.of("true"), Network.NONE, null, 65520, List.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> new ContainerSpec(Path.of("/r"), null, "/", 0, 0,
                List.of(), List.of(), List.of("true"), Network.NONE, null, 0, List.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> new ContainerSpec(Path.of("/r"), "x".repeat(65), "/", 0,
                0, List.of(), List.of(), List.of("true"), Network.NONE, null, 65520, List.of(), null, null));
    }

    @Test
    void isImmutable() {
        List<String> args = new ArrayList<>(List.of("true"));
        ContainerSpec spec = minimal(List.of(), args);
        args.add("changed");
        assertEquals(List.of("true"), spec.args());
        assertThrows(UnsupportedOperationException.class, () -> spec.args().add("x"));
    }

    @Test
    void reportsUnwritableLocationInOneLine() {
        RootlessException e = assertThrows(RootlessException.class,
                () -> full().writeTo(dir.resolve("missing/spec")));
        assertTrue(e.getMessage().startsWith("cannot write container spec " + dir.resolve("missing/spec")),
                e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
