package io.jpod.rootless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the generated BPF in a tiny classic-BPF interpreter over a few syscall/arch/argument inputs. */
class SeccompFilterTest {
    private static final Map<String, Integer> NR = SeccompFilter.x86_64Syscalls();
    private static final Capabilities DEFAULT_CAPS = Capabilities.compute(List.of(), List.of(), false, true, 40);

    /** Evaluates a program on seccomp_data {nr, arch, ip, args[6]}; returns the filter's return value. */
    static int eval(List<SeccompFilter.Insn> prog, int arch, int nr, long... args) {
        int a = 0;
        int pc = 0;
        for (int steps = 0; steps < 100_000; steps++) {
            SeccompFilter.Insn i = prog.get(pc);
            switch (i.code()) {
                case SeccompFilter.LD_W_ABS -> {
                    int k = i.k();
                    if (k == 0) {
                        a = nr;
                    } else if (k == 4) {
                        a = arch;
                    } else {
                        int idx = (k - 16) / 8;
                        long v = idx < args.length ? args[idx] : 0;
                        a = (k - 16) % 8 == 0 ? (int) v : (int) (v >>> 32);
                    }
                    pc++;
                }
                case SeccompFilter.ALU_AND_K -> {
                    a &= i.k();
                    pc++;
                }
                case SeccompFilter.JA -> pc += 1 + i.k();
                case SeccompFilter.JEQ -> pc += 1 + (a == i.k() ? i.jt() : i.jf());
                case SeccompFilter.JGT -> pc += 1 + (Integer.compareUnsigned(a, i.k()) > 0 ? i.jt() : i.jf());
                case SeccompFilter.JGE -> pc += 1 + (Integer.compareUnsigned(a, i.k()) >= 0 ? i.jt() : i.jf());
                case SeccompFilter.RET_K -> {
                    return i.k();
                }
                default -> throw new AssertionError("unknown opcode " + i.code());
            }
        }
        throw new AssertionError("program does not terminate");
    }

    private static int run(SeccompFilter f, String syscall, long... args) {
        return eval(f.program(), SeccompFilter.AUDIT_ARCH_X86_64, NR.get(syscall), args);
    }

    private static final int EPERM = SeccompFilter.errno(SeccompFilter.EPERM);
    private static final int ENOSYS = SeccompFilter.errno(SeccompFilter.ENOSYS);

    @Test
    void defaultFilterLeavesNamespacesMountsAndKeyringsToTheKernel() {
        SeccompFilter f = SeccompFilter.defaultFilter(DEFAULT_CAPS);
        // what rootless buildah and podman need inside a container (the kernel checks the capabilities)
        for (String s : List.of("keyctl", "unshare", "setns", "mount", "umount2", "pivot_root", "clone3", "ptrace",
                "read", "write", "openat", "execve", "exit_group", "capset", "setresuid", "chdir")) {
            assertEquals(SeccompFilter.RET_ALLOW, run(f, s), s);
        }
        assertEquals(SeccompFilter.RET_ALLOW, run(f, "clone", 0x10000000L | 17)); // CLONE_NEWUSER
        for (String s : List.of("kexec_load", "swapon", "userfaultfd", "vmsplice", "bpf", "perf_event_open", "init_module", "iopl")) {
            assertEquals(EPERM, run(f, s), s);
        }
        // not on podman's list: as if the kernel did not have them
        for (String s : List.of("add_key", "request_key", "io_uring_setup", "create_module", "_sysctl")) {
            assertEquals(ENOSYS, run(f, s), s);
        }
    }

    @Test
    void strictFilterRefusesKernelGlobalSyscalls() {
        SeccompFilter f = SeccompFilter.strictFilter(DEFAULT_CAPS);
        for (String s : List.of("keyctl", "add_key", "request_key", "mount", "umount2", "pivot_root", "unshare",
                "swapon", "reboot", "kexec_load", "init_module", "bpf", "perf_event_open", "ptrace", "setns")) {
            assertEquals(EPERM, run(f, s), s);
        }
        for (String s : List.of("read", "write", "openat", "execve", "exit_group", "capset", "setresuid", "chdir")) {
            assertEquals(SeccompFilter.RET_ALLOW, run(f, s), s);
        }
        assertEquals(ENOSYS, run(f, "clone3"));
        assertEquals(ENOSYS, run(f, "io_uring_setup")); // the default's refusals hold too
    }

    @Test
    void strictCloneIsAllowedOnlyWithoutNamespaceFlags() {
        SeccompFilter f = SeccompFilter.strictFilter(DEFAULT_CAPS);
        assertEquals(SeccompFilter.RET_ALLOW, run(f, "clone", 0x01200011L)); // fork's flags
        assertEquals(EPERM, run(f, "clone", 0x10000000L | 17)); // CLONE_NEWUSER
        assertEquals(EPERM, run(f, "clone", 0x20000L)); // CLONE_NEWNS
        // a flag in the upper half of the 64-bit argument is not a namespace flag
        assertEquals(SeccompFilter.RET_ALLOW, run(f, "clone", 0x1_0000_0000L));
    }

    @Test
    void personalityIsLimitedToPodmansValues() {
        for (SeccompFilter f : List.of(SeccompFilter.defaultFilter(DEFAULT_CAPS), SeccompFilter.strictFilter(DEFAULT_CAPS))) {
            assertEquals(SeccompFilter.RET_ALLOW, run(f, "personality", 0));
            assertEquals(SeccompFilter.RET_ALLOW, run(f, "personality", 0xffffffffL));
            assertEquals(ENOSYS, run(f, "personality", 0x0400000)); // READ_IMPLIES_EXEC
        }
    }

    @Test
    void capabilitiesUnlockTheirSyscalls() {
        Capabilities withAdmin = Capabilities.compute(List.of("SYS_ADMIN", "CAP_SYS_PTRACE"), List.of(), false, true, 40);
        SeccompFilter f = SeccompFilter.defaultFilter(withAdmin);
        assertEquals(SeccompFilter.RET_ALLOW, run(f, "bpf"));
        assertEquals(SeccompFilter.RET_ALLOW, run(f, "kcmp"));
        SeccompFilter strict = SeccompFilter.strictFilter(withAdmin);
        assertEquals(SeccompFilter.RET_ALLOW, run(strict, "mount"));
        assertEquals(SeccompFilter.RET_ALLOW, run(strict, "ptrace"));
        assertEquals(SeccompFilter.RET_ALLOW, run(strict, "clone", 0x10000000L));
        assertEquals(EPERM, run(strict, "keyctl"));
    }

    @Test
    void auditSocketNeedsAuditWrite() {
        SeccompFilter f = SeccompFilter.defaultFilter(DEFAULT_CAPS);
        assertEquals(SeccompFilter.errno(22), run(f, "socket", 16, 3, 9)); // AF_NETLINK, SOCK_RAW, NETLINK_AUDIT
        assertEquals(SeccompFilter.RET_ALLOW, run(f, "socket", 16, 3, 0));
        assertEquals(SeccompFilter.RET_ALLOW, run(f, "socket", 2, 1, 0));
        Capabilities audit = Capabilities.compute(List.of("AUDIT_WRITE"), List.of(), false, true, 40);
        assertEquals(SeccompFilter.RET_ALLOW, run(SeccompFilter.defaultFilter(audit), "socket", 16, 3, 9));
    }

    /**
     * The default filter decides every syscall number, on x86_64 and i386, as containers-common's seccomp.json
     * (podman 4.3's default profile, compiled by {@link SeccompProfile}) does, for several capability sets and the
     * arguments its rules look at.
     */
    @Test
    void defaultFilterHasTheEffectOfPodmansProfile() throws Exception {
        java.nio.file.Path podman = java.nio.file.Path.of("/usr/share/containers/seccomp.json");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(podman), "containers-common's seccomp.json is not installed");
        List<Capabilities> capSets = List.of(DEFAULT_CAPS,
                Capabilities.compute(List.of(), List.of(), false, false, 40),
                Capabilities.compute(List.of(), List.of("all"), false, true, 40),
                Capabilities.compute(List.of("SYS_ADMIN", "SYS_PTRACE", "AUDIT_WRITE", "SYS_TIME", "DAC_READ_SEARCH"), List.of("SYS_CHROOT"), false, true, 40),
                Capabilities.compute(List.of(), List.of(), true, true, 40));
        long[][] argSets = {{}, {0x10000000L | 17}, {0x20000L}, {8}, {0x0400000}, {0xffffffffL}, {16, 3, 9}, {16, 3, 0}, {2, 1, 9}};
        int compared = 0;
        for (Capabilities caps : capSets) {
            List<SeccompFilter.Insn> ours = SeccompFilter.defaultFilter(caps).program();
            List<SeccompFilter.Insn> theirs = SeccompProfile.read(podman, caps).program();
            for (int arch : new int[] {SeccompFilter.AUDIT_ARCH_X86_64, SeccompFilter.AUDIT_ARCH_I386}) {
                for (int nr = 0; nr < 600; nr++) {
                    for (long[] args : argSets) {
                        int want = eval(theirs, arch, nr, args), got = eval(ours, arch, nr, args);
                        if (want != got) {
                            throw new AssertionError(String.format("arch %x syscall %d args %s caps %x: podman's profile gives %x, ours %x",
                                    arch, nr, java.util.Arrays.toString(args), caps.bounding(), want, got));
                        }
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared > 10_000);
    }

    @Test
    void foreignArchitectureAndX32AreKilled() {
        SeccompFilter f = SeccompFilter.defaultFilter(DEFAULT_CAPS);
        int aarch64 = 0xC00000B7;
        assertEquals(SeccompFilter.RET_KILL_PROCESS, eval(f.program(), aarch64, 0));
        assertEquals(SeccompFilter.RET_KILL_PROCESS, eval(f.program(), SeccompFilter.AUDIT_ARCH_X86_64, 0x40000000 + 1));
    }

    @Test
    void i386ProgramsGetTheSameRulesUnderTheirOwnNumbers() {
        SeccompFilter f = SeccompFilter.strictFilter(DEFAULT_CAPS);
        Map<String, Integer> i386 = SeccompFilter.i386Syscalls();
        int arch = SeccompFilter.AUDIT_ARCH_I386;
        assertEquals(EPERM, eval(f.program(), arch, i386.get("keyctl")));
        assertEquals(EPERM, eval(f.program(), arch, i386.get("unshare")));
        assertEquals(EPERM, eval(f.program(), arch, i386.get("clone"), 0x10000000L));
        assertEquals(SeccompFilter.RET_ALLOW, eval(f.program(), arch, i386.get("clone"), 0x01200011L));
        // 250 is keyctl on x86_64 but fadvise64 on i386: the numbers must not be mixed up
        assertEquals(SeccompFilter.RET_ALLOW, eval(f.program(), arch, 250));
        assertEquals(EPERM, eval(f.program(), SeccompFilter.AUDIT_ARCH_X86_64, 250));
        // the 32-bit-only names of the default's allow-list
        SeccompFilter d = SeccompFilter.defaultFilter(DEFAULT_CAPS);
        assertEquals(SeccompFilter.RET_ALLOW, eval(d.program(), arch, i386.get("socketcall")));
        assertEquals(SeccompFilter.RET_ALLOW, eval(d.program(), arch, i386.get("mmap2")));
        SeccompFilter no32 = new SeccompFilter(SeccompFilter.RET_ALLOW, SeccompFilter.RET_KILL_PROCESS, List.of(), false);
        assertEquals(SeccompFilter.RET_KILL_PROCESS, eval(no32.program(), arch, 1));
        assertEquals(SeccompFilter.RET_ALLOW, eval(no32.program(), SeccompFilter.AUDIT_ARCH_X86_64, 1));
    }

    @Test
    void argumentComparisonsAre64Bit() {
        int nr = NR.get("personality");
        for (SeccompFilter.Op op : SeccompFilter.Op.values()) {
            SeccompFilter f = new SeccompFilter(SeccompFilter.RET_KILL_THREAD, SeccompFilter.RET_KILL_PROCESS,
                    List.of(new SeccompFilter.Rule("personality", SeccompFilter.RET_ALLOW,
                            List.of(new SeccompFilter.Condition(0, op, 0x1_0000_0005L, 0x5L)))), false);
            for (long arg : new long[] {0, 5, 6, 0x1_0000_0004L, 0x1_0000_0005L, 0x1_0000_0006L, 0x2_0000_0000L}) {
                boolean expected = switch (op) {
                    case EQ -> arg == 0x1_0000_0005L;
                    case NE -> arg != 0x1_0000_0005L;
                    case LT -> Long.compareUnsigned(arg, 0x1_0000_0005L) < 0;
                    case LE -> Long.compareUnsigned(arg, 0x1_0000_0005L) <= 0;
                    case GT -> Long.compareUnsigned(arg, 0x1_0000_0005L) > 0;
                    case GE -> Long.compareUnsigned(arg, 0x1_0000_0005L) >= 0;
                    case MASKED_EQ -> (arg & 0x1_0000_0005L) == 5;
                };
                int got = eval(f.program(), SeccompFilter.AUDIT_ARCH_X86_64, nr, arg);
                assertEquals(expected ? SeccompFilter.RET_ALLOW : SeccompFilter.RET_KILL_THREAD, got, op + " " + Long.toHexString(arg));
            }
        }
    }

    @Test
    void jsonProfileAllowListWithCapsAndArgs() throws Exception {
        String json = """
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                 "syscalls": [
                   {"names": ["read", "write", "no_such_syscall_on_x86"], "action": "SCMP_ACT_ALLOW"},
                   {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
                   {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                   {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
                 ]}""";
        SeccompFilter f = SeccompProfile.parse(new ObjectMapper().readTree(json), DEFAULT_CAPS, "test");
        int eperm = SeccompFilter.errno(1);
        assertEquals(SeccompFilter.RET_ALLOW, run(f, "read"));
        assertEquals(SeccompFilter.RET_ALLOW, run(f, "personality", 8));
        assertEquals(eperm, run(f, "personality", 9));
        assertEquals(eperm, run(f, "mount"));
        assertEquals(SeccompFilter.errno(38), run(f, "getpid"));
        assertEquals(eperm, run(f, "openat"));
        assertTrue(f.bytes().length == f.program().size() * 8);
    }

    @Test
    void unsupportedActionsAreRefused() throws Exception {
        String json = "{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"syscalls\": []}";
        RootlessException e = assertThrows(RootlessException.class,
                () -> SeccompProfile.parse(new ObjectMapper().readTree(json), DEFAULT_CAPS, "p.json"));
        assertTrue(e.getMessage().contains("SCMP_ACT_NOTIFY"), e.getMessage());
    }

    @Test
    void defaultCapabilitiesArePodmansMask() {
        assertEquals(0x800405fbL, DEFAULT_CAPS.bounding());
        assertEquals(0x800405fbL, DEFAULT_CAPS.effective());
        Capabilities user = Capabilities.compute(List.of(), List.of(), false, false, 40);
        assertEquals(0, user.effective());
        assertEquals(0x800405fbL, user.bounding());
        Capabilities none = Capabilities.compute(List.of("net_raw"), List.of("all"), false, true, 40);
        assertEquals(1L << 13, none.effective());
        assertEquals(0x1ff_ffff_ffffL, Capabilities.compute(List.of(), List.of(), true, true, 40).bounding());
        assertThrows(RootlessException.class, () -> Capabilities.compute(List.of("CAP_NOPE"), List.of(), false, true, 40));
    }
}
