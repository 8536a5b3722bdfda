/* The container sandbox of jpod-helper run (see sandbox.h). libc only: raw syscalls where libc has no wrapper. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#endif
#ifndef PR_CAP_AMBIENT_RAISE
#define PR_CAP_AMBIENT_RAISE 2
#endif
#ifndef PR_CAP_AMBIENT_CLEAR_ALL
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#define SECCOMP_MODE_FILTER_ 2
#define CAP_VERSION_3 0x20080522
#define MAX_MASKED 64
#define MAX_RLIMITS 32

char sandbox_step[512];

/* Kernel ABI structs under own names, so no kernel header is needed. */
struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };
struct bpf_insn { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct bpf_prog { unsigned short len; struct bpf_insn *filter; };
struct jpod_mount_attr_ { uint64_t attr_set, attr_clr, propagation, userns_fd; };

static struct {
    int has_caps;                       /* 0: leave capabilities as they are (no cap_* keys) */
    uint64_t bounding, effective, permitted, inheritable, ambient;
    const char *masked[MAX_MASKED], *readonly[MAX_MASKED];
    size_t nmasked, nreadonly;
    const char *seccomp_file;
    struct bpf_prog prog;
    int no_new_privs, readonly_rootfs, seccomp_installed;
    struct { int resource; uint64_t soft, hard; } rlimits[MAX_RLIMITS];
    size_t nrlimits;
    char uid_map[512], gid_map[512];   /* "INSIDE OUTSIDE COUNT\n" lines for the nested user namespace */
    int userns_in_init;                 /* 1: the container's init enters it after the mounts, not the monitor */
} sb;

__attribute__((format(printf, 1, 2))) static int failed(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sandbox_step, sizeof sandbox_step, fmt, ap);
    va_end(ap);
    errno = err;
    return -1;
}

static int invalid(const char *key, const char *value)
{
    errno = 0;
    return failed("run: spec: invalid %s=%s", key, value);
}

static int parse_u64(const char *s, int base, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int sandbox_parse_key(const char *key, const char *value)
{
    uint64_t *mask = NULL;
    if (!strcmp(key, "cap_bounding")) mask = &sb.bounding;
    else if (!strcmp(key, "cap_effective")) mask = &sb.effective;
    else if (!strcmp(key, "cap_permitted")) mask = &sb.permitted;
    else if (!strcmp(key, "cap_inheritable")) mask = &sb.inheritable;
    else if (!strcmp(key, "cap_ambient")) mask = &sb.ambient;
    if (mask) {
        if (parse_u64(value, 16, mask) < 0)
            return invalid(key, value);
        sb.has_caps = 1;
        return 1;
    }
    if (!strcmp(key, "masked_path") || !strcmp(key, "readonly_path")) {
        int masked = key[0] == 'm';
        size_t *n = masked ? &sb.nmasked : &sb.nreadonly;
        if (value[0] != '/' || strstr(value, "..") || *n >= MAX_MASKED)
            return invalid(key, value);
        (masked ? sb.masked : sb.readonly)[(*n)++] = value;
        return 1;
    }
    if (!strcmp(key, "seccomp")) {
        if (value[0] != '/')
            return invalid(key, value);
        sb.seccomp_file = value;
        return 1;
    }
    if (!strcmp(key, "userns_in_init")) {
        if (strcmp(value, "0") && strcmp(value, "1"))
            return invalid(key, value);
        sb.userns_in_init = value[0] == '1';
        return 1;
    }
    if (!strcmp(key, "no_new_privs") || !strcmp(key, "readonly_rootfs")) {
        if (strcmp(value, "0") && strcmp(value, "1"))
            return invalid(key, value);
        *(key[0] == 'n' ? &sb.no_new_privs : &sb.readonly_rootfs) = value[0] == '1';
        return 1;
    }
    if (!strcmp(key, "userns_uid_map") || !strcmp(key, "userns_gid_map")) {
        char *map = key[7] == 'u' ? sb.uid_map : sb.gid_map;
        unsigned long a, b, c;
        char extra;
        size_t used = strlen(map);
        if (sscanf(value, "%lu %lu %lu%c", &a, &b, &c, &extra) != 3
            || (size_t)snprintf(map + used, sizeof sb.uid_map - used, "%s\n", value) >= sizeof sb.uid_map - used)
            return invalid(key, value);
        return 1;
    }
    if (!strcmp(key, "rlimit")) {   /* RESOURCE:SOFT:HARD, decimal, 2^64-1 = unlimited */
        char buf[128], *soft, *hard;
        uint64_t res;
        if (snprintf(buf, sizeof buf, "%s", value) >= (int)sizeof buf || sb.nrlimits >= MAX_RLIMITS
            || !(soft = strchr(buf, ':')) || !(hard = strchr(soft + 1, ':')))
            return invalid(key, value);
        *soft++ = '\0';
        *hard++ = '\0';
        if (parse_u64(buf, 10, &res) < 0 || res > 64
            || parse_u64(soft, 10, &sb.rlimits[sb.nrlimits].soft) < 0
            || parse_u64(hard, 10, &sb.rlimits[sb.nrlimits].hard) < 0)
            return invalid(key, value);
        sb.rlimits[sb.nrlimits++].resource = (int)res;
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- sealed self-copy */

/* A process inside the container must never be able to write the helper binary on the host (runc's
   CVE-2019-5736: it reaches it through /proc/PID/exe). Running from a sealed memfd, every such write
   lands on an unwritable anonymous copy. The copy is ~100 KiB: a few microseconds. */
int sandbox_reexec_sealed(char **argv)
{
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return failed("open /proc/self/exe");
    int seals = fcntl(self, F_GET_SEALS);
    if (seals >= 0 && (seals & F_SEAL_WRITE)) {
        close(self);
        /* exec from a memfd names the process "memfd:jpod-help": give ps and pgrep the usual name back */
        prctl(PR_SET_NAME, "jpod-helper", 0, 0, 0);
        return 0;
    }
    struct stat st;
    if (fstat(self, &st) < 0)
        return failed("stat /proc/self/exe");
    int mfd = (int)syscall(SYS_memfd_create, "jpod-helper", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        return failed("memfd_create");
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = sendfile(mfd, self, &off, (size_t)(st.st_size - off));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return failed("copy the helper into a memfd");
    }
    close(self);
    if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
        return failed("seal the helper's memfd");
    extern char **environ;
    syscall(SYS_execveat, mfd, "", argv, environ, 0x1000 /* AT_EMPTY_PATH */);
    return failed("re-execute the helper from its sealed memfd");
}

/* ---------------------------------------------------------------- mounts */

static int restrict_mount_ro(const char *path)
{
#ifdef SYS_mount_setattr
    struct jpod_mount_attr_ attr = { 0x1 /* MOUNT_ATTR_RDONLY */, 0, 0, 0 };
    if (syscall(SYS_mount_setattr, AT_FDCWD, path, 0x8000 /* AT_RECURSIVE */, &attr, sizeof attr) == 0)
        return 0;
    if (errno != ENOSYS)
        return failed("make %s read-only", path);
#endif
    /* MS_REMOUNT replaces all flags: repeat those the kernel locked (clearing one is EPERM). */
    struct statvfs sv;
    if (statvfs(path, &sv) < 0)
        return failed("statvfs %s", path);
    unsigned long flags = MS_RDONLY;
    if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
        return failed("remount %s read-only", path);
    return 0;
}

static int read_seccomp(void)
{
    if (!sb.seccomp_file)
        return 0;
    int fd = open(sb.seccomp_file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return failed("open seccomp filter %s", sb.seccomp_file);
    if (st.st_size == 0 || st.st_size % 8 || st.st_size / 8 > 4096) {
        close(fd);
        errno = EINVAL;
        return failed("seccomp filter %s: not a BPF program of 1 to 4096 instructions", sb.seccomp_file);
    }
    sb.prog.len = (unsigned short)(st.st_size / 8);
    sb.prog.filter = malloc((size_t)st.st_size);
    if (!sb.prog.filter)
        return failed("read seccomp filter");
    size_t done = 0;
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, (char *)sb.prog.filter + done, (size_t)st.st_size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return failed("read seccomp filter %s", sb.seccomp_file);
        }
        done += (size_t)n;
    }
    close(fd);
    return 0;
}

int sandbox_load_files(void)
{
    return read_seccomp();
}

int sandbox_before_pivot(const char *root)
{
    char path[4096];
    if (read_seccomp() < 0)
        return -1;
    /* Masked: what does not exist on this kernel is skipped, like runc. */
    for (size_t i = 0; i < sb.nmasked; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s%s", root, sb.masked[i]);
        if (lstat(path, &st) < 0) {
            if (errno == ENOENT)
                continue;
            return failed("masked path %s", sb.masked[i]);
        }
        if (S_ISDIR(st.st_mode)) {
            if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0555") < 0)
                return failed("mask %s", sb.masked[i]);
        } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
            return failed("mask %s", sb.masked[i]);
        }
    }
    for (size_t i = 0; i < sb.nreadonly; i++) {
        snprintf(path, sizeof path, "%s%s", root, sb.readonly[i]);
        if (access(path, F_OK) < 0 && errno == ENOENT)
            continue;
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
            return failed("bind %s onto itself", sb.readonly[i]);
        if (restrict_mount_ro(path) < 0)
            return -1;
    }
    return 0;
}

int sandbox_after_pivot(void)
{
    if (!sb.readonly_rootfs)
        return 0;
#ifdef SYS_mount_setattr
    struct jpod_mount_attr_ attr = { 0x1, 0, 0, 0 };
    if (syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, &attr, sizeof attr) == 0)
        return 0;
    if (errno != ENOSYS)
        return failed("make the root filesystem read-only");
#endif
    struct statvfs sv;
    if (statvfs("/", &sv) < 0)
        return failed("statvfs /");
    unsigned long flags = MS_RDONLY | (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0);
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
        return failed("remount the root filesystem read-only");
    return 0;
}

/* ---------------------------------------------------------------- capabilities, limits, seccomp */

static int install_seccomp(void)
{
    if (!sb.prog.filter || sb.seccomp_installed)
        return 0;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER_, &sb.prog, 0, 0) < 0)
        return failed("install the seccomp filter");
    sb.seccomp_installed = 1;
    return 0;
}

int sandbox_before_setuid(unsigned uid)
{
    for (size_t i = 0; i < sb.nrlimits; i++) {
        struct rlimit rl = { (rlim_t)sb.rlimits[i].soft, (rlim_t)sb.rlimits[i].hard };
        static const char *const names[] = { "cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
                                             "memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime" };
        int r = sb.rlimits[i].resource;
        if (setrlimit(r, &rl) < 0)
            return failed("--ulimit %s=%llu:%llu (above your own hard limit?)",
                          r < (int)(sizeof names / sizeof names[0]) ? names[r] : "?",
                          (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    }
    /* Without no_new_privs only CAP_SYS_ADMIN may install a filter: do it while we still have it. The
       filter then also sees the few syscalls up to execve, all of which every profile allows. */
    if (!sb.no_new_privs && install_seccomp() < 0)
        return -1;
    if (!sb.has_caps)
        return 0;
    for (int cap = 0; cap < 64; cap++) {
        if (sb.bounding & (1ULL << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL)   /* beyond the kernel's last capability */
                break;
            return failed("drop capability %d from the bounding set", cap);
        }
    }
    /* A change from uid 0 clears the permitted set unless told to keep it (then capset trims it). */
    if (uid != 0 && sb.permitted && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return failed("keep capabilities across setuid");
    return 0;
}

int sandbox_after_setuid(void)
{
    if (!sb.has_caps)
        return 0;
    struct cap_header h = { CAP_VERSION_3, 0 };
    struct cap_data d[2];
    for (int i = 0; i < 2; i++) {
        d[i].effective = (uint32_t)(sb.effective >> (32 * i));
        d[i].permitted = (uint32_t)(sb.permitted >> (32 * i));
        d[i].inheritable = (uint32_t)(sb.inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &h, d) < 0)
        return failed("set capabilities");
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return failed("reset keep-capabilities");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return failed("clear the ambient capabilities");
    for (int cap = 0; cap < 64; cap++)
        if ((sb.ambient & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return failed("raise ambient capability %d", cap);
    return 0;
}

int sandbox_before_exec(void)
{
    if (sb.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return failed("set no_new_privs");
    return install_seccomp();
}

/* ---------------------------------------------------------------- nested user namespace (--userns=keep-id) */

static int write_map(pid_t pid, const char *file, const char *map)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, map, strlen(map));
    int err = errno;
    close(fd);
    errno = err;
    return n == (ssize_t)strlen(map) ? 0 : -1;
}

static int enter_nested_userns(void);

/* The monitor moves into a user namespace nested in the pause process's one before it creates the PID and
   other namespaces (so they belong to it). A process cannot give itself an arbitrary map, so a child left
   behind in the parent namespace, root there, writes it. */
int sandbox_enter_userns(void)
{
    if (!sb.uid_map[0] || sb.userns_in_init)
        return 0;
    return enter_nested_userns();
}

/* A map that leaves out the id of the pause process's namespace that owns the rootfs (--userns=nomap, auto):
   root of the nested namespace could not create the mount points there (EOVERFLOW), so the container's init
   enters it only after the mounts and pivot_root, while it still has the capabilities of the outer one. */
int sandbox_enter_userns_in_init(void)
{
    if (!sb.uid_map[0] || !sb.userns_in_init)
        return 0;
    return enter_nested_userns();
}

static int enter_nested_userns(void)
{
    if (!sb.gid_map[0]) {
        errno = EINVAL;
        return failed("run: spec: userns_uid_map without userns_gid_map");
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return failed("pipe");
    pid_t self = getpid();
    pid_t mapper = fork();
    if (mapper < 0)
        return failed("fork");
    if (mapper == 0) {
        char c;
        close(p[1]);
        ssize_t n;
        do
            n = read(p[0], &c, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
            _exit(1);
        if (write_map(self, "uid_map", sb.uid_map) < 0 || write_map(self, "gid_map", sb.gid_map) < 0) {
            int err = errno;
            fprintf(stderr, "jpod-helper: write the id maps of the nested user namespace: %s (errno %d)\n", strerror(err), err);
            _exit(1);
        }
        _exit(0);
    }
    close(p[0]);
    int ok = unshare(CLONE_NEWUSER) == 0;
    int err = errno;
    if (ok) {
        ssize_t n;
        do
            n = write(p[1], "u", 1);
        while (n < 0 && errno == EINTR);
    }
    close(p[1]);
    int status;
    while (waitpid(mapper, &status, 0) < 0 && errno == EINTR)
        ;
    if (!ok) {
        errno = err;
        return failed("create the nested user namespace");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = EPERM;
        return failed("map the nested user namespace");
    }
    return 0;
}
