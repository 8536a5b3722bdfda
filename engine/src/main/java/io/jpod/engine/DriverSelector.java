package io.jpod.engine;

import io.jpod.rootless.NativeHelper;
import io.jpod.storage.FuseOverlayfsDriver;
import io.jpod.storage.KernelOverlayDriver;
import io.jpod.storage.RootfsDriver;
import io.jpod.storage.Store;
import io.jpod.storage.VfsDriver;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Chooses how a container's rootfs is assembled: the --storage-driver flag (or $JPOD_STORAGE_DRIVER) when
 * given; otherwise kernel overlayfs when a test mount in the user namespace succeeds (it is the fastest, and
 * podman makes the same choice), else fuse-overlayfs, else vfs. The probe's verdict is cached in the run root,
 * which lives as long as the boot, because the kernel's answer cannot change before a reboot.
 */
public final class DriverSelector {
    static final String OVERLAY = "overlay";
    public static final String FUSE = "fuse-overlayfs";
    static final String VFS = "vfs";

    private DriverSelector() {
    }

    /** The driver's name and why it was chosen (shown by `jpod info`). */
    record Choice(String name, String reason) {
    }

    static RootfsDriver choose(String requested, Store store, Dirs dirs, NativeHelper helper, Map<String, String> env, PrintStream err) {
        return driver(decide(requested, store, dirs, helper, env).name(), helper, env, err);
    }

    static Choice decide(String requested, Store store, Dirs dirs, NativeHelper helper, Map<String, String> env) {
        if (requested != null && !requested.isBlank()) {
            return new Choice(requested, "chosen with --storage-driver or $JPOD_STORAGE_DRIVER");
        }
        return probed(store, dirs, helper, env);
    }

    /** @param err the caller's stderr: vfs's warnings (ownership it cannot keep) go there */
    private static RootfsDriver driver(String name, NativeHelper helper, Map<String, String> env, PrintStream err) {
        return switch (name) {
            case OVERLAY -> new KernelOverlayDriver(helper.binary());
            case FUSE -> new FuseOverlayfsDriver(requiredFuseOverlayfs(env), helper.binary());
            case VFS -> new VfsDriver(err);
            default -> throw new EngineException("unknown storage driver \"" + name + "\": use overlay, fuse-overlayfs or vfs");
        };
    }

    private static Choice probed(Store store, Dirs dirs, NativeHelper helper, Map<String, String> env) {
        Path cache = dirs.runRoot().path().resolve("storage-driver");
        try {
            if (Files.isRegularFile(cache)) {
                List<String> lines = Files.readAllLines(cache);
                if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                    return new Choice(lines.get(0).strip(), lines.size() > 1 ? lines.get(1) : "probed earlier in this boot");
                }
            }
        } catch (IOException e) {
            // probe again
        }
        Choice chosen;
        boolean fuse = findFuseOverlayfs(env) != null && Files.isReadable(Path.of("/dev/fuse")) && Files.isWritable(Path.of("/dev/fuse"));
        if (KernelOverlayDriver.works(helper.binary(), store.root().resolve("tmp"))) {
            chosen = new Choice(OVERLAY, "overlay: kernel overlay mounts in the user namespace (a test mount with a whiteout worked), and it is the fastest");
        } else if (fuse) {
            chosen = new Choice(FUSE, "fuse-overlayfs: the kernel refused an overlay mount in the user namespace (kernel older than 5.11, or disabled)");
        } else {
            chosen = new Choice(VFS, "vfs: the kernel refused an overlay mount in the user namespace and fuse-overlayfs or a usable /dev/fuse is missing");
        }
        try {
            Path tmp = cache.resolveSibling("storage-driver.tmp" + ProcessHandle.current().pid());
            Files.writeString(tmp, chosen.name() + "\n" + chosen.reason() + "\n");
            Files.move(tmp, cache, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // not cached: probe again next time
        }
        return chosen;
    }

    /** fuse-overlayfs on {@code env}'s PATH with a usable /dev/fuse, or an error that says what to install or choose. */
    public static Path requiredFuseOverlayfs(Map<String, String> env) {
        Path p = findFuseOverlayfs(env);
        if (p == null) {
            throw new EngineException("fuse-overlayfs is not installed; install it (Debian/Ubuntu: apt-get install fuse-overlayfs)"
                    + " or choose another driver with --storage-driver overlay|vfs");
        }
        if (!Files.isReadable(Path.of("/dev/fuse")) || !Files.isWritable(Path.of("/dev/fuse"))) {
            throw new EngineException("/dev/fuse is not usable by you (it must be mode 0666, as distributions ship it):"
                    + " fix it with `chmod 0666 /dev/fuse` as root, or choose --storage-driver vfs");
        }
        return p;
    }

    /** fuse-overlayfs when it is installed and /dev/fuse usable, else null. */
    public static Path usableFuseOverlayfs(Map<String, String> env) {
        Path p = findFuseOverlayfs(env);
        return p != null && Files.isReadable(Path.of("/dev/fuse")) && Files.isWritable(Path.of("/dev/fuse")) ? p : null;
    }

    private static Path findFuseOverlayfs(Map<String, String> env) {
        for (String dir : (env.getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "fuse-overlayfs"))) {
                return Path.of(dir, "fuse-overlayfs");
            }
        }
        return null;
    }
}
