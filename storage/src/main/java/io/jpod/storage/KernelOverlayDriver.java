package io.jpod.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounts the rootfs with the kernel's overlayfs, with
 * {@code userxattr} (needed in a user namespace, kernel 5.11+): whiteouts are 0:0 devices and opaque dirs carry
 * {@code user.overlay.opaque=y}, as the unpacker stores them. Layers stored with the {@code .wh.} fallback
 * ({@link LayerInfo#whiteoutFiles()}) are not understood by kernel overlay; use fuse-overlayfs for those.
 *
 * <p>Mount data is limited to one page, so when the option string would not fit, the layers are named by their short
 * links {@code l/<id>} relative to {@code <root>/overlay}, which becomes the helper's working directory.
 *
 * <p>Who makes the system call: once libc is bound ({@link #bindSystemCalls()}: the per-user service does it after
 * its first request), this process itself, by mount(2) and umount2(2) (the JVM is uid 0 in jpod's user namespace, in
 * the mount namespace every jpod process shares): no process per container. Before that (a JVM of its own, where
 * binding would cost more than it saves), and for shortened options, which need a working directory of their own,
 * {@code jpod-helper mount-overlay TARGET OPTIONS} and {@code jpod-helper umount TARGET}.
 */
public final class KernelOverlayDriver implements RootfsDriver {
    /** Mount options are copied into one page by the kernel (including the terminating NUL). */
    static final int MAX_OPTIONS = 4095;

    private final Path helper;

    /** @param helper the jpod-helper binary */
    public KernelOverlayDriver(Path helper) {
        this.helper = helper;
    }

    @Override
    public String name() {
        return "overlay";
    }

    @Override
    public void mount(List<Path> lowerDirsTopFirst, Path upper, Path work, Path target) {
        OverlayOptions.checkArgs(lowerDirsTopFirst, upper, work, target);
        String tail = ",upperdir=" + OverlayOptions.checked(upper, "upper") + ",workdir=" + OverlayOptions.checked(work, "work");
        List<String> lowers = new ArrayList<>();
        for (Path l : lowerDirsTopFirst) {
            lowers.add(OverlayOptions.checked(l, "layer"));
        }
        String opts = "userxattr,lowerdir=" + String.join(":", lowers) + tail;
        Path dir = null;
        if (opts.getBytes(StandardCharsets.UTF_8).length > MAX_OPTIONS) {
            dir = overlayDirOf(lowerDirsTopFirst);
            List<String> shortNames = new ArrayList<>();
            for (Path l : lowerDirsTopFirst) {
                shortNames.add("l/" + shortLink(l));
            }
            opts = "userxattr,lowerdir=" + String.join(":", shortNames) + tail;
            if (opts.getBytes(StandardCharsets.UTF_8).length > MAX_OPTIONS) {
                throw new StorageException("the image has too many layers (" + lowerDirsTopFirst.size()
                        + ") for one kernel overlay mount; use the fuse-overlayfs storage driver");
            }
        }
        OverlayOptions.prepareUpper(lowerDirsTopFirst.get(0), upper);
        String tgt = OverlayOptions.checked(target, "rootfs");
        String failure = null;
        if (dir == null && Native.libcBound()) {
            int errno = Native.mountOverlay(Path.of(tgt), opts);
            if (errno != 0) {
                failure = "mount overlay on " + tgt + ": " + Native.describeErrno(errno);
            }
        } else { // not bound yet, or relative layer names (they need a working directory, which a JVM thread cannot have)
            Proc.Result r = Proc.run(List.of(helper.toString(), "mount-overlay", tgt, opts), dir, Proc.TIMEOUT);
            failure = r.exit() != 0 ? r.lastLine() : null;
        }
        if (failure != null) {
            throw new StorageException("the kernel overlay mount of " + tgt + " failed: " + failure
                    + "; the kernel may not allow overlay in a user namespace, use the fuse-overlayfs storage driver");
        }
        if (!Mounts.isMountPoint(target)) {
            throw new StorageException("the overlay mount of " + tgt + " succeeded but it is not mounted here; "
                    + "is jpod running outside its own mount namespace?");
        }
    }

    /** Unmounts (lazily: umount2 with MNT_DETACH); not mounted is fine. */
    @Override
    public void unmount(Path target) {
        if (!Mounts.isMountPoint(target)) {
            return;
        }
        Path tgt = target.toAbsolutePath().normalize();
        String failure;
        if (Native.libcBound()) {
            int errno = Native.unmountDetached(tgt);
            failure = errno != 0 ? Native.describeErrno(errno) : "still mounted";
        } else {
            failure = Proc.run(List.of(helper.toString(), "umount", tgt.toString()), null, Proc.TIMEOUT).lastLine();
        }
        if (Mounts.isMountPoint(target)) {
            throw new StorageException("cannot unmount " + tgt + ": " + failure + "; is a process still using it?");
        }
    }

    /** From now on this JVM mounts and unmounts by system calls of its own (see the class comment). */
    public static void bindSystemCalls() {
        Native.bindLibc();
    }

    /**
     * Whether the kernel lets this user namespace mount overlayfs with whiteouts that work: a throw-away mount
     * under {@code scratch} (inside the store, so the same filesystem) with a 0:0 whiteout in the lower dir.
     */
    public static boolean works(Path helper, Path scratch) {
        Path dir = null;
        try {
            Files.createDirectories(scratch);
            dir = Files.createTempDirectory(scratch, "overlay-probe-");
            Path lower = Files.createDirectories(dir.resolve("lower"));
            Files.writeString(lower.resolve("hidden"), "x");
            Path lower2 = Files.createDirectories(dir.resolve("lower2"));
            if (Native.mknodWhiteout(lower2.resolve("hidden").toString()) != 0) {
                return false;
            }
            Path upper = Files.createDirectories(dir.resolve("upper"));
            Path work = Files.createDirectories(dir.resolve("work"));
            Path merged = Files.createDirectories(dir.resolve("merged"));
            KernelOverlayDriver driver = new KernelOverlayDriver(helper);
            try {
                driver.mount(List.of(lower2, lower), upper, work, merged);
            } catch (StorageException e) {
                return false;
            }
            boolean hidden = !Files.exists(merged.resolve("hidden"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
            driver.unmount(merged);
            return hidden;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            if (dir != null) {
                try {
                    Fs.deleteTree(dir);
                } catch (IOException e) {
                    // a leftover probe dir in tmp/ is swept with the other stale staging entries
                }
            }
        }
    }

    /** All lowers must be {@code <root>/overlay/<hex>/diff} of one store to be shortened. */
    private static Path overlayDirOf(List<Path> lowers) {
        Path overlay = null;
        for (Path l : lowers) {
            Path abs = l.toAbsolutePath().normalize();
            Path layer = abs.getParent();
            if (!abs.getFileName().toString().equals("diff") || layer == null || layer.getParent() == null
                    || !Ids.isHex(layer.getFileName().toString(), 64, 64)) {
                throw new StorageException("the layer path " + abs + " is not in a jpod store; cannot shorten the overlay options");
            }
            if (overlay == null) {
                overlay = layer.getParent();
            } else if (!overlay.equals(layer.getParent())) {
                throw new StorageException("the layers are not all in one jpod store (" + abs + "); cannot shorten the overlay options");
            }
        }
        return overlay;
    }

    /** Reads {@code <layer>/link} and makes sure {@code overlay/l/<id>} points at the diff dir. */
    private static String shortLink(Path diff) {
        Path layer = diff.toAbsolutePath().normalize().getParent();
        String hex = layer.getFileName().toString();
        try {
            String id = new String(Files.readAllBytes(layer.resolve("link")), StandardCharsets.US_ASCII).trim();
            if (!LayerStore.isShortId(id)) {
                throw new StorageException(layer.resolve("link") + " is damaged; remove the image and pull it again");
            }
            Path l = layer.getParent().resolve("l").resolve(id);
            if (!Files.isSymbolicLink(l)) {
                try {
                    Files.createSymbolicLink(l, Path.of("../" + hex + "/diff"));
                } catch (FileAlreadyExistsException e) {
                    // created concurrently
                }
            }
            return id;
        } catch (IOException e) {
            throw new StorageException("cannot read the short link of layer " + layer + ": " + Fs.describe(e)
                    + "; remove the image and pull it again");
        }
    }
}
