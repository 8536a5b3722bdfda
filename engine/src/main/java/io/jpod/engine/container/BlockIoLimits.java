package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.rootless.Cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Block I/O limits (podman's --blkio-weight, --blkio-weight-device, --device-read-bps, --device-write-bps,
 * --device-read-iops, --device-write-iops) as cgroup file writes.
 *
 * <p>v1: {@code blkio.weight} / {@code blkio.weight_device} (on kernels with BFQ the files are
 * {@code blkio.bfq.weight*}; {@link #resolve} picks what exists when writing) and {@code blkio.throttle.*_device}.
 * v2: {@code io.bfq.weight} when it exists, else {@code io.weight} with crun's conversion of the 10-1000 scale onto
 * 1-10000; limits in {@code io.max}. Devices are given as paths and written as major:minor.
 */
final class BlockIoLimits {
    private BlockIoLimits() {
    }

    /** The writes of a request; {@code device} resolves a path to "major:minor" (throws EngineException). */
    static List<CgroupLimits.Write> plan(RunRequest.BlockIoRequest b, Cgroups cg, Function<String, String> device) {
        List<CgroupLimits.Write> w = new ArrayList<>();
        if (!b.requested()) {
            return w;
        }
        boolean v2 = cg.version().equals("v2");
        String ctl = v2 ? "io" : "blkio";
        String flag = b.weight() != null && b.weight() != 0 ? "--blkio-weight" : !b.weightDevice().isEmpty() ? "--blkio-weight-device"
                : !b.readBps().isEmpty() ? "--device-read-bps" : !b.writeBps().isEmpty() ? "--device-write-bps"
                : !b.readIops().isEmpty() ? "--device-read-iops" : "--device-write-iops";
        CgroupLimits.need(cg, ctl, flag);
        if (b.weight() != null && b.weight() != 0) {
            needWeightFile(cg, ctl, "--blkio-weight");
            w.add(new CgroupLimits.Write(ctl, v2 ? "io.bfq.weight" : "blkio.weight", Integer.toString(weight("--blkio-weight", b.weight()))));
        }
        for (String s : b.weightDevice()) {
            needWeightFile(cg, ctl, "--blkio-weight-device");
            String[] dv = split("--blkio-weight-device", s, "/dev/sda:200");
            int weight;
            try {
                weight = weight("--blkio-weight-device", Integer.parseInt(dv[1]));
            } catch (NumberFormatException e) {
                throw new EngineException("--blkio-weight-device " + s + ": the weight is not a number: give PATH:WEIGHT, e.g. /dev/sda:200");
            }
            w.add(new CgroupLimits.Write(ctl, v2 ? "io.bfq.weight" : "blkio.weight_device", device.apply(dv[0]) + " " + weight));
        }
        limits(w, v2, "--device-read-bps", b.readBps(), "rbps", "blkio.throttle.read_bps_device", true, device);
        limits(w, v2, "--device-write-bps", b.writeBps(), "wbps", "blkio.throttle.write_bps_device", true, device);
        limits(w, v2, "--device-read-iops", b.readIops(), "riops", "blkio.throttle.read_iops_device", false, device);
        limits(w, v2, "--device-write-iops", b.writeIops(), "wiops", "blkio.throttle.write_iops_device", false, device);
        return w;
    }

    /**
     * Weights are a feature of the I/O scheduler, not of the controller: a kernel without BFQ (v1) or without
     * io.weight (v2) has the controller with only its throttle/max files. Checked on the delegated parent, which has
     * the same files as the container's cgroup will, before anything is created.
     */
    private static void needWeightFile(Cgroups cg, String ctl, String flag) {
        Path parent = cg.parents().get(ctl);
        if (parent != null && !Files.isDirectory(parent)) {
            parent = parent.getParent(); // v2: jpod's own parent below the delegated cgroup is made on first use
        }
        if (parent == null || !Files.exists(parent.resolve("cgroup.procs"))) {
            return; // not a cgroup directory (yet): the write itself will say what is wrong
        }
        List<String> names = ctl.equals("io") ? List.of("io.bfq.weight", "io.weight") : List.of("blkio.weight", "blkio.bfq.weight");
        for (String name : names) {
            if (Files.exists(parent.resolve(name))) {
                return;
            }
        }
        throw new EngineException(flag + " needs the kernel's BFQ I/O scheduler; this machine's " + ctl + " controller has no weight file");
    }

    private static void limits(List<CgroupLimits.Write> w, boolean v2, String flag, List<String> specs, String v2Key, String v1File,
                               boolean bytes, Function<String, String> device) {
        for (String s : specs) {
            String[] dv = split(flag, s, bytes ? "/dev/sda:1mb" : "/dev/sda:1000");
            long value;
            if (bytes) {
                value = CgroupLimits.parseSize(flag, dv[1]);
            } else {
                try {
                    value = Long.parseLong(dv[1]);
                } catch (NumberFormatException e) {
                    value = -1;
                }
                if (value <= 0) {
                    throw new EngineException(flag + " " + s + ": the rate is not a positive number: give PATH:IOPS, e.g. /dev/sda:1000");
                }
            }
            String majMin = device.apply(dv[0]);
            w.add(v2 ? new CgroupLimits.Write("io", "io.max", majMin + " " + v2Key + "=" + value)
                    : new CgroupLimits.Write("blkio", v1File, majMin + " " + value));
        }
    }

    private static int weight(String flag, int weight) {
        if (weight < 10 || weight > 1000) {
            throw new EngineException(flag + " " + weight + " is out of range: give 10 to 1000");
        }
        return weight;
    }

    private static String[] split(String flag, String s, String example) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new EngineException(flag + " " + s + " is not PATH:VALUE: give a block device and a value, e.g. " + example);
        }
        return new String[]{s.substring(0, colon), s.substring(colon + 1)};
    }

    /** A block device path as "major:minor" (what the kernel's cgroup files take). */
    static String deviceNumber(String path) {
        Path p = Path.of(path);
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            if ((mode & 0170000) != 0060000) {
                throw new EngineException(path + " is not a block device: give the path of a disk, e.g. /dev/sda");
            }
            long rdev = (Long) Files.getAttribute(p, "unix:rdev");
            long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
            long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
            return major + ":" + minor;
        } catch (IOException | UnsupportedOperationException e) {
            throw new EngineException("cannot find the block device " + path + ": " + e.getMessage());
        }
    }

    /**
     * The file a planned write really goes to in {@code dir}, and its value: BFQ kernels name the v1 weight files
     * {@code blkio.bfq.weight*}; on v2 without BFQ the weight goes to {@code io.weight} on its 1-10000 scale.
     */
    static String[] resolve(Path dir, String file, String value) {
        switch (file) {
            case "blkio.weight", "blkio.weight_device" -> {
                if (!Files.exists(dir.resolve(file))) {
                    String bfq = file.replace("blkio.", "blkio.bfq.");
                    if (Files.exists(dir.resolve(bfq))) {
                        return new String[]{bfq, value};
                    }
                }
            }
            case "io.bfq.weight" -> {
                if (!Files.exists(dir.resolve(file))) {
                    int sp = value.lastIndexOf(' ');
                    long w = Long.parseLong(value.substring(sp + 1));
                    return new String[]{"io.weight", value.substring(0, sp + 1) + (1 + (w - 10) * 9999 / 990)};
                }
            }
            default -> {
            }
        }
        return new String[]{file, value};
    }
}
