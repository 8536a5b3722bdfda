package io.jpod.rootless;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The container's capability sets as bit masks (bit N = capability N), computed like podman: its default set,
 * {@code --cap-add}/{@code --cap-drop}, {@code --privileged}; for a non-root user only the explicitly added
 * capabilities stay effective (podman 4 and runc clear the rest when the user is not 0).
 *
 * @param bounding    what the container can ever gain
 * @param effective   what the process has at exec
 * @param permitted   what it may raise
 * @param inheritable kept across exec of non-setuid programs together with ambient
 * @param ambient     passed through execve by a non-root user
 */
public record Capabilities(long bounding, long effective, long permitted, long inheritable, long ambient) {

    /** Capability names in kernel order, without the CAP_ prefix (index = capability number). */
    public static final List<String> NAMES = List.of("CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID",
            "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",
            "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
            "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
            "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
            "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE");

    /** podman's (containers.conf) default set. */
    public static final List<String> PODMAN_DEFAULT = List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
            "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

    /** The number of capability {@code name} (with or without CAP_, any case). */
    public static int number(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("CAP_")) {
            n = n.substring(4);
        }
        int i = NAMES.indexOf(n);
        if (i < 0) {
            throw new RootlessException("unknown capability \"" + name + "\": use a name like CAP_NET_ADMIN or NET_ADMIN, or \"all\"");
        }
        return i;
    }

    /** All capabilities up to {@code lastCap} (the kernel's /proc/sys/kernel/cap_last_cap). */
    public static long all(int lastCap) {
        return lastCap >= 63 ? -1L : (1L << (lastCap + 1)) - 1;
    }

    public static long mask(List<String> names) {
        long m = 0;
        for (String n : names) {
            m |= 1L << number(n);
        }
        return m;
    }

    /**
     * Computes the sets as podman does: start from the default set (or all, when privileged), drop then add
     * (so {@code --cap-drop all --cap-add X} leaves X), "all" in either list meaning every capability.
     */
    public static Capabilities compute(List<String> add, List<String> drop, boolean privileged, boolean rootUser, int lastCap) {
        long all = all(lastCap);
        long set = privileged ? all : mask(PODMAN_DEFAULT);
        long added = 0;
        for (String d : drop) {
            set &= d.equalsIgnoreCase("all") ? 0 : ~(1L << number(d));
        }
        for (String a : add) {
            long bit = a.equalsIgnoreCase("all") ? all : 1L << number(a);
            if ((bit & ~all) != 0) {
                throw new RootlessException("capability " + a + " is not known to this kernel (last is "
                        + NAMES.get(Math.min(lastCap, NAMES.size() - 1)) + ")");
            }
            set |= bit;
            added |= bit;
        }
        if (rootUser) {
            return new Capabilities(set, set, set, set, 0);
        }
        long user = privileged ? set : added & set;
        return new Capabilities(set, user, user, user, user);
    }

    /** The sets as the helper's {@code cap_*} spec records (hex masks). */
    public List<ContainerSpec.Extra> extras() {
        List<ContainerSpec.Extra> x = new ArrayList<>();
        x.add(new ContainerSpec.Extra("cap_bounding", Long.toHexString(bounding)));
        x.add(new ContainerSpec.Extra("cap_effective", Long.toHexString(effective)));
        x.add(new ContainerSpec.Extra("cap_permitted", Long.toHexString(permitted)));
        x.add(new ContainerSpec.Extra("cap_inheritable", Long.toHexString(inheritable)));
        x.add(new ContainerSpec.Extra("cap_ambient", Long.toHexString(ambient)));
        return x;
    }

    /** Names of the capabilities in {@code mask}, "CAP_" prefixed, sorted (as podman's inspect shows them). */
    public static Set<String> names(long mask) {
        Set<String> s = new TreeSet<>();
        for (int i = 0; i < 64; i++) {
            if ((mask & (1L << i)) != 0) {
                s.add("CAP_" + (i < NAMES.size() ? NAMES.get(i) : Integer.toString(i)));
            }
        }
        return s;
    }

    public boolean has(String name) {
        return (bounding & (1L << number(name))) != 0;
    }
}
