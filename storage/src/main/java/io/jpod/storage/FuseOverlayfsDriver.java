package io.jpod.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounts the rootfs with fuse-overlayfs (works unprivileged in a user namespace on any kernel with FUSE). It reads
 * both whiteout forms jpod may store (0:0 devices and {@code .wh.} files) and {@code user.overlay.opaque}.
 * fuse-overlayfs options never reach the kernel's mount data, so long lowerdir strings need no short links.
 */
public final class FuseOverlayfsDriver implements RootfsDriver {
    private final Path binary;
    private final Path helper;
    private final String idMapping;

    /** @param fuseOverlayfs the fuse-overlayfs binary */
    public FuseOverlayfsDriver(Path fuseOverlayfs) {
        this(fuseOverlayfs, null);
    }

    /** @param helper jpod-helper, used for its {@code umount} mode when fusermount fails; may be null */
    public FuseOverlayfsDriver(Path fuseOverlayfs, Path helper) {
        this(fuseOverlayfs, helper, null);
    }

    private FuseOverlayfsDriver(Path fuseOverlayfs, Path helper, String idMapping) {
        this.binary = fuseOverlayfs;
        this.helper = helper;
        this.idMapping = idMapping;
    }

    /**
     * The same driver presenting stored ids through a map, fuse-overlayfs's {@code uidmapping}/{@code gidmapping}:
     * each line is "STORED SHOWN COUNT" (the format of /proc/PID/uid_map, whose inside ids are what the layers hold).
     * What is written through the mount is stored mapped back, so the layers and the upper dir keep the image's ids.
     */
    public FuseOverlayfsDriver withIdMapping(List<String> uidLines, List<String> gidLines) {
        return new FuseOverlayfsDriver(binary, helper, ",uidmapping=" + mapping(uidLines) + ",gidmapping=" + mapping(gidLines));
    }

    /** fuse-overlayfs's form of a map: every line's three numbers, all joined by colons. */
    static String mapping(List<String> lines) {
        List<String> numbers = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 3) {
                throw new IllegalArgumentException("an id map line has three numbers, not \"" + line + "\"");
            }
            for (String n : f) {
                numbers.add(Long.toString(Long.parseLong(n)));
            }
        }
        if (numbers.isEmpty()) {
            throw new IllegalArgumentException("an id map needs at least one line");
        }
        return String.join(":", numbers);
    }

    @Override
    public String name() {
        return "fuse-overlayfs";
    }

    @Override
    public void mount(List<Path> lowerDirsTopFirst, Path upper, Path work, Path target) {
        OverlayOptions.checkArgs(lowerDirsTopFirst, upper, work, target);
        List<String> lowers = new ArrayList<>();
        for (Path l : lowerDirsTopFirst) {
            lowers.add(OverlayOptions.checked(l, "layer"));
        }
        String opts = "lowerdir=" + String.join(":", lowers) + ",upperdir=" + OverlayOptions.checked(upper, "upper")
                + ",workdir=" + OverlayOptions.checked(work, "work") + (idMapping == null ? "" : idMapping);
        OverlayOptions.prepareUpper(lowerDirsTopFirst.get(0), upper);
        String tgt = OverlayOptions.checked(target, "rootfs");
        Proc.Result r = Proc.run(List.of(binary.toString(), "-o", opts, tgt), null, Proc.TIMEOUT);
        if (r.exit() != 0) {
            throw new StorageException("fuse-overlayfs could not mount the rootfs at " + tgt + ": " + r.lastLine()
                    + "; check that /dev/fuse exists and is usable, or use the vfs storage driver");
        }
        if (!Mounts.isMountPoint(target)) {
            throw new StorageException("fuse-overlayfs exited successfully but " + tgt + " is not mounted: " + r.lastLine());
        }
    }

    /** Unmounts; not mounted is fine. Tries fusermount3, fusermount, then jpod-helper umount (lazy). */
    @Override
    public void unmount(Path target) {
        if (!Mounts.isMountPoint(target)) {
            return;
        }
        String tgt = target.toAbsolutePath().normalize().toString();
        List<List<String>> attempts = new ArrayList<>();
        for (String tool : new String[] {"fusermount3", "fusermount"}) {
            // beside fuse-overlayfs (found on the caller's PATH), else where distributions install it
            Path p = Proc.onPath(tool, binary.getParent() + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
            if (p != null) {
                attempts.add(List.of(p.toString(), "-u", tgt));
            }
        }
        if (helper != null) {
            attempts.add(List.of(helper.toString(), "umount", tgt));
        }
        String last = "no fusermount3, fusermount or jpod-helper available";
        for (List<String> cmd : attempts) {
            Proc.Result r = Proc.run(cmd, null, Proc.TIMEOUT);
            if (!Mounts.isMountPoint(target)) {
                return;
            }
            last = cmd.get(0) + ": " + r.lastLine();
        }
        throw new StorageException("cannot unmount " + tgt + ": " + last + "; is a process still using it?");
    }
}
