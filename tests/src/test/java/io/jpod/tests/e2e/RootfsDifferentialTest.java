package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LayerBuilder;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.PodmanEnv;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import io.jpod.tests.support.TestUser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The merged rootfs jpod assembles is the one podman assembles: for an image whose layers exercise whiteouts, opaque
 * directories, file/directory replacement across layers, hard links within a layer and across layers as far as the
 * tar format allows (a later layer replacing one name of a linked pair), long names and link targets, setuid/setgid/
 * sticky modes, owned files, FIFOs and symlinks, the listing (path, type, mode, uid, gid, size, symlink target) taken
 * inside a container by busybox find+stat is the same under jpod (each storage driver) and podman (run as the same
 * user, pulling from the same registry). Directory sizes are left out: they are a property of the file system
 * holding the rootfs (ext4 vs overlayfs vs FUSE), not of the image.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RootfsDifferentialTest {
    private static final Duration PULL = Duration.ofSeconds(180);
    private static final String LONG = "l".repeat(200);
    /** Generated per container by both engines: not part of the image. */
    private static final Set<String> RUNTIME_FILES = Set.of("/etc/hosts", "/etc/resolv.conf", "/etc/hostname",
            "/etc/mtab" /* podman adds a symlink to /proc/mounts when the image has none */);
    private static final List<String> LISTING = List.of("find", "/", "(", "-path", "/proc", "-o", "-path", "/sys", "-o",
            "-path", "/dev", "-o", "-path", "/run", ")", "-prune", "-o", "-exec", "stat", "-c", "%n|%F|%a|%u|%g|%s|%N", "{}", "+");

    private static TestUser user;
    private static JpodEnv jpod;
    private static PodmanEnv podman;
    private static LocalRegistry registry;
    private static String image;
    private static TreeMap<String, String> reference;

    @BeforeAll
    static void setUp() {
        assumeTrue(PodmanEnv.available(), "podman is not installed (" + PodmanEnv.BINARY
                + "): the differential test needs it as the reference; scripts/setup-host.sh installs it");
        user = TestUser.get();
        jpod = JpodEnv.create(user);
        registry = LocalRegistry.start();
        image = registry.hostPort() + "/jpod/differential:latest";
        registry.push(TestImage.busybox().layer(lower()).layer(upper()).layer(top()).build(), "jpod/differential", "latest");
        podman = PodmanEnv.create(user);
        Result pull = podman.run(PULL, "pull", "--tls-verify=false", image);
        assertEquals(0, pull.exitCode(), pull::toString);
        Result r = podman.run(PULL, withListing("run", "--rm", "--network", "none", image));
        assertEquals(0, r.exitCode(), () -> "podman could not list the rootfs" + r);
        reference = parse(r.stdout());
        assertTrue(reference.containsKey("/bin/busybox") && reference.size() > 30, () -> "implausible podman listing" + r);
    }

    @AfterAll
    static void tearDown() {
        try {
            if (podman != null) {
                podman.close();
            }
            if (jpod != null) {
                jpod.close();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    /** Layer 2: a bit of everything, to be modified by the layers above. */
    private static LayerBuilder lower() {
        byte[] one = "one".getBytes(StandardCharsets.UTF_8);
        return new LayerBuilder()
                .dir("data", 0755)
                .file("data/gone", "whited out above")
                .dir("data/gonedir", 0750, 1000, 1000)
                .file("data/gonedir/child", "below a whited-out dir")
                .dir("data/opq", 0755)
                .file("data/opq/old1", "hidden by the opaque marker above")
                .dir("data/opq/olddir", 0755)
                .file("data/opq/olddir/x", "hidden too")
                .file("data/filetodir", "becomes a directory above")
                .dir("data/dirtofile", 0755)
                .file("data/dirtofile/child", "its dir becomes a file above")
                .file("data/h1", one, 0644)
                .hardlink("data/h2", "data/h1")
                .file("data/keep1", one, 0600, 0, 0)
                .hardlink("data/keep2", "data/keep1")
                .file("usr/bin/suid", one, 04755, 0, 0)
                .file("usr/bin/sgid", one, 02755, 0, 42)
                .dir("srv/shared", 03775, 0, 1000)
                .dir("srv/sticky", 01777)
                .file("home/app/owned", one, 0640, 1000, 1000)
                .file("home/app/odd", one, 0604, 12345, 54321)
                .file("home/app/nomode", one, 0, 1000, 1000)
                .fifo("data/fifo", 0620, 1000, 1000)
                .symlink("data/abs", "/etc/passwd")
                .symlink("data/rel", "../etc/group")
                .symlink("data/dangling", "/no/such/target")
                .symlink("data/dirlink", "opq")
                .file("data/" + LONG, "a 200-character name")
                .dir("data/deep/" + LONG.substring(0, 120), 0755)
                .file("data/deep/" + LONG.substring(0, 120) + "/" + LONG.substring(0, 150), "a path over 256 characters")
                .symlink("data/longlink", "/" + "t".repeat(150) + "/" + "u".repeat(150));
    }

    /** Layer 3: whiteouts, an opaque dir, replacements, a new link pair over a lower name. */
    private static LayerBuilder upper() {
        return new LayerBuilder()
                .whiteout("data/gone")
                .whiteout("data/gonedir")
                .opaque("data/opq")
                .file("data/opq/new", "only this survives the opaque marker")
                .file("data/filetodir/inner", "a file in what was a file")
                .file("data/dirtofile", "a file where a directory was")
                .file("data/h1", "three-three".getBytes(StandardCharsets.UTF_8), 0644)
                .hardlink("data/h3", "data/h1")
                .file("data/samelayer", "created in the layer that also whites it out")
                .whiteout("data/samelayer")
                .whiteout("data/never-existed")
                .file("usr/bin/suid", "upgraded".getBytes(StandardCharsets.UTF_8), 04750, 0, 1000)
                .dir("srv/shared", 02770, 0, 1000)
                .file("srv/shared/new", "in the re-moded setgid dir")
                .symlink("data/rel", "/etc/passwd");
    }

    /** Layer 4: brings back a whited-out name and replaces a symlink by a directory. */
    private static LayerBuilder top() {
        return new LayerBuilder()
                .dir("data/gonedir", 0700)
                .file("data/gonedir/reborn", "a new dir under the old name: nothing of the old one shows")
                .dir("data/dirlink", 0711)
                .file("data/dirlink/file", "a dir where a symlink was")
                .whiteout("data/keep2");
    }

    private static String[] withListing(String... head) {
        List<String> all = new ArrayList<>(List.of(head));
        all.addAll(LISTING);
        return all.toArray(String[]::new);
    }

    /** path → "type mode uid gid size target", sizes of directories dropped, per-container files skipped. */
    static TreeMap<String, String> parse(String out) {
        TreeMap<String, String> map = new TreeMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\\|", 7);
            assertEquals(7, f.length, () -> "unexpected listing line: " + line);
            if (RUNTIME_FILES.contains(f[0])) {
                continue;
            }
            String type = f[1];
            String size = type.equals("directory") ? "-" : f[5];
            int arrow = f[6].indexOf("' -> '");
            String target = arrow >= 0 ? f[6].substring(arrow + 6, f[6].length() - 1) : "";
            map.put(f[0], type + " " + f[2] + " " + f[3] + ":" + f[4] + " " + size + (target.isEmpty() ? "" : " -> " + target));
        }
        return map;
    }

    @ParameterizedTest(name = "storage driver {0}")
    @ValueSource(strings = {"overlay", "fuse-overlayfs", "vfs"})
    void mergedRootfsEqualsPodmans(String driver) {
        Result r = jpod.run(PULL, withListing("--storage-driver", driver, "run", "--rm", "--network", "none", image));
        assertEquals(0, r.exitCode(), () -> "jpod could not list the rootfs" + r);
        TreeMap<String, String> mine = parse(r.stdout());
        List<String> diff = new ArrayList<>();
        for (String p : reference.keySet()) {
            if (!mine.containsKey(p)) {
                diff.add("only in podman: " + p + " " + reference.get(p));
            } else if (!mine.get(p).equals(reference.get(p))) {
                diff.add("differs: " + p + "\n      podman: " + reference.get(p) + "\n      jpod:   " + mine.get(p));
            }
        }
        for (String p : mine.keySet()) {
            if (!reference.containsKey(p)) {
                diff.add("only in jpod: " + p + " " + mine.get(p));
            }
        }
        assertTrue(diff.isEmpty(), () -> "the " + driver + " rootfs differs from podman's (" + diff.size() + "):\n  "
                + String.join("\n  ", diff) + "\nstderr: " + r.stderr());
        // the listing really covers the interesting entries (a broken find would compare two empty lists)
        assertTrue(mine.containsKey("/data/opq/new") && !mine.containsKey("/data/opq/old1") && !mine.containsKey("/data/gone")
                && mine.get("/data/fifo").startsWith("fifo") && mine.get("/usr/bin/suid").contains(" 4750 "), mine::toString);
    }
}
