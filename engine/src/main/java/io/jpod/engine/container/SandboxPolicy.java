package io.jpod.engine.container;


import io.jpod.engine.CannotInvokeException;
import io.jpod.engine.EngineException;
import io.jpod.rootless.Capabilities;
import io.jpod.rootless.ContainerSpec;
import io.jpod.rootless.HostUser;
import io.jpod.rootless.RootlessException;
import io.jpod.rootless.SeccompFilter;
import io.jpod.rootless.SeccompProfile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The container's sandbox as podman sets it up by default, adjusted by the run's security options, turned into
 * the helper's spec records: capability sets, masked and read-only /proc and /sys paths, no_new_privs, the seccomp
 * program (written as a file into the run dir), the read-only rootfs and the resource limits.
 */
public final class SandboxPolicy {
    /** The OCI/podman masked paths: kernel state a container has no business reading. */
    static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
            "/sys/fs/selinux", "/sys/dev/block");
    /** The OCI/podman read-only paths: kernel knobs a container must not turn. */
    static final List<String> READONLY_PATHS = List.of("/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
            "/proc/sys", "/proc/sysrq-trigger");
    static final List<String> ULIMITS = List.of("cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
            "memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime");

    /** {@code --security-opt seccomp=jpod-strict}: the built-in stricter filter ({@link SeccompFilter#strictFilter}). */
    static final String STRICT_SECCOMP = "jpod-strict";

    /** What the options say, parsed. */
    record Options(boolean noNewPrivs, boolean seccompUnconfined, boolean seccompStrict, Path seccompProfile,
                   Set<String> unmask, List<String> mask) {
    }

    private SandboxPolicy() {
    }

    static Options parseOptions(List<String> securityOpts) {
        boolean nnp = true; // the issue asks for no_new_privs by default (podman's is off unless configured)
        boolean unconfined = false, strict = false;
        Path profile = null;
        Set<String> unmask = new LinkedHashSet<>();
        List<String> mask = new ArrayList<>();
        for (String o : securityOpts) {
            String key = o, value = null;
            int eq = o.indexOf('=');
            if (eq < 0) {
                eq = o.indexOf(':'); // docker's older spelling seccomp:unconfined
            }
            if (eq >= 0) {
                key = o.substring(0, eq);
                value = o.substring(eq + 1);
            }
            switch (key) {
                case "no-new-privileges" -> nnp = value == null || parseBool(o, value);
                case "seccomp" -> {
                    if (value == null || value.isEmpty()) {
                        throw new EngineException("--security-opt seccomp needs a value: unconfined, " + STRICT_SECCOMP + " or a profile file");
                    }
                    unconfined = value.equals("unconfined");
                    strict = value.equals(STRICT_SECCOMP); // a profile file of that name: ./jpod-strict
                    profile = unconfined || strict ? null : Path.of(value).toAbsolutePath();
                }
                case "unmask", "mask" -> {
                    if (value == null || value.isEmpty()) {
                        throw new EngineException("--security-opt " + key + " needs paths separated by ':'" + (key.equals("unmask") ? " or ALL" : ""));
                    }
                    for (String p : value.split(":")) {
                        if (key.equals("unmask") && p.equals("ALL")) {
                            unmask.add(p);
                        } else if (!(p.startsWith("/proc/") || p.startsWith("/sys/")) || p.contains("..")) {
                            // kernel filesystems only: the image cannot plant symlinks there that would aim the mount elsewhere
                            throw new EngineException("--security-opt " + o + ": \"" + p + "\" is not a path below /proc or /sys");
                        } else {
                            (key.equals("unmask") ? unmask : mask).add(p);
                        }
                    }
                }
                case "label", "apparmor" -> {
                    // no SELinux/AppArmor in a rootless jpod: disabling them changes nothing
                    if (value == null || !(value.equals("disable") || value.equals("unconfined") || value.equals("nested"))) {
                        throw new EngineException("--security-opt " + o + " is not supported: jpod has no SELinux or AppArmor labels (only label=disable)");
                    }
                }
                default -> throw new EngineException("unknown --security-opt \"" + o
                        + "\": use no-new-privileges, seccomp=unconfined, seccomp=" + STRICT_SECCOMP + ", seccomp=FILE, mask=, unmask= or label=disable");
            }
        }
        return new Options(nnp, unconfined, strict, profile, unmask, mask);
    }

    private static boolean parseBool(String opt, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new EngineException("--security-opt " + opt + ": expected true or false");
        };
    }

    static int lastCap() {
        // Files.readString trusts the size procfs reports and may return a prefix ("4" of "40"): read to EOF
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/cap_last_cap"))) {
            return Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 40; // CAP_CHECKPOINT_RESTORE, Linux 5.9
        }
    }

    /** The records of a container's run spec that an exec'd process shares (capabilities are recomputed). */
    private static final java.util.Set<String> EXEC_SHARED = java.util.Set.of("cap_bounding", "no_new_privs", "seccomp", "rlimit");

    /**
     * Appends to an exec spec the sandbox of the container it enters, taken from the container's saved run spec:
     * the same bounding set, no_new_privs, seccomp program and rlimits; root gets the bounding set as its
     * effective and permitted capabilities, another user none (podman's rule for both run and exec).
     */
    static void appendExecRecords(Path runSpec, Path execSpec, long execUid) throws IOException {
        if (!Files.isRegularFile(runSpec)) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        String bounding = null;
        for (String rec : new String(Files.readAllBytes(runSpec), java.nio.charset.StandardCharsets.UTF_8).split("\0")) {
            int eq = rec.indexOf('=');
            if (eq > 0 && EXEC_SHARED.contains(rec.substring(0, eq))) {
                sb.append(rec).append('\0');
                if (rec.startsWith("cap_bounding=")) {
                    bounding = rec.substring(eq + 1);
                }
            }
        }
        if (bounding != null) {
            String own = execUid == 0 ? bounding : "0";
            sb.append("cap_effective=").append(own).append('\0').append("cap_permitted=").append(own).append('\0')
                    .append("cap_inheritable=").append(own).append('\0').append("cap_ambient=0").append('\0');
        }
        Files.writeString(execSpec, sb.toString(), java.nio.file.StandardOpenOption.APPEND);
    }

    /** The sandbox's spec records; writes the seccomp program to {@code runDir/seccomp.bpf} when there is one. */
    static List<ContainerSpec.Extra> extras(RunRequest.SecurityRequest sec, long uid, Path runDir, PrintStream err) throws IOException {
        Options opts = parseOptions(sec.securityOpts());
        Capabilities caps;
        try {
            caps = Capabilities.compute(sec.capAdd(), sec.capDrop(), sec.privileged(), uid == 0, lastCap());
        } catch (RootlessException e) {
            throw new EngineException(e.getMessage(), e);
        }
        List<ContainerSpec.Extra> x = new ArrayList<>(caps.extras());
        if (!sec.privileged()) {
            // podman: unmask=ALL drops the masked and the read-only lists; a named path leaves either list
            boolean all = opts.unmask().contains("ALL");
            MASKED_PATHS.stream().filter(p -> !all && !opts.unmask().contains(p))
                    .forEach(p -> x.add(new ContainerSpec.Extra("masked_path", p)));
            READONLY_PATHS.stream().filter(p -> !all && !opts.unmask().contains(p))
                    .forEach(p -> x.add(new ContainerSpec.Extra("readonly_path", p)));
        }
        opts.mask().forEach(p -> x.add(new ContainerSpec.Extra("masked_path", p)));
        x.add(new ContainerSpec.Extra("no_new_privs", opts.noNewPrivs() ? "1" : "0"));
        SeccompFilter filter = null;
        if (opts.seccompProfile() != null) {
            filter = withArch(() -> SeccompProfile.read(opts.seccompProfile(), caps));
        } else if (opts.seccompStrict()) {
            filter = withArch(() -> SeccompFilter.strictFilter(caps));
        } else if (!opts.seccompUnconfined() && !sec.privileged()) {
            if (isX86_64()) {
                filter = SeccompFilter.defaultFilter(caps);
            } else {
                err.println("jpod: warning: no default seccomp filter on " + System.getProperty("os.arch") + " yet (x86_64 only)");
            }
        }
        if (filter != null) {
            Path file = runDir.resolve("seccomp.bpf");
            Files.write(file, filter.bytes());
            x.add(new ContainerSpec.Extra("seccomp", file.toString()));
        }
        if (sec.readOnly()) {
            x.add(new ContainerSpec.Extra("readonly_rootfs", "1"));
        }
        for (String u : sec.ulimits()) {
            x.add(new ContainerSpec.Extra("rlimit", ulimit(u)));
        }
        String userns = usernsMode(sec);
        if (userns != null) {
            x.addAll(mapRecords(uidMap(userns), gidMap(userns)));
        } else if (NestedUserns.handles(sec.userns())) {
            x.addAll(NestedUserns.records(sec.userns(), runDir));
        }
        return x;
    }

    /** The helper's records of a keep-id user namespace nested in the pause process's (a container's or a pod infra's). */
    public static List<ContainerSpec.Extra> keepIdMapRecords() {
        return mapRecords(uidMap(KEEP_ID), gidMap(KEEP_ID));
    }

    /** The uid map ("INSIDE PARENT COUNT" lines) of a container's own user namespace under --userns MODE (keep-id). */
    public static List<String> uidMap(String mode) {
        return keepIdMap(HostUser.current().uid(), mappedIds(Path.of("/proc/self/uid_map")), "uid");
    }

    /** The gid map, as {@link #uidMap}. */
    public static List<String> gidMap(String mode) {
        return keepIdMap(HostUser.current().gid(), mappedIds(Path.of("/proc/self/gid_map")), "gid");
    }

    /** The helper's records of a user namespace nested in the pause process's, with these maps ("INSIDE PARENT COUNT"). */
    static List<ContainerSpec.Extra> mapRecords(List<String> uidMap, List<String> gidMap) {
        List<ContainerSpec.Extra> x = new ArrayList<>();
        uidMap.forEach(l -> x.add(new ContainerSpec.Extra("userns_uid_map", l)));
        gidMap.forEach(l -> x.add(new ContainerSpec.Extra("userns_gid_map", l)));
        return x;
    }

    public static final String KEEP_ID = "keep-id";

    /** --userns: the default (the pause process's namespace, also "host" and "") or keep-id. */
    static boolean keepId(RunRequest.SecurityRequest sec) {
        return KEEP_ID.equals(usernsMode(sec));
    }

    /**
     * --userns's mode: null for the default (the pause process's namespace, also "host" and ""), else keep-id (a
     * namespace of the container's own, nested in the pause process's). nomap and auto are null here too: their
     * container's init enters a namespace of their own only after the mount work (NestedUserns).
     */
    static String usernsMode(RunRequest.SecurityRequest sec) {
        String mode = sec.userns();
        if (mode == null || mode.isEmpty() || mode.equals("host")) {
            return null;
        }
        if (mode.equals(KEEP_ID)) {
            return mode;
        }
        if (NestedUserns.handles(mode)) {
            return null; // nomap, auto: a nested namespace of their own (NestedUserns), not keep-id's map
        }
        throw new EngineException("unsupported --userns \"" + mode + "\": use keep-id, nomap, auto[:size=N] (or host, the default)");
    }

    /**
     * The users podman names inside the container: with keep-id the caller's ids (when the image's /etc/passwd or
     * /etc/group lacks them), and each --hostuser's entry from the host's /etc/passwd. Added lines go into copies in
     * the run dir, bound over the image's files; a --hostuser the host does not know cannot be run (126, podman's).
     */
    static List<ContainerSpec.Mount> userEtcFiles(RunRequest.SecurityRequest sec, Path rootfs, Path runDir) throws IOException {
        List<String> passwd = new ArrayList<>();
        List<String> group = new ArrayList<>();
        if (keepId(sec)) {
            HostUser host = HostUser.current();
            String name = host.name() != null && host.name().matches("[a-zA-Z0-9_][a-zA-Z0-9_.-]*") ? host.name() : "user";
            passwd.add(name + ":*:" + host.uid() + ":" + host.gid() + ":" + name + ":/:/bin/sh");
            group.add(name + ":x:" + host.gid() + ":");
        }
        if (!sec.hostUsers().isEmpty()) {
            List<String> hostPasswd = Files.readAllLines(Path.of("/etc/passwd"));
            for (String u : sec.hostUsers()) {
                String entry = hostPasswd.stream().filter(l -> {
                    String[] f = l.split(":");
                    return f.length > 2 && (f[0].equals(u) || f[2].equals(u));
                }).findFirst().orElseThrow(() -> new CannotInvokeException("--hostuser " + u
                        + ": no such user on the host (not in its /etc/passwd)"));
                passwd.add(entry);
            }
        }
        List<ContainerSpec.Mount> mounts = new ArrayList<>();
        addEntries(rootfs, runDir, "passwd", passwd, mounts);
        addEntries(rootfs, runDir, "group", group, mounts);
        return mounts;
    }

    /** The lines whose id (the third field) the image's file lacks, appended to a copy bound over it. */
    private static void addEntries(Path rootfs, Path runDir, String file, List<String> lines,
                                   List<ContainerSpec.Mount> mounts) throws IOException {
        if (lines.isEmpty()) {
            return;
        }
        String inImage = MountSpecs.inRootfs(rootfs, "/etc/" + file);
        Path path = rootfs.resolve(inImage.substring(1));
        if (!Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String content = Files.readString(path);
        java.util.Set<String> known = new java.util.HashSet<>();
        for (String l : content.split("\n")) {
            String[] f = l.split(":");
            if (f.length > 2) {
                known.add(f[2]);
            }
        }
        StringBuilder added = new StringBuilder();
        for (String line : lines) {
            if (known.add(line.split(":")[2])) { // the image (or an earlier line) knows the id already
                added.append(line).append('\n');
            }
        }
        if (added.length() == 0) {
            return;
        }
        Path copy = runDir.resolve(file);
        Files.writeString(copy, content + (content.isEmpty() || content.endsWith("\n") ? "" : "\n") + added);
        mounts.add(new ContainerSpec.Mount("bind", copy.toString(), inImage, List.of("bind", "nosuid", "nodev", "noexec")));
    }

    /** With keep-id and no --user, the container runs as the caller's own ids, as podman's. */
    static String defaultUser(RunRequest.SecurityRequest sec, String imageUser) {
        if (keepId(sec)) {
            HostUser host = HostUser.current();
            return host.uid() + ":" + host.gid();
        }
        return imageUser;
    }

    /**
     * The nested namespace's map onto the pause process's one, podman's keep-id: the caller's id inside is the
     * caller (parent 0), the ids below it shift up by one onto the subordinate range, the ids above it stay.
     */
    static List<String> keepIdMap(long id, long parentSize, String what) {
        if (id == 0) {
            return List.of("0 0 " + parentSize);
        }
        if (id >= parentSize) {
            throw new EngineException("--userns=keep-id needs your " + what + " " + id + " below the size of the user namespace ("
                    + parentSize + " ids): add a larger range to /etc/sub" + what);
        }
        List<String> l = new ArrayList<>();
        l.add("0 1 " + id);
        l.add(id + " 0 1");
        if (id + 1 < parentSize) {
            l.add((id + 1) + " " + (id + 1) + " " + (parentSize - id - 1));
        }
        return l;
    }

    /** How many ids this (the pause process's) namespace maps: the end of its highest range. */
    public static long mappedIds(Path map) {
        long end = 0;
        try {
            for (String line : Files.readAllLines(map)) {
                String[] f = line.strip().split("\\s+");
                if (f.length == 3) {
                    end = Math.max(end, Long.parseLong(f[0]) + Long.parseLong(f[2]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new EngineException("cannot read " + map + ": " + e.getMessage(), e);
        }
        return end;
    }

    private static boolean isX86_64() {
        String a = System.getProperty("os.arch", "");
        return a.equals("amd64") || a.equals("x86_64");
    }

    private static SeccompFilter withArch(java.util.function.Supplier<SeccompFilter> s) {
        if (!isX86_64()) {
            throw new EngineException("seccomp profiles are only supported on x86_64 for now: use --security-opt seccomp=unconfined");
        }
        try {
            return s.get();
        } catch (RootlessException e) {
            throw new EngineException(e.getMessage(), e);
        }
    }

    /** {@code NAME=SOFT[:HARD]} → the helper's {@code RESOURCE:SOFT:HARD} (-1 or "unlimited" → RLIM_INFINITY). */
    static String ulimit(String spec) {
        int eq = spec.indexOf('=');
        String name = eq < 0 ? "" : spec.substring(0, eq).toLowerCase(Locale.ROOT);
        if (name.startsWith("rlimit_")) {
            name = name.substring(7);
        }
        int resource = ULIMITS.indexOf(name);
        if (resource < 0) {
            throw new EngineException("invalid --ulimit \"" + spec + "\": expected NAME=SOFT[:HARD] with NAME one of " + String.join(", ", ULIMITS));
        }
        String[] v = spec.substring(eq + 1).split(":", -1);
        if (v.length > 2) {
            throw new EngineException("invalid --ulimit \"" + spec + "\": expected NAME=SOFT[:HARD]");
        }
        long soft = limit(spec, v[0]);
        long hard = v.length == 2 ? limit(spec, v[1]) : soft;
        if (Long.compareUnsigned(soft, hard) > 0) {
            throw new EngineException("invalid --ulimit \"" + spec + "\": the soft limit is above the hard limit");
        }
        return resource + ":" + Long.toUnsignedString(soft) + ":" + Long.toUnsignedString(hard);
    }

    private static long limit(String spec, String v) {
        if (v.equals("-1") || v.equalsIgnoreCase("unlimited")) {
            return -1L;
        }
        try {
            long l = Long.parseLong(v);
            if (l < 0) {
                throw new NumberFormatException();
            }
            return l;
        } catch (NumberFormatException e) {
            throw new EngineException("invalid --ulimit \"" + spec + "\": \"" + v + "\" is not a number, -1 or unlimited");
        }
    }
}
