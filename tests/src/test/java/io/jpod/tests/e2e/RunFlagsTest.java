package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.BuiltImage;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The run/create flags scripts written for podman use: --replace, --cidfile, --shm-size, --device, --group-add,
 * --env-host, --label-file, --tz, --no-hosts. Each bad value is one line and exit 125 with no container created.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunFlagsTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/runflags");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    private static List<String> containerIds() {
        return env.ok("ps", "-a", "-q", "--no-trunc").stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    /** Exit 125, one "Error: …" line naming {@code expected}, and no container left behind. */
    private static void refused(String expected, String... args) {
        List<String> before = containerIds();
        Result r = env.run(JpodEnv.NORMAL, args);
        assertEquals(125, r.exitCode(), r::toString);
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("Error: ") && lines.get(0).contains(expected), r::toString);
        assertEquals(before, containerIds(), "nothing created: " + r);
    }

    @Test
    void replaceRemovesTheRunningContainerOfThatNameFirst() {
        String old = env.ok("run", "-d", "--name", "replaced", image, "sleep", "300").stdout().strip();
        Result again = env.run(JpodEnv.NORMAL, "run", "-d", "--name", "replaced", image, "true");
        assertEquals(125, again.exitCode(), again::toString); // the name is taken without --replace
        String fresh = env.ok("run", "-d", "--replace", "--name", "replaced", image, "sleep", "300").stdout().strip();
        assertNotEquals(old, fresh);
        assertEquals(fresh, env.inspect("replaced").path("Id").asText());
        assertFalse(containerIds().contains(old), "the old container is gone");
        String created = env.ok("create", "--replace", "--name", "replaced", image, "true").stdout().strip();
        assertEquals(List.of(created), containerIds().stream().filter(id -> id.equals(created) || id.equals(fresh)).toList());
        env.ok("rm", "-f", "replaced");
        env.ok("run", "--rm", "--replace", "--name", "never-existed", image, "true"); // nothing to replace: fine
    }

    @Test
    void annotationsAreKeptForInspectAndAWordWithoutValueIsRefused() {
        env.ok("create", "--name", "annotated", "--annotation", "a=1", "--annotation=b=x=y", "--annotation", "a=2", image, "true");
        assertEquals("2|x=y\n", env.ok("inspect", "--format", "{{.Config.Annotations.a}}|{{index .Config.Annotations \"b\"}}", "annotated").stdout());
        assertEquals("{\"a\":\"2\",\"b\":\"x=y\"}\n", env.ok("container", "inspect", "--format", "{{json .Config.Annotations}}", "annotated").stdout());
        env.ok("rm", "annotated");
        String plain = env.ok("create", image, "true").stdout().strip();
        assertEquals("map[]\n", env.ok("inspect", "--format", "{{.Config.Annotations}}", plain).stdout());
        env.ok("rm", plain);
        refused("annotations must be formatted KEY=VALUE", "run", "--annotation", "novalue", image, "true");
    }

    @Test
    void replaceWithoutANameIsAnError() {
        refused("--name", "run", "--replace", image, "true");
    }

    @Test
    void cidfileHoldsTheFullIdAndIsNeverOverwritten() throws IOException {
        Path cid = env.home().resolve("run.cid");
        String id = env.ok("run", "-d", "--cidfile", cid.toString(), image, "sleep", "300").stdout().strip();
        assertEquals(id, Files.readString(cid, StandardCharsets.UTF_8));
        assertEquals(64, id.length());
        refused("exists", "run", "--rm", "--cidfile", cid.toString(), image, "true");
        assertEquals(id, Files.readString(cid, StandardCharsets.UTF_8));
        assertEquals(cid.toString(), env.inspect(id).path("HostConfig").path("ContainerIDFile").asText());
        env.ok("rm", "-f", id);

        Path created = env.home().resolve("create.cid");
        String createdId = env.ok("create", "--cidfile", created.toString(), image, "true").stdout().strip();
        assertEquals(createdId, Files.readString(created, StandardCharsets.UTF_8));
        env.ok("rm", createdId);
    }

    private static long shmKib(String... flags) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--rm"));
        args.addAll(List.of(flags));
        args.addAll(List.of(image, "df", "-k", "/dev/shm"));
        String out = env.ok(args.toArray(String[]::new)).stdout();
        String[] fields = out.lines().filter(l -> l.endsWith("/dev/shm")).findFirst().orElseThrow().trim().split("\\s+");
        return Long.parseLong(fields[1]);
    }

    @Test
    void shmSizeSetsTheSizeOfDevShm() {
        assertEquals(65536, shmKib());
        assertEquals(131072, shmKib("--shm-size", "128m"));
        assertEquals(1024 * 1024, shmKib("--shm-size=1g"));
        // 0: no limit (tmpfs size=0): writable, and df reports no blocks
        assertEquals(0, shmKib("--shm-size", "0"));
        assertEquals("ok", env.ok("run", "--rm", "--shm-size", "0", image, "sh", "-c",
                "echo ok > /dev/shm/f && cat /dev/shm/f").stdout().strip());
        env.ok("create", "--name", "shm", "--shm-size", "256m", image, "true");
        assertEquals(256L << 20, env.inspect("shm").path("HostConfig").path("ShmSize").asLong());
        env.ok("rm", "shm");
        env.ok("create", "--name", "shm-default", image, "true");
        assertEquals(64L << 20, env.inspect("shm-default").path("HostConfig").path("ShmSize").asLong());
        env.ok("rm", "shm-default");
        refused("--shm-size", "run", "--rm", "--shm-size", "lots", image, "true");
    }

    @Test
    void deviceBindsTheHostNodeIntoDev() {
        String out = env.ok("run", "--rm", "--device", "/dev/fuse", "--device", "/dev/net/tun:/dev/tun0:rw", image, "sh", "-c",
                "stat -c '%F %t,%T' /dev/fuse /dev/tun0 && exec 3<>/dev/fuse && echo opened").stdout();
        assertEquals(List.of("character special file a,e5", "character special file a,c8", "opened"), out.lines().toList());
        env.ok("create", "--name", "dev", "--device", "/dev/fuse:/dev/f:r", image, "true");
        JsonNode devices = env.inspect("dev").path("HostConfig").path("Devices");
        assertEquals(1, devices.size(), devices::toString);
        assertEquals("/dev/fuse", devices.get(0).path("PathOnHost").asText());
        assertEquals("/dev/f", devices.get(0).path("PathInContainer").asText());
        assertEquals("r", devices.get(0).path("CgroupPermissions").asText());
        env.ok("rm", "dev");
    }

    @Test
    void badDevicesAreRefusedBeforeAnythingIsCreated() {
        refused("no such file", "run", "--device", "/dev/no-such-device", image, "true");
        refused("not a device node", "create", "--device", "/etc/passwd", image, "true");
        refused("invalid --device", "run", "--device", "dev/fuse", image, "true");
        refused("invalid --device", "run", "--device", "/dev/fuse:/dev/fuse:rwx", image, "true");
    }

    @Test
    void groupAddAddsSupplementaryGroups() {
        String out = env.ok("run", "--rm", "--group-add", "1234", "--group-add", "app", image, "id", "-G").stdout().strip();
        assertEquals(List.of("0", "1000", "1234"), List.of(out.split(" ")));
        String status = env.ok("run", "--rm", "--user", "app", "--group-add", "nogroup", image, "grep", "^Groups:", "/proc/self/status")
                .stdout();
        assertTrue(status.contains("65534"), status);
        refused("keep-groups", "run", "--group-add", "keep-groups", image, "true");
        // a name is looked up in the image's /etc/group once the rootfs is mounted, as --user's (and podman's) are
        Result unknown = env.run(JpodEnv.NORMAL, "run", "--rm", "--group-add", "nosuch", image, "true");
        assertEquals(125, unknown.exitCode(), unknown::toString);
        assertEquals(List.of("Error: unable to find group nosuch: no matching entries in the image's /etc/group"),
                unknown.stderr().lines().toList());
    }

    @Test
    void envHostPutsTheCallersEnvironmentBelowTheImageAndE() {
        Map<String, Optional<String>> caller = Map.of("RUNFLAGS_HOST", Optional.of("from-host"), "RUNFLAGS_E", Optional.of("host"));
        Result r = env.runWith(caller, JpodEnv.NORMAL, "run", "--rm", "--env-host", "-e", "RUNFLAGS_E=flag", image, "env");
        List<String> lines = r.ok().stdout().lines().toList();
        assertTrue(lines.contains("RUNFLAGS_HOST=from-host"), lines::toString);
        assertTrue(lines.contains("RUNFLAGS_E=flag"), lines::toString);
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("JPOD_")), "no launcher variables: " + lines);
        Result without = env.runWith(caller, JpodEnv.NORMAL, "run", "--rm", image, "env");
        assertFalse(without.ok().stdout().contains("RUNFLAGS_HOST"), without::toString);
    }

    @Test
    void labelFileIsReadBeforeLabel() throws IOException {
        Path dir = FX.scratchDir("labels");
        Path file = dir.resolve("labels");
        Files.writeString(file, "# a comment\nteam=storage\n\ntier=1\n");
        file.toFile().setReadable(true, false);
        env.ok("create", "--name", "labelled", "--label-file", file.toString(), "--label", "tier=2", image, "true");
        JsonNode labels = env.inspect("labelled").path("Config").path("Labels");
        assertEquals("storage", labels.path("team").asText(), labels::toString);
        assertEquals("2", labels.path("tier").asText(), labels::toString);
        env.ok("rm", "labelled");
        refused("cannot read label file", "run", "--label-file", dir.resolve("missing").toString(), image, "true");
    }

    @Test
    void tzBindsTheHostsZoneOnEtcLocaltime() throws IOException {
        byte[] tokyo = Files.readAllBytes(Path.of("/usr/share/zoneinfo/Asia/Tokyo"));
        String size = env.ok("run", "--rm", "--tz", "Asia/Tokyo", image, "wc", "-c", "/etc/localtime").stdout().trim().split("\\s+")[0];
        assertEquals(tokyo.length, Integer.parseInt(size));
        byte[] local = Files.readAllBytes(Path.of("/etc/localtime"));
        String localSize = env.ok("run", "--rm", "--tz", "local", image, "wc", "-c", "/etc/localtime").stdout().trim().split("\\s+")[0];
        assertEquals(local.length, Integer.parseInt(localSize));
        env.ok("create", "--name", "tz", "--tz", "Asia/Tokyo", image, "true");
        assertEquals("Asia/Tokyo", env.inspect("tz").path("Config").path("Timezone").asText());
        env.ok("rm", "tz");
        refused("unknown time zone", "run", "--tz", "Mars/Olympus_Mons", image, "true");
    }

    @Test
    void noHostsKeepsTheImagesEtcHosts() {
        BuiltImage withHosts = TestImage.busybox().file("etc/hosts", "192.0.2.7 from-the-image\n", 0644).build();
        registry.push(withHosts, "library/withhosts", "1");
        String name = registry.hostPort() + "/library/withhosts:1";
        assertEquals("192.0.2.7 from-the-image", env.ok("run", "--rm", "--no-hosts", name, "cat", "/etc/hosts").stdout().strip());
        assertTrue(env.ok("run", "--rm", name, "cat", "/etc/hosts").stdout().contains("localhost"));
        env.ok("create", "--name", "nohosts", "--no-hosts", name, "true");
        assertEquals("", env.inspect("nohosts").path("HostsPath").asText());
        env.ok("rm", "nohosts");
        refused("--add-host", "run", "--no-hosts", "--add-host", "a:192.0.2.1", name, "true");
    }
}
