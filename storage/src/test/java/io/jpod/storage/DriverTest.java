package io.jpod.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The differential truth for whiteouts: the merged view each driver shows for layers stored by the unpacker. A
 * whiteout hides the lower file, an opaque dir hides lower contents. vfs always runs; fuse-overlayfs and kernel
 * overlay run where the machine allows them (skipped with a reason otherwise).
 */
class DriverTest {
    static final Path FUSE_OVERLAYFS = Path.of("/usr/bin/fuse-overlayfs");

    @TempDir
    Path tmp;
    Store store;
    List<Path> lowers;
    boolean fallback;

    /** Expected merged view: path -> file content, or "<dir>" / "-> target". */
    static final Map<String, String> EXPECTED = new TreeMap<>(Map.of(
            "d", "<dir>", "d/x", "lower", "d/x2", "upper",
            "o", "<dir>", "o/z", "upper-only",
            "keep", "<dir>", "keep/k", "kept",
            "f2", "replaced",
            "sym", "-> d/x",
            "gone-dir-replaced", "now a file"));

    @BeforeEach
    void layers() throws IOException {
        store = Store.open(tmp.resolve("storage"));
        byte[] bottom = new TarBuilder()
                .dir("./", 0700)
                .file("f", "hidden by a whiteout")
                .dir("d").file("d/x", "lower")
                .dir("o").file("o/y", "hidden by opaque").dir("o/sub").file("o/sub/deep", "hidden too")
                .dir("keep").file("keep/k", "kept")
                .file("wf", "hidden by a whiteout too")
                .file("f2", "old")
                .dir("gone").file("gone/inner", "whole dir whited out")
                .dir("gone-dir-replaced").file("gone-dir-replaced/i", "x")
                .symlink("sym", "d/x")
                .build();
        byte[] top = new TarBuilder()
                .dir("./", 0755)
                .file(".wh.f", "")
                .file(".wh.wf", "")
                .file(".wh.gone", "")
                .dir("o").file("o/.wh..wh..opq", "").file("o/z", "upper-only")
                .dir("d").file("d/x2", "upper")
                .file("f2", "replaced")
                .file("gone-dir-replaced", "now a file")
                .build();
        lowers = new ArrayList<>();
        String parent = null;
        for (byte[] tar : new byte[][] {bottom, top}) {
            try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(tar), null)) {
                String chain = LayerStore.chainId(parent, s.diffId());
                s.commit(chain, s.diffId(), parent);
                fallback |= store.layers().info(chain).orElseThrow().whiteoutFiles();
                lowers.add(0, store.layers().diffDir(chain));
                parent = chain;
            }
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    static Map<String, String> view(Path merged) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(merged)) {
            for (Path p : s.toList()) {
                if (p.equals(merged)) {
                    continue;
                }
                String rel = merged.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(rel, "<dir>");
                } else {
                    out.put(rel, Files.readString(p));
                }
            }
        }
        return out;
    }

    private String container(String id) {
        ContainerStoreTest.putImage(store);
        store.containers().create(id, "c" + id.substring(0, 4), ContainerStoreTest.IMAGE, null, List.of());
        return id;
    }

    @Test
    void vfs() throws IOException {
        String id = container("1".repeat(64));
        Path merged = store.containers().mergedDir(id);
        VfsDriver vfs = new VfsDriver(null);
        vfs.mount(lowers, store.containers().upperDir(id), store.containers().workDir(id), merged);
        assertEquals(EXPECTED, view(merged));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(merged)), "top layer's root mode");
        Files.writeString(merged.resolve("d/new"), "container change");
        vfs.mount(lowers, store.containers().upperDir(id), store.containers().workDir(id), merged);
        assertEquals("container change", Files.readString(merged.resolve("d/new")), "a second start keeps the rootfs");
        vfs.unmount(merged);
        store.containers().remove(id);
    }

    @Test
    void fuseOverlayfs() throws IOException {
        assumeTrue(Files.isExecutable(FUSE_OVERLAYFS), "skipped: no " + FUSE_OVERLAYFS);
        assumeTrue(Files.isReadable(Path.of("/dev/fuse")) && Files.isWritable(Path.of("/dev/fuse")), "skipped: /dev/fuse unusable");
        assumeTrue(canMount(new FuseOverlayfsDriver(FUSE_OVERLAYFS)), "skipped: fuse-overlayfs cannot mount here");
        String id = container("2".repeat(64));
        FuseOverlayfsDriver fuse = new FuseOverlayfsDriver(FUSE_OVERLAYFS);
        Path merged = store.containers().mergedDir(id);
        fuse.mount(lowers, store.containers().upperDir(id), store.containers().workDir(id), merged);
        try {
            assertTrue(Mounts.isMountPoint(merged));
            assertEquals(EXPECTED, view(merged));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(merged)));
            StorageException e = assertThrows(StorageException.class, () -> store.containers().remove(id));
            assertTrue(e.getMessage().contains("still mounted"), e.getMessage());
            assertThrows(StorageException.class, () -> fuse.mount(lowers, store.containers().upperDir(id),
                    store.containers().workDir(id), merged), "mounting twice");
        } finally {
            fuse.unmount(merged);
        }
        assertFalse(Mounts.isMountPoint(merged));
        fuse.unmount(merged); // not mounted: fine
        store.containers().remove(id);
    }

    @Test
    void kernelOverlay() throws IOException {
        assumeTrue(Native.isRoot(), "skipped: the kernel overlay test needs root (or root in a user namespace)");
        assumeFalse(fallback, "skipped: layers were stored with .wh. files, which kernel overlay does not read");
        Path helper = fakeHelper();
        KernelOverlayDriver kernel = new KernelOverlayDriver(helper);
        assumeTrue(canMount(kernel), "skipped: overlay mounts are not permitted here");
        String id = container("3".repeat(64));
        Path merged = store.containers().mergedDir(id);
        kernel.mount(lowers, store.containers().upperDir(id), store.containers().workDir(id), merged);
        try {
            assertEquals(EXPECTED, view(merged));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(merged)));
        } finally {
            kernel.unmount(merged);
        }
        assertFalse(Mounts.isMountPoint(merged));
    }

    @Test
    void kernelOverlayUsesShortLinksForLongOptionStrings() throws IOException {
        assumeTrue(Native.isRoot(), "skipped: the kernel overlay test needs root (or root in a user namespace)");
        KernelOverlayDriver kernel = new KernelOverlayDriver(fakeHelper());
        assumeTrue(canMount(kernel), "skipped: overlay mounts are not permitted here");
        List<Path> many = new ArrayList<>();
        String parent = null;
        for (int i = 0; i < 60; i++) {
            byte[] tar = new TarBuilder().file("layer" + i, "content " + i).build();
            try (StagedLayer s = store.layers().stage(new ByteArrayInputStream(tar), null)) {
                String chain = LayerStore.chainId(parent, s.diffId());
                s.commit(chain, s.diffId(), parent);
                many.add(0, store.layers().diffDir(chain));
                parent = chain;
            }
        }
        int plain = many.stream().mapToInt(p -> p.toString().length() + 1).sum();
        assertTrue(plain > KernelOverlayDriver.MAX_OPTIONS, "the plain option string would exceed a page: " + plain);
        String id = container("4".repeat(64));
        Path merged = store.containers().mergedDir(id);
        kernel.mount(many, store.containers().upperDir(id), store.containers().workDir(id), merged);
        try {
            for (int i = 0; i < 60; i++) {
                assertEquals("content " + i, Files.readString(merged.resolve("layer" + i)));
            }
        } finally {
            kernel.unmount(merged);
        }
    }

    /** A stand-in for jpod-helper's mount-overlay/umount modes (the real one is built by the rootless module). */
    private Path fakeHelper() throws IOException {
        Path helper = tmp.resolve("fake-helper");
        Files.writeString(helper, """
                #!/bin/sh
                case "$1" in
                  mount-overlay) mount -t overlay overlay -o "$3" "$2" || { echo "jpod-helper: mount: failed (errno 1)" >&2; exit 125; } ;;
                  umount) umount -l "$2" ;;
                  *) exit 125 ;;
                esac
                """);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return helper;
    }

    /** Whether the driver can mount a trivial overlay here at all (environment check, not the test). */
    private boolean canMount(RootfsDriver driver) throws IOException {
        Path probe = Files.createDirectories(tmp.resolve("probe-" + driver.name()));
        Path lower = Files.createDirectories(probe.resolve("lower"));
        Path upper = Files.createDirectories(probe.resolve("upper"));
        Path work = Files.createDirectories(probe.resolve("work"));
        Path target = Files.createDirectories(probe.resolve("merged"));
        try {
            driver.mount(List.of(lower), upper, work, target);
        } catch (StorageException e) {
            System.err.println("environment check: " + e.getMessage());
            return false;
        }
        driver.unmount(target);
        return true;
    }
}
