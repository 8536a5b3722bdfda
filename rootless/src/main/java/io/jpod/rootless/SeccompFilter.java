package io.jpod.rootless;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A seccomp filter as rules per syscall name, compiled to classic BPF for the helper (which installs it with
 * prctl(PR_SET_SECCOMP) as its last step before execve). For x86_64 hosts: the program first checks the audit
 * architecture and jumps to the section of x86_64 or (when {@link #i386}) of i386 (32-bit programs, as podman's
 * profile allows them); any other arch and the x32 ABI get {@link #badArch}. A section compares the syscall number
 * against each syscall that has rules (names this arch lacks are skipped); a syscall's rules are tried in order,
 * the first whose argument conditions all hold decides, else the default action.
 *
 * @param defaultAction seccomp return value for syscalls no rule decides
 * @param badArch       return value for a foreign architecture
 * @param rules         rules in priority order
 * @param i386          whether 32-bit x86 programs may run (under the same rules)
 */
public record SeccompFilter(int defaultAction, int badArch, List<Rule> rules, boolean i386) {

    public static final int RET_KILL_PROCESS = 0x80000000;
    public static final int RET_KILL_THREAD = 0;
    public static final int RET_TRAP = 0x00030000;
    public static final int RET_ERRNO = 0x00050000;
    public static final int RET_LOG = 0x7ffc0000;
    public static final int RET_ALLOW = 0x7fff0000;
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    public static final int AUDIT_ARCH_I386 = 0x40000003;
    public static final int EPERM = 1;
    public static final int ENOSYS = 38;
    /** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET, as docker's and podman's profiles mask clone's flags. */
    public static final long CLONE_NAMESPACE_FLAGS = 0x7E020000L;

    public enum Op { EQ, NE, LT, LE, GT, GE, MASKED_EQ }

    /** Argument {@code index} compared as 64 bits; for MASKED_EQ: {@code (arg & value) == valueTwo}. */
    public record Condition(int index, Op op, long value, long valueTwo) {
        public Condition {
            Objects.requireNonNull(op, "op");
            if (index < 0 || index > 5) {
                throw new IllegalArgumentException("syscall argument index must be 0..5: " + index);
            }
        }
    }

    public record Rule(String syscall, int action, List<Condition> conditions) {
        public Rule {
            Objects.requireNonNull(syscall, "syscall");
            conditions = List.copyOf(conditions);
        }
    }

    public SeccompFilter {
        rules = List.copyOf(rules);
    }

    public static int errno(int errno) {
        return RET_ERRNO | (errno & 0xffff);
    }

    // ------------------------------------------------------------------ the default and the strict filter

    /**
     * Syscalls a container may make whatever its capabilities (the kernel still checks them: mount, unshare and
     * keyctl work only where the process holds the rights, e.g. inside a user namespace of its own): the allow-list
     * of podman 4's default profile (containers-common's seccomp.json), 64- and 32-bit x86 names.
     */
    private static final List<String> ALLOWED = List.of(
            "_llseek", "_newselect", "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget",
            "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
            "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
            "clone", "clone3", "close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3",
            "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
            "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group",
            "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod",
            "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr",
            "flock", "fork", "fremovexattr", "fsconfig", "fsetxattr", "fsmount", "fsopen", "fspick", "fstat",
            "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex",
            "futex_time64", "futimesat", "get_mempolicy", "get_robust_list", "get_thread_area", "getcpu", "getcwd",
            "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
            "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid",
            "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit",
            "getrusage", "getsid", "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32",
            "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
            "io_destroy", "io_getevents", "io_setup", "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc",
            "keyctl", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
            "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "lremovexattr", "lseek",
            "lsetxattr", "lstat", "lstat64", "madvise", "mbind", "membarrier", "memfd_create", "memfd_secret",
            "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
            "mount", "mount_setattr", "move_mount", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
            "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink",
            "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
            "name_to_handle_at", "nanosleep", "newfstatat", "open", "open_tree", "openat", "openat2", "pause",
            "pidfd_getfd", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pivot_root", "pkey_alloc",
            "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
            "prlimit64", "process_mrelease", "process_vm_readv", "process_vm_writev", "pselect6", "pselect6_time64",
            "ptrace", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readdir", "readlink", "readlinkat",
            "readv", "reboot", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages",
            "removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
            "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
            "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min",
            "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
            "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
            "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
            "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_mempolicy",
            "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid",
            "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setns", "setpgid",
            "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32",
            "setreuid", "setreuid32", "setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "shmat",
            "shmctl", "shmdt", "shmget", "shutdown", "sigaction", "sigaltstack", "signal", "signalfd", "signalfd4",
            "sigpending", "sigprocmask", "sigreturn", "sigsuspend", "socketcall", "socketpair", "splice", "stat",
            "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
            "syscall", "sysinfo", "syslog", "tee", "tgkill", "time", "timer_create", "timer_delete",
            "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd",
            "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
            "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "umount", "umount2", "uname",
            "unlink", "unlinkat", "unshare", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "wait4",
            "waitid", "waitpid", "write", "writev"
    );

    /** Refused with EPERM whatever the capabilities, as podman's profile does (obsolete or machine-global calls). */
    private static final List<String> REFUSED = List.of("bdflush", "io_pgetevents", "kexec_file_load", "kexec_load",
            "migrate_pages", "move_pages", "nfsservctl", "nice", "oldfstat", "oldlstat", "oldolduname", "oldstat", "olduname",
            "pciconfig_iobase", "pciconfig_read", "pciconfig_write", "sgetmask", "ssetmask", "swapcontext", "swapoff",
            "swapon", "sysfs", "uselib", "userfaultfd", "ustat", "vm86", "vm86old", "vmsplice");

    /** Allowed only to a container holding the capability (first element), else EPERM, as in podman's profile. */
    private static final String[][] BY_CAPABILITY = {
            {"DAC_READ_SEARCH", "open_by_handle_at"},
            {"SYS_ADMIN", "bpf", "fanotify_init", "lookup_dcookie", "perf_event_open", "quotactl", "setdomainname", "sethostname"},
            {"SYS_CHROOT", "chroot"},
            {"SYS_MODULE", "delete_module", "finit_module", "init_module", "query_module"},
            {"SYS_PACCT", "acct"},
            {"SYS_PTRACE", "kcmp", "process_madvise"},
            {"SYS_RAWIO", "ioperm", "iopl"},
            {"SYS_TIME", "clock_settime", "clock_settime64", "settimeofday", "stime"},
            {"SYS_TTY_CONFIG", "vhangup"},
    };

    /**
     * What {@link #strictFilter} refuses on top of the default, with EPERM unless the container holds the capability
     * (null: always): keyrings, mounts, namespaces, tracing, clocks, BPF, perf, NUMA policy.
     */
    private static final String[][] STRICT_DENIED = {
            {"add_key", null}, {"keyctl", null}, {"request_key", null},
            {"kexec_load", null}, {"kexec_file_load", null}, {"create_module", null}, {"get_kernel_syms", null},
            {"query_module", null}, {"nfsservctl", null}, {"uselib", null}, {"_sysctl", null}, {"sysfs", null},
            {"ustat", null}, {"afs_syscall", null}, {"tuxcall", null}, {"security", null}, {"vserver", null},
            {"getpmsg", null}, {"putpmsg", null}, {"vm86", null}, {"vm86old", null},
            {"mount", "SYS_ADMIN"}, {"umount", "SYS_ADMIN"}, {"umount2", "SYS_ADMIN"}, {"pivot_root", "SYS_ADMIN"}, {"unshare", "SYS_ADMIN"},
            {"setns", "SYS_ADMIN"}, {"swapon", "SYS_ADMIN"}, {"swapoff", "SYS_ADMIN"}, {"quotactl", "SYS_ADMIN"},
            {"fsopen", "SYS_ADMIN"}, {"fsconfig", "SYS_ADMIN"}, {"fsmount", "SYS_ADMIN"}, {"fspick", "SYS_ADMIN"},
            {"move_mount", "SYS_ADMIN"}, {"open_tree", "SYS_ADMIN"}, {"mount_setattr", "SYS_ADMIN"},
            {"lookup_dcookie", "SYS_ADMIN"}, {"name_to_handle_at", "SYS_ADMIN"},
            {"open_by_handle_at", "DAC_READ_SEARCH"},
            {"bpf", "SYS_ADMIN"}, {"perf_event_open", "SYS_ADMIN"}, {"fanotify_init", "SYS_ADMIN"},
            {"ptrace", "SYS_PTRACE"}, {"process_vm_readv", "SYS_PTRACE"}, {"process_vm_writev", "SYS_PTRACE"},
            {"kcmp", "SYS_PTRACE"}, {"pidfd_getfd", "SYS_PTRACE"}, {"userfaultfd", "SYS_PTRACE"},
            {"reboot", "SYS_BOOT"}, {"init_module", "SYS_MODULE"}, {"finit_module", "SYS_MODULE"},
            {"delete_module", "SYS_MODULE"}, {"iopl", "SYS_RAWIO"}, {"ioperm", "SYS_RAWIO"},
            {"acct", "SYS_PACCT"}, {"settimeofday", "SYS_TIME"}, {"clock_settime", "SYS_TIME"},
            {"clock_adjtime", "SYS_TIME"}, {"stime", "SYS_TIME"}, {"syslog", "SYSLOG"},
            {"vhangup", "SYS_TTY_CONFIG"}, {"get_mempolicy", "SYS_NICE"}, {"mbind", "SYS_NICE"},
            {"set_mempolicy", "SYS_NICE"}, {"move_pages", "SYS_NICE"},
    };

    private static final int AF_NETLINK = 16, NETLINK_AUDIT = 9, EINVAL = 22;

    /**
     * The default filter, podman 4's default profile in effect for the given capabilities: the syscalls of
     * {@link #ALLOWED} are allowed, those of {@link #REFUSED} and those of {@link #BY_CAPABILITY} without their
     * capability fail with EPERM, every other one with ENOSYS (so a program falls back as on an older kernel).
     * Namespaces (unshare, clone with namespace flags, clone3, setns), mount and keyctl are left to the kernel's
     * capability checks, so rootless buildah or podman can run inside a container.
     */
    public static SeccompFilter defaultFilter(Capabilities caps) {
        return new SeccompFilter(errno(ENOSYS), RET_KILL_PROCESS, podmanRules(caps), true);
    }

    /**
     * The stricter filter ({@code --security-opt seccomp=jpod-strict}): the default, and before it the
     * {@link #STRICT_DENIED} syscalls fail with EPERM unless the container holds the capability podman ties them to;
     * without CAP_SYS_ADMIN, clone with namespace flags fails with EPERM and clone3 (whose flags a filter cannot
     * read) with ENOSYS, so libc falls back to clone.
     */
    public static SeccompFilter strictFilter(Capabilities caps) {
        List<Rule> rules = new ArrayList<>();
        int eperm = errno(EPERM);
        for (String[] d : STRICT_DENIED) {
            if (d[1] == null || !caps.has(d[1])) {
                rules.add(new Rule(d[0], eperm, List.of()));
            }
        }
        if (!caps.has("SYS_ADMIN")) {
            rules.add(new Rule("clone", RET_ALLOW, List.of(new Condition(0, Op.MASKED_EQ, CLONE_NAMESPACE_FLAGS, 0))));
            rules.add(new Rule("clone", eperm, List.of()));
            rules.add(new Rule("clone3", errno(ENOSYS), List.of()));
        }
        rules.addAll(podmanRules(caps)); // a syscall's first matching rule decides: the denials above win
        return new SeccompFilter(errno(ENOSYS), RET_KILL_PROCESS, rules, true);
    }

    private static List<Rule> podmanRules(Capabilities caps) {
        List<Rule> rules = new ArrayList<>();
        int eperm = errno(EPERM);
        REFUSED.forEach(s -> rules.add(new Rule(s, eperm, List.of())));
        ALLOWED.forEach(s -> rules.add(new Rule(s, RET_ALLOW, List.of())));
        for (String s : List.of("arch_prctl", "modify_ldt")) { // podman allows these on x86
            rules.add(new Rule(s, RET_ALLOW, List.of()));
        }
        // personality(2) may choose only these: Linux, its 32-bit and no-ASLR variants, and the query
        for (long persona : new long[] {0x0, 0x8, 0x20000, 0x20008, 0xffffffffL}) {
            rules.add(new Rule("personality", RET_ALLOW, List.of(new Condition(0, Op.EQ, persona, 0))));
        }
        for (String[] group : BY_CAPABILITY) {
            boolean held = caps.has(group[0]);
            for (int i = 1; i < group.length; i++) {
                rules.add(new Rule(group[i], held ? RET_ALLOW : eperm, List.of()));
            }
        }
        // without CAP_AUDIT_WRITE no audit netlink socket (EINVAL), as podman's profile
        if (!caps.has("AUDIT_WRITE")) {
            rules.add(new Rule("socket", errno(EINVAL), List.of(new Condition(0, Op.EQ, AF_NETLINK, 0),
                    new Condition(2, Op.EQ, NETLINK_AUDIT, 0))));
        }
        rules.add(new Rule("socket", RET_ALLOW, List.of()));
        return rules;
    }

    /** Syscall names to numbers on x86_64 (from the kernel's asm/unistd_64.h, shipped as a resource). */
    public static Map<String, Integer> x86_64Syscalls() {
        return syscalls("x86_64");
    }

    /** Syscall names to numbers of 32-bit x86 (asm/unistd_32.h). */
    public static Map<String, Integer> i386Syscalls() {
        return syscalls("i386");
    }

    private static Map<String, Integer> syscalls(String arch) {
        Map<String, Integer> m = new HashMap<>();
        String name = "syscalls-" + arch + ".txt";
        try (InputStream in = SeccompFilter.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the jpod-rootless jar");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 2) {
                    m.put(f[0], Integer.parseInt(f[1]));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the syscall table: " + e.getMessage(), e);
        }
        return m;
    }

    // ------------------------------------------------------------------ BPF

    /** One classic BPF instruction (struct sock_filter). */
    public record Insn(int code, int jt, int jf, int k) {
    }

    static final int LD_W_ABS = 0x20, ALU_AND_K = 0x54, JA = 0x05, JEQ = 0x15, JGT = 0x25, JGE = 0x35, RET_K = 0x06;
    private static final int OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16;
    private static final int FAIL = -1, NEXT = -2;

    /** The program as instructions. */
    public List<Insn> program() {
        List<Insn> x86_64 = section(x86_64Syscalls(), true);
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(LD_W_ABS, 0, 0, OFF_ARCH));
        p.add(new Insn(JEQ, 0, 1, AUDIT_ARCH_X86_64));
        p.add(new Insn(JA, 0, 0, 3)); // to the x86_64 section right after this header
        p.add(new Insn(JEQ, 0, 1, AUDIT_ARCH_I386));
        p.add(new Insn(i386 ? JA : RET_K, 0, 0, i386 ? x86_64.size() + 1 : badArch)); // to the i386 section
        p.add(new Insn(RET_K, 0, 0, badArch));
        p.addAll(x86_64);
        if (i386) {
            p.addAll(section(i386Syscalls(), false));
        }
        if (p.size() > 4096) {
            throw new RootlessException("seccomp: the filter needs " + p.size() + " BPF instructions, the kernel takes 4096");
        }
        return p;
    }

    private List<Insn> section(Map<String, Integer> numbers, boolean x32Check) {
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
        if (x32Check) {
            p.add(new Insn(JGE, 0, 1, 0x40000000)); // x32 ABI numbers share the x86_64 audit arch
            p.add(new Insn(RET_K, 0, 0, badArch));
        }
        Map<Integer, List<Rule>> bySyscall = new LinkedHashMap<>();
        for (Rule r : rules) {
            Integer nr = numbers.get(r.syscall());
            if (nr != null) { // a name this arch lacks (or a typo in a profile) is skipped, as libseccomp does
                bySyscall.computeIfAbsent(nr, k -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<Integer, List<Rule>> e : bySyscall.entrySet()) {
            List<Insn> block = block(e.getValue());
            if (block.size() > 255) {
                throw new RootlessException("seccomp: too many rules for syscall " + e.getKey() + " to compile");
            }
            // A block always ends in a return, so the accumulator still holds the number on the jf path.
            p.add(new Insn(JEQ, 0, block.size(), e.getKey()));
            p.addAll(block);
        }
        p.add(new Insn(RET_K, 0, 0, defaultAction));
        return p;
    }

    private List<Insn> block(List<Rule> rules) {
        List<Insn> out = new ArrayList<>();
        for (Rule r : rules) {
            List<Insn> rule = new ArrayList<>();
            for (Condition c : r.conditions()) {
                List<Insn> cond = condition(c);
                int condEnd = rule.size() + cond.size();
                for (Insn i : cond) {
                    rule.add(i);
                }
                // resolve NEXT now (relative to each insn's own position); FAIL once the rule's length is known
                for (int at = condEnd - cond.size(); at < condEnd; at++) {
                    Insn i = rule.get(at);
                    rule.set(at, new Insn(i.code(), i.jt() == NEXT ? condEnd - at - 1 : i.jt(), i.jf() == NEXT ? condEnd - at - 1 : i.jf(), i.k()));
                }
            }
            rule.add(new Insn(RET_K, 0, 0, r.action()));
            int end = rule.size();
            for (int at = 0; at < end; at++) {
                Insn i = rule.get(at);
                if (i.jt() == FAIL || i.jf() == FAIL) {
                    int off = end - at - 1;
                    if (off > 255) {
                        throw new RootlessException("seccomp: a rule with too many conditions to compile");
                    }
                    rule.set(at, new Insn(i.code(), i.jt() == FAIL ? off : i.jt(), i.jf() == FAIL ? off : i.jf(), i.k()));
                }
            }
            out.addAll(rule);
            if (r.conditions().isEmpty()) {
                return out; // it always decides: later rules of this syscall, and the default, are unreachable
            }
        }
        out.add(new Insn(RET_K, 0, 0, defaultAction));
        return out;
    }

    /** A 64-bit comparison from two 32-bit loads; jumps to NEXT when it holds and to FAIL when not. */
    private static List<Insn> condition(Condition c) {
        int lo = OFF_ARGS + 8 * c.index(), hi = lo + 4;
        int vlo = (int) c.value(), vhi = (int) (c.value() >>> 32);
        List<Insn> l = new ArrayList<>();
        switch (c.op()) {
            case EQ -> {
                l.add(new Insn(LD_W_ABS, 0, 0, hi));
                l.add(new Insn(JEQ, 0, FAIL, vhi));
                l.add(new Insn(LD_W_ABS, 0, 0, lo));
                l.add(new Insn(JEQ, NEXT, FAIL, vlo));
            }
            case NE -> {
                l.add(new Insn(LD_W_ABS, 0, 0, hi));
                l.add(new Insn(JEQ, 0, NEXT, vhi));
                l.add(new Insn(LD_W_ABS, 0, 0, lo));
                l.add(new Insn(JEQ, FAIL, NEXT, vlo));
            }
            case MASKED_EQ -> {
                int tlo = (int) c.valueTwo(), thi = (int) (c.valueTwo() >>> 32);
                l.add(new Insn(LD_W_ABS, 0, 0, hi));
                l.add(new Insn(ALU_AND_K, 0, 0, vhi));
                l.add(new Insn(JEQ, 0, FAIL, thi));
                l.add(new Insn(LD_W_ABS, 0, 0, lo));
                l.add(new Insn(ALU_AND_K, 0, 0, vlo));
                l.add(new Insn(JEQ, NEXT, FAIL, tlo));
            }
            case GT, GE -> {
                l.add(new Insn(LD_W_ABS, 0, 0, hi));
                l.add(new Insn(JGT, NEXT, 0, vhi));
                l.add(new Insn(JEQ, 0, FAIL, vhi));
                l.add(new Insn(LD_W_ABS, 0, 0, lo));
                l.add(new Insn(c.op() == Op.GT ? JGT : JGE, NEXT, FAIL, vlo));
            }
            case LT, LE -> {
                l.add(new Insn(LD_W_ABS, 0, 0, hi));
                l.add(new Insn(JGE, 0, NEXT, vhi));
                l.add(new Insn(JEQ, 0, FAIL, vhi));
                l.add(new Insn(LD_W_ABS, 0, 0, lo));
                l.add(new Insn(c.op() == Op.LT ? JGE : JGT, FAIL, NEXT, vlo));
            }
        }
        return l;
    }

    /** The program as the kernel's struct sock_filter array in native (little-endian on x86_64) byte order. */
    public byte[] bytes() {
        List<Insn> p = program();
        ByteBuffer b = ByteBuffer.allocate(p.size() * 8).order(ByteOrder.nativeOrder());
        for (Insn i : p) {
            b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        }
        return b.array();
    }

}
