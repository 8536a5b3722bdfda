package io.jpod.engine.container;

import io.jpod.engine.EngineException;

import io.jpod.engine.container.SandboxPolicy;

import io.jpod.rootless.ContainerSpec;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The --userns modes whose map leaves out id 0 of the pause process's user namespace (the caller on the host,
 * who owns the rootfs): {@code nomap} (the caller's subordinate ids only, container root = the first of them)
 * and {@code auto[:size=N,uidmapping=C:H:S,gidmapping=C:H:S]} (a fresh range of N ids no other container's
 * auto range holds). The container's init enters that namespace after the mounts ({@code userns_in_init=1}).
 */
public final class NestedUserns {
    /** podman sizes auto from the image's highest id, at least 1024; jpod takes 1024 unless size= says otherwise. */
    public static final long AUTO_DEFAULT_SIZE = 1024;
    /** A container's auto range, kept in its run dir while it exists: "START SIZE". */
    private static final String AUTO_RANGE_FILE = "userns-auto";

    private NestedUserns() {
    }

    /** Whether this --userns is one of these modes (checked before anything is created). */
    public static boolean handles(String mode) {
        return mode != null && (mode.equals("nomap") || mode.equals("auto") || mode.startsWith("auto:"));
    }

    /** The helper's records for the mode; {@code runDir} is the container's (auto records its range there). */
    public static List<ContainerSpec.Extra> records(String mode, Path runDir) throws IOException {
        long uids = SandboxPolicy.mappedIds(Path.of("/proc/self/uid_map"));
        long gids = SandboxPolicy.mappedIds(Path.of("/proc/self/gid_map"));
        List<String> uidMap, gidMap;
        if (mode.equals("nomap")) {
            if (uids < 2 || gids < 2) {
                throw new EngineException("--userns=nomap needs subordinate ids: add a range for your user to /etc/subuid and /etc/subgid");
            }
            uidMap = List.of("0 1 " + (uids - 1));
            gidMap = List.of("0 1 " + (gids - 1));
        } else {
            AutoOptions o = AutoOptions.parse(mode);
            long start = allocate(runDir, o.size(), Math.min(uids, gids));
            uidMap = o.map(o.uidMappings(), start);
            gidMap = o.map(o.gidMappings(), start);
        }
        List<ContainerSpec.Extra> x = new ArrayList<>();
        uidMap.forEach(l -> x.add(new ContainerSpec.Extra("userns_uid_map", l)));
        gidMap.forEach(l -> x.add(new ContainerSpec.Extra("userns_gid_map", l)));
        x.add(new ContainerSpec.Extra("userns_in_init", "1"));
        return x;
    }

    /**
     * Inspect's HostConfig.UsernsMode: "private" when the container's spec gives it a user namespace of its own
     * (keep-id, nomap, auto), "" when it runs in the pause process's (podman's value without a user namespace).
     */
    public static String inspectMode(Path spec) {
        try {
            String text = new String(Files.readAllBytes(spec), StandardCharsets.UTF_8);
            return text.startsWith("userns_uid_map=") || text.contains("\0userns_uid_map=") ? "private" : "";
        } catch (IOException e) {
            return ""; // not created yet, or removed meanwhile
        }
    }

    /** One CONTAINER:HOST:SIZE of uidmapping=/gidmapping= (HOST: an id of the pause process's namespace). */
    record Mapping(long container, long host, long size) {
    }

    /** What auto:OPTIONS says. */
    public record AutoOptions(long size, List<Mapping> uidMappings, List<Mapping> gidMappings) {
        public static AutoOptions parse(String mode) {
            long size = AUTO_DEFAULT_SIZE;
            List<Mapping> uid = new ArrayList<>(), gid = new ArrayList<>();
            if (mode.startsWith("auto:")) {
                for (String opt : mode.substring(5).split(",")) {
                    int eq = opt.indexOf('=');
                    String key = eq < 0 ? opt : opt.substring(0, eq), value = eq < 0 ? "" : opt.substring(eq + 1);
                    switch (key) {
                        case "size" -> size = number(value, opt);
                        case "uidmapping" -> uid.add(mapping(value, opt));
                        case "gidmapping" -> gid.add(mapping(value, opt));
                        default -> throw new EngineException("unknown option specified: \"" + key
                                + "\" (--userns=auto takes size=, uidmapping= and gidmapping=)");
                    }
                }
            }
            if (size < 1) {
                throw new EngineException("--userns=" + mode + ": size must be at least 1");
            }
            return new AutoOptions(size, List.copyOf(uid), List.copyOf(gid));
        }

        private static long number(String v, String opt) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new EngineException("--userns=auto: invalid " + opt + ": expected a number");
            }
        }

        private static Mapping mapping(String v, String opt) {
            String[] f = v.split(":");
            if (f.length != 3) {
                throw new EngineException("--userns=auto: invalid " + opt + ": expected CONTAINER:HOST:SIZE");
            }
            Mapping m = new Mapping(number(f[0], opt), number(f[1], opt), number(f[2], opt));
            if (m.size() < 1 || m.host() < 1) {
                throw new EngineException("--userns=auto: invalid " + opt + ": HOST must be a subordinate id (at least 1) and SIZE at least 1");
            }
            return m;
        }

        /** Container ids 0..size-1: the explicit mappings where given, the allocated range's ids for the rest. */
        public List<String> map(List<Mapping> explicit, long start) {
            List<String> lines = new ArrayList<>();
            List<Mapping> sorted = new ArrayList<>(explicit);
            sorted.sort((a, b) -> Long.compare(a.container(), b.container()));
            long next = 0;
            for (Mapping m : sorted) {
                if (m.container() < next) {
                    throw new EngineException("--userns=auto: mapping " + m.container() + ":" + m.host() + ":" + m.size() + " overlaps another");
                }
                long gapEnd = Math.min(m.container(), size);
                if (gapEnd > next) {
                    lines.add(next + " " + (start + next) + " " + (gapEnd - next));
                }
                lines.add(m.container() + " " + m.host() + " " + m.size());
                next = m.container() + m.size();
            }
            if (next < size) {
                lines.add(next + " " + (start + next) + " " + (size - next));
            }
            if (lines.size() > 5) { // the kernel's limit for an unprivileged writer is 340; keep the spec small
                throw new EngineException("--userns=auto: too many uidmapping/gidmapping options (at most 4 per kind)");
            }
            return lines;
        }
    }

    /**
     * The first free range of {@code size} ids above 0 in the pause process's namespace: the other containers'
     * ranges are the files in their run dirs (gone with the container); a lock on the run root keeps two runs
     * from taking the same one.
     */
    public static long allocate(Path runDir, long size, long available) throws IOException {
        Path root = runDir.getParent();
        try (FileChannel lockFile = FileChannel.open(root.resolve(AUTO_RANGE_FILE + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            List<long[]> used = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, Files::isDirectory)) {
                for (Path d : ds) {
                    Path f = d.resolve(AUTO_RANGE_FILE);
                    if (d.equals(runDir) || !Files.isRegularFile(f)) {
                        continue;
                    }
                    String[] s = Files.readString(f, StandardCharsets.US_ASCII).trim().split(" ");
                    try {
                        used.add(new long[]{Long.parseLong(s[0]), Long.parseLong(s[1])});
                    } catch (RuntimeException e) {
                        // a half-written file of a run that failed: holds nothing
                    }
                }
            }
            used.sort((a, b) -> Long.compare(a[0], b[0]));
            long start = 1;
            for (long[] u : used) {
                if (start + size <= u[0]) {
                    break;
                }
                start = Math.max(start, u[0] + u[1]);
            }
            if (start + size > available) {
                throw new EngineException("cannot find a free range of " + size + " ids for --userns=auto: the user namespace has "
                        + available + " ids (add a larger range to /etc/subuid and /etc/subgid, or remove containers)");
            }
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve(AUTO_RANGE_FILE), start + " " + size + "\n", StandardCharsets.US_ASCII);
            return start;
        }
    }
}
