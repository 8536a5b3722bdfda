package io.jpod.engine.container;

import io.jpod.engine.DriverSelector;
import io.jpod.engine.EngineException;

import io.jpod.engine.container.SandboxPolicy;

import io.jpod.storage.FuseOverlayfsDriver;
import io.jpod.storage.KernelOverlayDriver;
import io.jpod.storage.RootfsDriver;

import java.nio.file.Path;
import java.util.List;

/**
 * The rootfs of a container in a user namespace of its own (--userns=keep-id). The layers hold the image's ids as
 * jpod's namespace numbers them, and such a container's map moves them: the image's root files would show as the
 * caller's. Unprivileged, the kernel cannot id-map a mount of the
 * store's filesystem, so fuse-overlayfs presents the files through the container's own map (podman's rootless way
 * with fuse-overlayfs; with kernel overlay podman chowns a copy of the image instead). What the container writes
 * is stored mapped back, so the upper dir keeps the image's numbering and commit, diff and cp see it as for any
 * container. Without fuse-overlayfs (or with vfs) the container gets the plain driver: it runs, with the shifted
 * owners.
 *
 * <p>The container's record names the driver {@code fuse-overlayfs:MODE}, so that later mounts (start, restart)
 * map the same way.
 */
public final class UsernsRootfs {
    private static final String PREFIX = DriverSelector.FUSE + ":";

    private UsernsRootfs() {
    }

    /** The driver for a new container: the mapping one when its user namespace moves ids and fuse-overlayfs serves. */
    static RootfsDriver select(RootfsDriver chosen, String usernsMode, Path fuseOverlayfs, Path helper) {
        if (usernsMode == null || fuseOverlayfs == null) {
            return chosen;
        }
        if (!(chosen instanceof KernelOverlayDriver) && !(chosen instanceof FuseOverlayfsDriver)) {
            return chosen; // vfs: a copy per container, shown as it is
        }
        return driver(usernsMode, fuseOverlayfs, helper);
    }

    /** True for a recorded driver name {@link #select} made. */
    public static boolean isMapped(String recordedName) {
        return recordedName != null && recordedName.startsWith(PREFIX);
    }

    /** The driver a recorded {@code fuse-overlayfs:MODE} names. */
    public static RootfsDriver forRecorded(String recordedName, Path fuseOverlayfs, Path helper) {
        return driver(recordedName.substring(PREFIX.length()), fuseOverlayfs, helper);
    }

    private static RootfsDriver driver(String mode, Path fuseOverlayfs, Path helper) {
        if (!mode.equals(SandboxPolicy.KEEP_ID)) {
            throw new EngineException("unknown storage driver \"" + PREFIX + mode + "\": use overlay, fuse-overlayfs or vfs");
        }
        return new Named(PREFIX + mode, new FuseOverlayfsDriver(fuseOverlayfs, helper)
                .withIdMapping(SandboxPolicy.uidMap(mode), SandboxPolicy.gidMap(mode)));
    }

    /** The fuse-overlayfs driver under the name the container's record keeps. */
    private record Named(String name, RootfsDriver mounts) implements RootfsDriver {
        @Override
        public void mount(List<Path> lowerDirsTopFirst, Path upper, Path work, Path target) {
            mounts.mount(lowerDirsTopFirst, upper, work, target);
        }

        @Override
        public void unmount(Path target) {
            mounts.unmount(target);
        }
    }
}
