/*
 * jpod-helper: the small native part of jpod (protocol: contracts.md, "The C helper").
 *
 *   jpod-helper enter PIDFILE -- CMD [ARGS...]   join the pause process's user+mount namespaces, exec CMD
 *   jpod-helper pause PIDFILE NEWUIDMAP "UIDMAP" NEWGIDMAP "GIDMAP"   create the pause process
 *   jpod-helper run SPECFILE                      per-container monitor
 *   jpod-helper umount PATH
 *   jpod-helper mount-overlay TARGET OPTIONS
 *   jpod-helper copy-in|copy-out ROOTFS PID PATH  the container side of `jpod cp` (copy.c)
 *
 * libc only, single-threaded on purpose: setns(CLONE_NEWUSER) refuses multi-threaded callers.
 * Engine errors: one line "jpod-helper: <step>: <strerror> (errno N)" on stderr, exit 125.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "client.h"
#include "attach.h"
#include "health.h"
#include "inroot.h"
#include "lifecycle.h"
#include "network.h"
#include "pod.h"
#include "bridge.h"
#include "sandbox.h"

#define EXIT_ENGINE 125
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define PAUSE_NAME "jpod-pause"
#define SLIRP_READY_TIMEOUT_MS 10000
#define SLIRP_EXIT_TIMEOUT_MS 5000

/* ---------------------------------------------------------------- errors */

/* What the container child sends the monitor through a CLOEXEC pipe instead of printing: the monitor
   prints exactly one message (the child's stderr is the container's) and picks the exit status.
   The struct is smaller than PIPE_BUF, so the write is atomic. */
enum report_kind { REPORT_SETUP = 1, REPORT_EXEC, REPORT_WORKDIR };
struct report {
    int kind;
    int err;            /* errno, 0 if none */
    char what[1024];    /* step, command or directory */
};

/* -1 everywhere except in the container child between fork and execve, where die() must go to the monitor. */
int report_fd = -1;

/* The container init's pid for the monitor's signal handlers (0 when there is none). */
static volatile sig_atomic_t forward_pid;

void print_error(const char *step, int err)
{
    if (err)
        fprintf(stderr, "jpod-helper: %s: %s (errno %d)\n", step, strerror(err), err);
    else
        fprintf(stderr, "jpod-helper: %s\n", step);
}

__attribute__((noreturn)) static void send_report(int kind, int err, const char *what)
{
    struct report r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.err = err;
    snprintf(r.what, sizeof r.what, "%s", what);
    ssize_t n;
    do
        n = write(report_fd, &r, sizeof r);
    while (n < 0 && errno == EINTR);
    _exit(EXIT_ENGINE);
}

__attribute__((noreturn)) static void vfail(int err, const char *fmt, va_list ap)
{
    char step[sizeof ((struct report *)0)->what];
    vsnprintf(step, sizeof step, fmt, ap);
    if (report_fd >= 0)
        send_report(REPORT_SETUP, err, step);
    print_error(step, err);
    exit(EXIT_ENGINE);
}

/* A failed syscall: the step and errno. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vfail(err, fmt, ap);
}

/* Any other engine error: just the message. */
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(0, fmt, ap);
}

/* ---------------------------------------------------------------- small utilities */

ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

int write_all(int fd, const void *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf = (const char *)buf + n;
        len -= (size_t)n;
    }
    return 0;
}

static void xpipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        die("pipe");
}

static void xclose(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Exit status convention of shells: 128+N for death by signal N. */
int status_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return EXIT_ENGINE;
}

static int wait_child(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("wait for process %d", (int)pid);
    return status_code(status);
}

static void join_path(char *buf, const char *a, const char *b)
{
    if ((size_t)snprintf(buf, PATH_MAX, "%s%s", a, b) >= PATH_MAX) {
        errno = ENAMETOOLONG;
        die("path %s%s", a, b);
    }
}

/* Write "content" to path through a temp file in the same directory and rename(2), so readers
   see either nothing or the whole file. Runtime state only, so no fsync. -1 with errno on failure. */
int write_file_atomic(const char *path, const char *content)
{
    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid()) >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    int ok = write_all(fd, content, strlen(content)) == 0;
    if (close(fd) < 0)
        ok = 0;
    if (ok && rename(tmp, path) == 0)
        return 0;
    int err = errno;
    unlink(tmp);
    errno = err;
    return -1;
}

/* Kill and reap a child we are giving up on, keeping errno for the caller's die(). */
static void kill_child(pid_t pid)
{
    int err = errno;
    kill(pid, SIGKILL);
    wait_child(pid);
    errno = err;
}

/* Close every fd above 2 except keep (-1: none). close_range(2) is one syscall (Linux 5.9; its number is the same on
   every architecture, defined here when the C library's headers are older); older kernels (ENOSYS) get the loop,
   as does any other failure of it. */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
void close_fds(int keep)
{
    int ok;
    if (keep < 3)
        ok = syscall(SYS_close_range, 3U, ~0U, 0U) == 0;
    else
        ok = (keep == 3 || syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U) == 0)
             && syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0;
    if (!ok) {
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = 3; fd < (max > 0 ? max : 65536); fd++)
            if (fd != keep)
                close((int)fd);
    }
}

void redirect_stdio_to_null(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        die("open /dev/null");
    for (int i = 0; i < 3; i++)
        if (dup2(fd, i) < 0)
            die("redirect fd %d to /dev/null", i);
    if (fd > 2)
        close(fd);
}

/* ---------------------------------------------------------------- enter */

static int same_ns(int fd, const char *own)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(own, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Join the user and mount namespaces of the pause process named in pidfile. Returns -1 when there is
   no usable pause process (missing/stale pid file, pid reused by another program); dies on real errors.
   Everything is read through one /proc/PID directory fd: if the pid is recycled in between, lookups
   through the old fd fail instead of reaching the new process. */
static int join_pause(const char *pidfile)
{
    char buf[64];
    int fd = open(pidfile, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return -1;
        die("open %s", pidfile);
    }
    ssize_t n = read_full(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *end;
    long pid = strtol(buf, &end, 10);
    if (pid <= 0 || end == buf || (*end && *end != '\n'))
        return -1;

    char path[64];
    snprintf(path, sizeof path, "/proc/%ld", pid);
    int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return -1;
    struct stat st;
    char comm[32];
    int commfd = -1;
    n = 0;
    if (fstat(dir, &st) == 0 && st.st_uid == getuid()
        && (commfd = openat(dir, "comm", O_RDONLY | O_CLOEXEC)) >= 0)
        n = read_full(commfd, comm, sizeof comm - 1);
    if (commfd >= 0)
        close(commfd);
    if (n <= 0 || (size_t)n != strlen(PAUSE_NAME "\n") || memcmp(comm, PAUSE_NAME "\n", (size_t)n) != 0) {
        close(dir);
        return -1;
    }
    int userfd = openat(dir, "ns/user", O_RDONLY | O_CLOEXEC);
    int mntfd = openat(dir, "ns/mnt", O_RDONLY | O_CLOEXEC);
    close(dir);
    if (userfd < 0 || mntfd < 0) {
        if (errno == ENOENT || errno == ESRCH)   /* exited meanwhile */
            return -1;
        die("open namespaces of pause process %ld", pid);
    }
    /* Already inside (a jpod command started by another one): setns into the own userns is EINVAL. */
    if (!same_ns(userfd, "/proc/self/ns/user") && setns(userfd, CLONE_NEWUSER) < 0)
        die("join user namespace of pause process %ld", pid);
    if (!same_ns(mntfd, "/proc/self/ns/mnt") && setns(mntfd, CLONE_NEWNS) < 0)
        die("join mount namespace of pause process %ld", pid);
    close(userfd);
    close(mntfd);
    return 0;
}

static int cmd_enter(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--") != 0)
        fail("usage: jpod-helper enter PIDFILE -- CMD [ARGS...]");
    const char *pidfile = argv[2];
    char **cmd = argv + 4;
    /* setns(CLONE_NEWNS) resets root and cwd; the pause mount namespace is a copy of the host's, so
       the same path names the same directory there. */
    char cwdbuf[PATH_MAX];
    const char *cwd = getcwd(cwdbuf, sizeof cwdbuf);

    if (join_pause(pidfile) < 0) {
        /* No pause process: let CMD (the Java side) create one, then try once more. */
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            setenv("JPOD_USERNS_SETUP", "1", 1);
            execvp(cmd[0], cmd);
            die("exec %s", cmd[0]);
        }
        int code = wait_child(pid);
        if (code != 0)
            return code;
        if (join_pause(pidfile) < 0)
            fail("enter: no usable pause process in %s after the user namespace setup", pidfile);
    }
    if (setresgid(0, 0, 0) < 0)
        die("setresgid 0");
    if (setresuid(0, 0, 0) < 0)
        die("setresuid 0");
    if ((!cwd || chdir(cwd) < 0) && chdir("/") < 0)
        die("chdir /");
    unsetenv("JPOD_USERNS_SETUP");
    setenv("JPOD_IN_USERNS", "1", 1);
    execvp(cmd[0], cmd);
    die("exec %s", cmd[0]);
}

/* ---------------------------------------------------------------- pause */

/* Run "TOOL PID a b c ..." with the whitespace-split map; returns its exit status. */
static int run_idmap_tool(const char *tool, pid_t pid, const char *map)
{
    char copy[4096], pidstr[16];
    if ((size_t)snprintf(copy, sizeof copy, "%s", map) >= sizeof copy)
        fail("pause: id map too long: %s", map);
    snprintf(pidstr, sizeof pidstr, "%d", (int)pid);
    char *args[256];
    int n = 0;
    args[n++] = (char *)tool;
    args[n++] = pidstr;
    for (char *save, *tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
        if (n >= 255)
            fail("pause: too many id map entries: %s", map);
        args[n++] = tok;
    }
    args[n] = NULL;
    if (n == 2 || (n - 2) % 3 != 0)
        fail("pause: id map \"%s\" is not a list of \"inside outside count\" triples", map);
    pid_t t = fork();
    if (t < 0)
        die("fork");
    if (t == 0) {
        execv(tool, args);
        die("exec %s", tool);
    }
    return wait_child(t);
}

__attribute__((noreturn)) static void pause_child(int mapped_r, int ready_w)
{
    char c;
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
        die("pause: unshare user and mount namespaces");
    if (write_all(ready_w, "u", 1) < 0)
        _exit(EXIT_ENGINE);
    if (read_full(mapped_r, &c, 1) != 1)   /* the parent failed to map us and said why */
        _exit(EXIT_ENGINE);
    close(mapped_r);
    if (setresgid(0, 0, 0) < 0)
        die("pause: setresgid 0");
    if (setresuid(0, 0, 0) < 0)
        die("pause: setresuid 0");
    /* Slave, not private: mount changes on the host (a disk mounted later) still propagate into this
       long-lived namespace, while the overlay mounts jpod makes here never propagate back out. */
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        die("pause: make / a recursive slave mount");
    if (setsid() < 0)   /* no controlling terminal: no SIGHUP/SIGINT from the session that created us */
        die("pause: setsid");
    if (prctl(PR_SET_NAME, PAUSE_NAME, 0, 0, 0) < 0)
        die("pause: name the process");
    if (chdir("/") < 0)   /* do not keep the caller's cwd (and its mount) busy */
        die("pause: chdir /");
    /* Holding the caller's stdout/stderr pipes open would make a caller that reads them to EOF hang. */
    redirect_stdio_to_null();
    close_fds(ready_w);
    if (write_all(ready_w, "r", 1) < 0)
        _exit(EXIT_ENGINE);
    close(ready_w);
    for (;;)
        pause();
}

static int cmd_pause(int argc, char **argv)
{
    if (argc != 7)
        fail("usage: jpod-helper pause PIDFILE NEWUIDMAP UIDMAP NEWGIDMAP GIDMAP");
    const char *pidfile = argv[2];
    int mapped[2], ready[2];
    xpipe(mapped);
    xpipe(ready);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(mapped[1]);
        close(ready[0]);
        pause_child(mapped[0], ready[1]);
    }
    close(mapped[0]);
    close(ready[1]);
    signal(SIGPIPE, SIG_IGN);

    char c;
    if (read_full(ready[0], &c, 1) != 1) {   /* the child printed its error */
        wait_child(pid);
        exit(EXIT_ENGINE);
    }
    const char *tools[2] = { argv[3], argv[5] }, *maps[2] = { argv[4], argv[6] };
    const char *names[2] = { "newuidmap", "newgidmap" };
    for (int i = 0; i < 2; i++) {
        int code = run_idmap_tool(tools[i], pid, maps[i]);
        if (code != 0) {
            kill_child(pid);
            fprintf(stderr, "jpod-helper: pause: %s exited with status %d\n", names[i], code);
            exit(EXIT_ENGINE);
        }
    }
    if (write_all(mapped[1], "m", 1) < 0 || read_full(ready[0], &c, 1) != 1) {
        wait_child(pid);
        exit(EXIT_ENGINE);
    }
    char content[32];
    snprintf(content, sizeof content, "%d\n", (int)pid);
    if (write_file_atomic(pidfile, content) < 0) {
        kill_child(pid);   /* nobody could find (or stop) a pause process without its pid file */
        die("write pid file %s", pidfile);
    }
    return 0;
}

/* ---------------------------------------------------------------- run: the spec */

enum net_mode { NET_NONE, NET_HOST, NET_SLIRP };

/* The options of one mount record, with the NUL: the size of setup_user_mount's buffers (ContainerSpec.Mount
   checks it too) */
#define MOUNT_OPTIONS_MAX 1024

struct mount_entry {
    char *type, *source, *dest, *options;
};

struct spec {
    const char *rootfs, *hostname, *cwd, *slirp4netns, *exitfile, *pidfile;
    uid_t uid;
    gid_t gid;
    gid_t *groups;
    size_t ngroups, nenv, nargs, nmounts;
    char **env, **args;                /* NULL-terminated */
    struct mount_entry *mounts;
    enum net_mode net;
    int mtu;
};

unsigned long parse_number(const char *key, const char *value, unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(value, &end, 10);
    if (errno || end == value || *end || value[0] == '-' || v > max)
        fail("run: spec: %s=%s is not a number up to %lu", key, value, max);
    return v;
}

/* Reads a whole spec file (Java's ContainerSpec/ExecSpec: NUL-terminated key=value records) into memory;
   sets its length and the number of records. Shared by `run` and `exec`. */
char *read_spec_file(const char *file, const char *mode, size_t *len, size_t *records)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        die("open %s spec %s", mode, file);
    *len = (size_t)st.st_size;
    char *data = malloc(*len + 1);
    if (!data || read_full(fd, data, *len) != (ssize_t)*len)
        die("read %s spec %s", mode, file);
    close(fd);
    if (*len == 0 || data[*len - 1] != '\0')
        fail("%s: spec %s: not a sequence of NUL-terminated records", mode, file);
    *records = 0;
    for (size_t i = 0; i < *len; i++)
        *records += data[i] == '\0';
    return data;
}

/* /dev/shm's tmpfs size in bytes: spec key shmsize (--shm-size; 0 = no limit), else podman's 64 MiB. */
static unsigned long shm_size = 65536UL * 1024;

static void parse_spec(const char *file, struct spec *s)
{
    size_t len, records;
    char *data = read_spec_file(file, "run", &len, &records);
    memset(s, 0, sizeof *s);
    s->cwd = "/";
    s->mtu = 65520;
    s->groups = calloc(records, sizeof *s->groups);
    s->env = calloc(records + 1, sizeof *s->env);
    s->args = calloc(records + 1, sizeof *s->args);
    s->mounts = calloc(records, sizeof *s->mounts);
    if (!s->groups || !s->env || !s->args || !s->mounts)
        die("parse spec");

    for (char *rec = data, *next; rec < data + len; rec = next) {
        next = rec + strlen(rec) + 1;
        char *value = strchr(rec, '=');
        if (!value)
            fail("run: spec %s: record \"%s\" is not key=value", file, rec);
        *value++ = '\0';
        const char *key = rec;
        if (!strcmp(key, "rootfs")) s->rootfs = value;
        else if (!strcmp(key, "hostname")) s->hostname = value;
        else if (!strcmp(key, "cwd")) s->cwd = value;
        else if (!strcmp(key, "uid")) s->uid = (uid_t)parse_number(key, value, UINT32_MAX - 1);
        else if (!strcmp(key, "gid")) s->gid = (gid_t)parse_number(key, value, UINT32_MAX - 1);
        else if (!strcmp(key, "group")) s->groups[s->ngroups++] = (gid_t)parse_number(key, value, UINT32_MAX - 1);
        else if (!strcmp(key, "env")) s->env[s->nenv++] = value;
        else if (!strcmp(key, "arg")) s->args[s->nargs++] = value;
        else if (!strcmp(key, "slirp4netns")) s->slirp4netns = value;
        else if (!strcmp(key, "mtu")) s->mtu = (int)parse_number(key, value, 65521);
        else if (!strcmp(key, "exitfile")) s->exitfile = value;
        else if (!strcmp(key, "pidfile")) s->pidfile = value;
        else if (!strcmp(key, "shmsize")) shm_size = parse_number(key, value, ULONG_MAX - 1);
        else if (lc_spec_key(key, value)) { }
        else if (health_spec_key(key, value)) { }
        else if (pod_spec_key(key, value)) { }
        else if (!strcmp(key, "net")) {
            if (!strcmp(value, "none")) s->net = NET_NONE;
            else if (!strcmp(value, "host")) s->net = NET_HOST;
            else if (!strcmp(value, "slirp4netns")) s->net = NET_SLIRP;
            else fail("run: spec: unknown network mode \"%s\" (none, host or slirp4netns)", value);
        } else if (!strcmp(key, "mount")) {
            struct mount_entry *m = &s->mounts[s->nmounts++];
            char *f[4] = { value, NULL, NULL, NULL };
            for (int i = 1; i < 4; i++) {
                f[i] = f[i - 1] ? strchr(f[i - 1], '\t') : NULL;
                if (f[i])
                    *f[i]++ = '\0';
            }
            if (!f[3] || strchr(f[3], '\t'))
                fail("run: spec: mount record needs TYPE<tab>SOURCE<tab>DEST<tab>OPTIONS");
            m->type = f[0], m->source = f[1], m->dest = f[2], m->options = f[3];
            if (strlen(m->options) >= MOUNT_OPTIONS_MAX)   /* never cut: an "ro" at the end would be lost */
                fail("run: spec: the options of mount %s are %zu bytes long; at most %d are allowed",
                     m->dest, strlen(m->options), MOUNT_OPTIONS_MAX - 1);
            if (strcmp(m->type, "bind") && strcmp(m->type, "tmpfs"))
                fail("run: spec: unknown mount type \"%s\" (bind or tmpfs)", m->type);
            size_t dl = strlen(m->dest);
            if (m->dest[0] != '/' || strstr(m->dest, "/../") || (dl >= 3 && !strcmp(m->dest + dl - 3, "/..")))
                fail("run: spec: mount destination \"%s\" must be an absolute path without ..", m->dest);
        } else if (cgroup_spec_key(key, value) != 0) {
            if (cgroup_step[0])   /* set only by an invalid record */
                fail("%s", cgroup_step);
        } else if (!net_spec_key(key, value) && !bridge_spec_key(key, value)) {
            int known = sandbox_parse_key(key, value);
            if (known < 0)
                fail("%s", sandbox_step);
            if (!known)
                fail("run: spec %s: unknown key \"%s\"", file, key);
        }
    }
    if (!s->rootfs || s->rootfs[0] != '/')
        fail("run: spec %s: needs rootfs= with an absolute path", file);
    if (s->nargs == 0)
        fail("run: spec %s: needs at least one arg=", file);
}

/* ---------------------------------------------------------------- run: container setup (child) */

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
struct jpod_mount_attr {   /* = struct mount_attr (Linux 5.12); own name to not clash with libc headers */
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* Add ro/nosuid/nodev/noexec to a bind mount (and, if recursive, all mounts below it).
   mount_setattr() only adds the requested flags. The old MS_REMOUNT way replaces all flags and must
   repeat those the kernel locked on the source (clearing one inside a user namespace is EPERM), so
   the fallback for pre-5.12 kernels copies them from statvfs(). */
static void restrict_mount(const char *path, unsigned long flags, int recursive)
{
#ifdef SYS_mount_setattr
    struct jpod_mount_attr attr = { 0, 0, 0, 0 };
    attr.attr_set = (flags & MS_RDONLY ? 0x1 : 0) | (flags & MS_NOSUID ? 0x2 : 0)
                  | (flags & MS_NODEV ? 0x4 : 0) | (flags & MS_NOEXEC ? 0x8 : 0);
    if (syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr, sizeof attr) == 0)
        return;
    if (errno != ENOSYS)
        die("set mount flags on %s", path);
#endif
    if (remount_bind_adding(path, flags) < 0)
        die("remount %s with new flags", path);
}

/* Create path's missing parents, then path itself as a directory or an empty file. The last component
   must not be a symlink (O_NOFOLLOW): an image could otherwise aim a mount outside its rootfs.
   Parents are already resolved by Java (mount destinations) or are our own fixed names. */
static void make_mountpoint(const char *path, int dir)
{
    char buf[PATH_MAX];
    join_path(buf, path, "");
    for (char *p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            die("create directory %s", buf);
        *p = '/';
    }
    int fd;
    if (dir) {
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            die("create directory %s", path);
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } else {
        fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    }
    if (fd < 0)
        die("mount point %s", path);
    close(fd);
}

static void mount_at(const char *root, const char *dest, const char *src, const char *type,
                     unsigned long flags, const char *data)
{
    char path[PATH_MAX];
    join_path(path, root, dest);
    make_mountpoint(path, 1);
    if (mount(src, path, type, flags, data) < 0)
        die("mount %s on %s", type, dest);
}

static void symlink_at(const char *root, const char *target, const char *name)
{
    char path[PATH_MAX];
    join_path(path, root, name);
    if (symlink(target, path) < 0)
        die("symlink %s -> %s", name, target);
}

static void setup_dev(const char *root)
{
    static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
    char path[PATH_MAX], host[64];

    mount_at(root, "/dev", "tmpfs", "tmpfs", MS_NOSUID, "mode=755,size=64k");
    /* A user namespace cannot mknod, and device nodes on a filesystem mounted inside one are unusable
       anyway (SB_I_NODEV). Bind mounts of the host's nodes keep the host devtmpfs mount and work. */
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        snprintf(host, sizeof host, "/dev/%s", nodes[i]);
        join_path(path, root, host);
        make_mountpoint(path, 0);
        if (mount(host, path, NULL, MS_BIND, NULL) < 0)
            die("bind mount %s", host);
    }
    join_path(path, root, "/dev/pts");
    make_mountpoint(path, 1);
    /* gid=5 (tty) only works when gid 5 is mapped in the user namespace. */
    if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5") < 0
        && mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") < 0)
        die("mount devpts on /dev/pts");
    symlink_at(root, "pts/ptmx", "/dev/ptmx");
    char shm_opts[64];
    snprintf(shm_opts, sizeof shm_opts, "mode=1777,size=%lu", shm_size);
    mount_at(root, "/dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, shm_opts);
    mount_at(root, "/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    symlink_at(root, "/proc/self/fd", "/dev/fd");
    symlink_at(root, "/proc/self/fd/0", "/dev/stdin");
    symlink_at(root, "/proc/self/fd/1", "/dev/stdout");
    symlink_at(root, "/proc/self/fd/2", "/dev/stderr");
}

static void setup_sys(const char *root)
{
    char path[PATH_MAX];
    join_path(path, root, "/sys");
    make_mountpoint(path, 1);
    if (mount("sysfs", path, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
        return;
    if (errno != EPERM)
        die("mount sysfs on /sys");
    /* Only the owner of the network namespace may mount sysfs: with net=host that is the host's
       namespace, so show the host's /sys instead, read-only. */
    if (mount("/sys", path, NULL, MS_BIND | MS_REC, NULL) < 0)
        die("bind mount /sys");
    restrict_mount(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 1);
}

/* tmpcopyup: the image's files at a tmpfs's destination copied into the new tmpfs (from, to: directory fds),
   owners and modes kept; nothing is followed, devices, fifos and sockets are left out, as podman's copy-up. */
static void copy_up(int from, int to, const char *dest)
{
    int fd = dup(from);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d)
        die("mount %s: tmpcopyup: read the image's directory", dest);
    for (struct dirent *de; (errno = 0, de = readdir(d));) {
        const char *n = de->d_name;
        struct stat st;
        if (!strcmp(n, ".") || !strcmp(n, "..") || fstatat(from, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (mkdirat(to, n, st.st_mode & 07777) < 0)
                die("mount %s: tmpcopyup: create directory %s", dest, n);
            int sf = openat(from, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int df = openat(to, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sf < 0 || df < 0)
                die("mount %s: tmpcopyup: open directory %s", dest, n);
            copy_up(sf, df, dest);
            if (fchown(df, st.st_uid, st.st_gid) < 0 || fchmod(df, st.st_mode & 07777) < 0)
                die("mount %s: tmpcopyup: owner of %s", dest, n);
            close(sf);
            close(df);
        } else if (S_ISREG(st.st_mode)) {
            int sf = openat(from, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            int df = openat(to, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (sf < 0 || df < 0)
                die("mount %s: tmpcopyup: copy %s", dest, n);
            char buf[65536];
            ssize_t r;
            while ((r = read(sf, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
                if (r > 0 && write_all(df, buf, (size_t)r) < 0)
                    die("mount %s: tmpcopyup: write %s", dest, n);
            if (r < 0)
                die("mount %s: tmpcopyup: read %s", dest, n);
            if (fchown(df, st.st_uid, st.st_gid) < 0 || fchmod(df, st.st_mode & 07777) < 0)
                die("mount %s: tmpcopyup: owner of %s", dest, n);
            close(sf);
            close(df);
        } else if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t len = readlinkat(from, n, target, sizeof target - 1);
            if (len < 0)
                die("mount %s: tmpcopyup: read symlink %s", dest, n);
            target[len] = '\0';
            if (symlinkat(target, to, n) < 0 || fchownat(to, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                die("mount %s: tmpcopyup: symlink %s", dest, n);
        }
    }
    if (errno)
        die("mount %s: tmpcopyup: read the image's directory", dest);
    closedir(d);
}

/* The destination is resolved inside the root after the mounts made before it (a volume's content is the
   container's to shape: a symlink planted there is followed inside the root, never on the host), missing
   components are made relative to their parent's fd, and the mount goes onto the resulting fd (inroot.c). */
static void setup_user_mount(int rootfd, const struct mount_entry *m)
{
    unsigned long flags = 0;
    int recursive = 1, copyup = 0;
    char data[MOUNT_OPTIONS_MAX] = "", opts[MOUNT_OPTIONS_MAX];   /* the parser refused longer options */
    snprintf(opts, sizeof opts, "%s", m->options);
    for (char *save, *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        if (!strcmp(o, "ro")) flags |= MS_RDONLY;
        else if (!strcmp(o, "rw")) flags &= ~(unsigned long)MS_RDONLY;
        else if (!strcmp(o, "nosuid")) flags |= MS_NOSUID;
        else if (!strcmp(o, "nodev")) flags |= MS_NODEV;
        else if (!strcmp(o, "noexec")) flags |= MS_NOEXEC;
        else if (!strcmp(o, "rbind")) recursive = 1;
        else if (!strcmp(o, "bind")) recursive = 0;
        else if (!strcmp(o, "tmpcopyup") && !strcmp(m->type, "tmpfs")) copyup = 1;
        else if (!strcmp(m->type, "tmpfs")) {   /* mode=, size=, ... are tmpfs's business */
            size_t used = strlen(data);
            snprintf(data + used, sizeof data - used, "%s%s", used ? "," : "", o);
        } else
            fail("mount %s: unknown bind mount option \"%s\"", m->dest, o);
    }
    if (!strcmp(m->type, "tmpfs")) {
        copyup = copyup && !(flags & MS_RDONLY);   /* a read-only tmpfs starts empty */
        int target = inroot_mountpoint(rootfd, m->dest, 1);
        int image_dir = copyup ? openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (copyup && image_dir < 0)
            die("mount %s: tmpcopyup: open the image's directory", m->dest);
        inroot_tmpfs(target, flags, data, m->dest);
        close(target);
        if (copyup) {
            int tmpfs = inroot_open(rootfd, m->dest, O_RDONLY | O_DIRECTORY);
            if (tmpfs < 0)
                die("mount %s: tmpcopyup: open the tmpfs", m->dest);
            copy_up(image_dir, tmpfs, m->dest);
            close(tmpfs);
            close(image_dir);
        }
        return;
    }
    struct stat st;
    if (stat(m->source, &st) < 0)
        die("mount %s: source %s", m->dest, m->source);
    int target = inroot_mountpoint(rootfd, m->dest, S_ISDIR(st.st_mode));
    inroot_bind(m->source, target, recursive, flags, m->dest);
    close(target);
}

/* copy-in/copy-out of a container that is not running: a private mount namespace of the helper with the
   container's bind mounts (volumes, -v, --mount type=bind) from its saved spec, made as `run` makes them, so a
   path below one reaches it as it will once the container runs. tmpfs mounts are not made: what is copied there
   lands in the rootfs, which the tmpfs copies up when the container starts. Returns an fd of the root. The mount
   points made for it are removed again by close_stopped_root: a copy must not leave a directory in a volume. */
static int stopped_root = -1;
static char **made_points;
static size_t nmade;

int open_stopped_root(const char *rootfs, const char *specfile)
{
    if (unshare(CLONE_NEWNS) < 0)
        die("copy: unshare the mount namespace");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die("copy: make the mounts private");
    int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);   /* after unshare: a mount of this namespace */
    if (rootfd < 0)
        die("copy: open rootfs %s", rootfs);
    struct spec s;
    parse_spec(specfile, &s);
    made_points = calloc(s.nmounts + 1, sizeof *made_points);
    if (!made_points)
        die("copy: allocate");
    for (size_t i = 0; i < s.nmounts; i++) {
        struct stat st;   /* a file the start writes first (a never-started container's /etc/hosts): not yet */
        if (strcmp(s.mounts[i].type, "bind") || (stat(s.mounts[i].source, &st) < 0 && errno == ENOENT))
            continue;
        int existing = inroot_open(rootfd, s.mounts[i].dest, O_PATH);
        if (existing >= 0)
            close(existing);
        else
            made_points[nmade++] = s.mounts[i].dest;
        setup_user_mount(rootfd, &s.mounts[i]);
    }
    stopped_root = rootfd;
    return rootfd;
}

/* After the copy: the mount points open_stopped_root made, newest first, unmounted and removed (best effort: a
   directory something was copied into stays). */
void close_stopped_root(void)
{
    for (size_t i = nmade; stopped_root >= 0 && i-- > 0;) {
        int fd = inroot_open(stopped_root, made_points[i], O_PATH);
        if (fd >= 0) {
            char fdpath[64];
            snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
            umount2(fdpath, MNT_DETACH);
            close(fd);
        }
        char name[NAME_MAX + 1];
        int dir = inroot_parent(stopped_root, made_points[i], name);
        if (dir >= 0 && name[0] && unlinkat(dir, name, AT_REMOVEDIR) < 0 && errno == ENOTDIR) {
            struct stat st;
            if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
                unlinkat(dir, name, 0);
        }
        if (dir >= 0)
            close(dir);
    }
}

static void loopback_up(void)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        die("socket for lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        die("get flags of lo");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        die("bring lo up");
    close(s);
}

/* execve with a PATH search on the container's own PATH (execvp would use the helper's environment). */
__attribute__((noreturn)) void exec_container(char **args, char **env)
{
    const char *cmd = args[0], *path = DEFAULT_PATH;
    if (strchr(cmd, '/')) {
        execve(cmd, args, env);
        send_report(REPORT_EXEC, errno, cmd);
    }
    for (char **e = env; *e; e++)
        if (!strncmp(*e, "PATH=", 5))
            path = *e + 5;
    int err = ENOENT;
    char file[PATH_MAX];
    for (const char *p = path;; p++) {
        const char *end = strchrnul(p, ':');
        int dirlen = (int)(end - p);
        /* An empty PATH entry means the current directory. */
        if (cmd[0] && snprintf(file, sizeof file, "%.*s%s%s", dirlen, dirlen ? p : ".", "/", cmd) < (int)sizeof file) {
            execve(file, args, env);
            if (errno == EACCES)
                err = EACCES;   /* remember, but a later entry may still work */
            else if (errno != ENOENT && errno != ENOTDIR)
                send_report(REPORT_EXEC, errno, cmd);
        }
        if (!*end)
            break;
        p = end;
    }
    send_report(REPORT_EXEC, err, cmd);
}

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
#define NFORWARDED (sizeof forwarded_signals / sizeof forwarded_signals[0])

/* The container's init (PID 1 of the new PID namespace). Errors go to the monitor via report_fd. */
__attribute__((noreturn)) static void container_child(const struct spec *s, int nsready_w, int go_r)
{
    const char *root = s->rootfs;
    char c;

    /* Also taken down (with the whole PID namespace) when the monitor is killed. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        die("set parent death signal");
    lc_child_stdio();
    if (cgroup_join() < 0)   /* before CLONE_NEWCGROUP: the namespace's root is then the container's cgroup */
        die("%s", cgroup_step);
    int joined = pod_join_namespaces();   /* a pod's shared namespaces, before the own ones are made */
    int flags = (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP) & ~joined;
    if (s->net != NET_HOST && !(joined & CLONE_NEWNET))
        flags |= CLONE_NEWNET;
    if (unshare(flags) < 0)
        die("unshare container namespaces");
    if (write_all(nsready_w, "n", 1) < 0)
        die("signal namespaces ready");
    close(nsready_w);

    /* Private: nothing mounted here may propagate back into the shared jpod mount namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die("make / a recursive private mount");
    if (pod_is_infra()) {   /* holds the pod's namespaces: no rootfs, no exec */
        if (read_full(go_r, &c, 1) != 1)   /* its network is ready before it says it is up */
            _exit(EXIT_ENGINE);
        if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
            die("sethostname %s", s->hostname);
        if (s->net != NET_HOST)
            loopback_up();
        close_fds(-1);   /* the report pipe too: EOF tells the monitor the infra is up */
        report_fd = -1;
        pod_infra_wait();
    }
    /* pivot_root needs the new root to be a mount point. */
    if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
        die("bind mount rootfs %s", root);
    mount_at(root, "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    setup_dev(root);
    setup_sys(root);
    /* opened only now: an fd of the rootfs before its bind mount above would name the mount underneath */
    int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        die("open rootfs %s", root);
    for (size_t i = 0; i < s->nmounts; i++)
        setup_user_mount(rootfd, &s->mounts[i]);
    close(rootfd);
    if (sandbox_before_pivot(root) < 0)
        die("%s", sandbox_step);

    /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only the new. */
    if (chdir(root) < 0)
        die("chdir to rootfs %s", root);
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        die("pivot_root into %s", root);
    if (umount2(".", MNT_DETACH) < 0)
        die("detach the old root");
    if (chdir("/") < 0)
        die("chdir /");
    if (sandbox_after_pivot() < 0)
        die("%s", sandbox_step);
    /* The mounts and pivot_root above overlap with the monitor's network set-up (slirp4netns starting and
       configuring tap0, pasta, a bridge's veth): only what follows needs the network, and the monitor's word. */
    if (read_full(go_r, &c, 1) != 1)   /* monitor gone or gave up (it says why) */
        _exit(EXIT_ENGINE);
    lc_child_after_pivot(s->uid, s->gid);

    if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
        die("sethostname %s", s->hostname);
    if (s->net != NET_HOST)
        loopback_up();
    if (sandbox_enter_userns_in_init() < 0)   /* after the steps that need the outer namespace's rights */
        die("%s", sandbox_step);
    if (setgroups(s->ngroups, s->groups) < 0)
        die("setgroups");
    if (setresgid(s->gid, s->gid, s->gid) < 0)
        die("setresgid %u", (unsigned)s->gid);
    if (sandbox_before_setuid((unsigned)s->uid) < 0)
        die("%s", sandbox_step);
    if (setresuid(s->uid, s->uid, s->uid) < 0)
        die("setresuid %u", (unsigned)s->uid);
    if (sandbox_after_setuid() < 0)
        die("%s", sandbox_step);
    /* The kernel clears the parent death signal when the effective ids change: set it again, then make
       sure the monitor did not die just before (it holds the go pipe open for as long as it lives). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        die("set parent death signal");
    struct pollfd pfd = { .fd = go_r, .events = POLLIN, .revents = 0 };
    if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
        _exit(EXIT_ENGINE);
    /* After dropping to the container user, so the permission check is the user's. */
    if (chdir(s->cwd) < 0) {
        if (errno == ENOENT)
            send_report(REPORT_WORKDIR, ENOENT, s->cwd);
        die("chdir to workdir %s", s->cwd);
    }
    for (size_t i = 0; i < NFORWARDED; i++)
        signal(forwarded_signals[i], SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    lc_child_before_exec();
    close_fds(report_fd);
    if (sandbox_before_exec() < 0)
        die("%s", sandbox_step);
    exec_container(s->args, s->env);
}

/* ---------------------------------------------------------------- run: slirp4netns */

struct slirp {
    pid_t pid;
    int pid_w;     /* monitor → launcher: the container's pid */
    int ready_r;   /* slirp4netns --ready-fd */
    int exit_w;    /* slirp4netns --exit-fd: closing it stops slirp4netns */
};

/* slirp4netns must not live in the container's PID namespace (it would show in the container's ps
   and die with its init), but after unshare(CLONE_NEWPID) every fork lands there. So the launcher is
   forked first and waits for the container's pid on a pipe. */
static void slirp_fork(const struct spec *s, struct slirp *sl)
{
    int pidp[2], ready[2], ex[2];
    xpipe(pidp);
    xpipe(ready);
    xpipe(ex);
    sl->pid = fork();
    if (sl->pid < 0)
        die("fork slirp4netns");
    if (sl->pid == 0) {
        close(pidp[1]);
        close(ready[0]);
        close(ex[1]);
        int cpid;
        if (read_full(pidp[0], &cpid, sizeof cpid) != sizeof cpid)
            _exit(0);   /* the container never started */
        setsid();       /* keep terminal signals (^C) for the container, not its network */
        int errfd = fcntl(2, F_DUPFD_CLOEXEC, 3);
        redirect_stdio_to_null();   /* slirp4netns is chatty */
        if (fcntl(ready[1], F_SETFD, 0) < 0 || fcntl(ex[0], F_SETFD, 0) < 0)
            _exit(EXIT_ENGINE);
        char mtu[32], rfd[32], efd[32], pid[16];
        snprintf(mtu, sizeof mtu, "--mtu=%d", s->mtu);
        snprintf(rfd, sizeof rfd, "--ready-fd=%d", ready[1]);
        snprintf(efd, sizeof efd, "--exit-fd=%d", ex[0]);
        snprintf(pid, sizeof pid, "%d", cpid);
        const char *bin = s->slirp4netns ? s->slirp4netns : "slirp4netns";
        char *argv[32] = { (char *)bin, "--configure", mtu, rfd, efd };
        size_t n = 5;
        net_slirp_args(argv, &n, 29);   /* sandbox, host loopback, API socket, IPv6, CIDR: network.c */
        argv[n++] = pid;
        argv[n++] = "tap0";
        argv[n] = NULL;
        execvp(bin, argv);
        int err = errno;
        if (errfd >= 0)
            dprintf(errfd, "jpod-helper: exec %s: %s (errno %d)\n", bin, strerror(err), err);
        _exit(EXIT_NOT_FOUND);
    }
    close(pidp[0]);
    close(ready[1]);
    close(ex[0]);
    sl->pid_w = pidp[1];
    sl->ready_r = ready[0];
    sl->exit_w = ex[1];
}

/* Hand slirp4netns the container's pid and wait (bounded) until it has configured tap0. */
static int slirp_start(struct slirp *sl, pid_t child)
{
    int cpid = (int)child;
    char c;
    if (write_all(sl->pid_w, &cpid, sizeof cpid) < 0) {
        print_error("start slirp4netns", errno);
        return -1;
    }
    xclose(&sl->pid_w);
    struct pollfd pfd = { .fd = sl->ready_r, .events = POLLIN, .revents = 0 };
    int r;
    while ((r = poll(&pfd, 1, SLIRP_READY_TIMEOUT_MS)) < 0 && errno == EINTR)
        ;
    if (r == 0) {
        fprintf(stderr, "jpod-helper: slirp4netns did not become ready within %d s\n", SLIRP_READY_TIMEOUT_MS / 1000);
        return -1;
    }
    if (read_full(sl->ready_r, &c, 1) != 1) {
        int code = wait_child(sl->pid);
        sl->pid = -1;
        fprintf(stderr, "jpod-helper: slirp4netns exited with status %d before it was ready\n", code);
        return -1;
    }
    xclose(&sl->ready_r);
    return 0;
}

/* Closing the exit fd makes slirp4netns exit; give it a bounded time, then kill it. */
static void slirp_stop(struct slirp *sl)
{
    xclose(&sl->pid_w);   /* a launcher still waiting for a pid exits on EOF */
    xclose(&sl->ready_r);
    xclose(&sl->exit_w);
    if (sl->pid <= 0)
        return;
#ifdef SYS_pidfd_open
    int pidfd = (int)syscall(SYS_pidfd_open, sl->pid, 0);
    if (pidfd >= 0) {
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN, .revents = 0 };
        while (poll(&pfd, 1, SLIRP_EXIT_TIMEOUT_MS) < 0 && errno == EINTR)
            ;
        if (!(pfd.revents & POLLIN))
            kill(sl->pid, SIGKILL);
        close(pidfd);
    } else
#endif
        kill(sl->pid, SIGTERM);
    wait_child(sl->pid);
    sl->pid = -1;
}

/* ---------------------------------------------------------------- run: the monitor */

static void forward_signal(int sig)
{
    int saved = errno;
    if (forward_pid > 0)
        kill((pid_t)forward_pid, sig);
    errno = saved;
}

/* Print what the child reported, once, and return the exit status it stands for. */
static int report_code(const struct report *r)
{
    switch (r->kind) {
    case REPORT_EXEC:
        /* podman's shape: one "Error:" line naming the command and what exec found */
        if (r->err == ENOENT || r->err == ENOTDIR) {
            fprintf(stderr, "Error: exec %s: %s\n", r->what,
                    strchr(r->what, '/') ? "no such file or directory" : "executable file not found in $PATH: no such file or directory");
            return EXIT_NOT_FOUND;
        }
        if (r->err == EACCES || r->err == ENOEXEC || r->err == EISDIR || r->err == EPERM) {
            fprintf(stderr, "Error: exec %s: permission denied\n", r->what);
            return EXIT_NOT_EXECUTABLE;
        }
        fprintf(stderr, "jpod-helper: exec %s: %s (errno %d)\n", r->what, strerror(r->err), r->err);
        return EXIT_ENGINE;
    case REPORT_WORKDIR:
        fprintf(stderr, "jpod: workdir %s does not exist\n", r->what);
        return EXIT_ENGINE;
    default:
        print_error(r->what, r->err);
        return EXIT_ENGINE;
    }
}

int lc_report_status(int fd)
{
    struct report r;
    return read_full(fd, &r, sizeof r) == (ssize_t)sizeof r ? report_code(&r) : -1;
}

static int cmd_run(int argc, char **argv)
{
    if (argc != 3)
        fail("usage: jpod-helper run SPECFILE");
    struct spec s;
    parse_spec(argv[2], &s);
    pod_open_namespaces();   /* before -d detaches: a stopped pod is said on the caller's stderr */
    lc_begin();
    health_start();

    struct slirp sl = { -1, -1, -1, -1 };
    if (s.net == NET_SLIRP)
        slirp_fork(&s, &sl);   /* before unshare(CLONE_NEWPID), see slirp_fork */
    net_pasta_fork();          /* likewise, when the spec asks for pasta (network.c); before keep-id's userns */
    bridge_fork();             /* the veth worker stays in the namespace that owns the holder's (bridge.c) */
    if (!pod_join_user_namespace() && sandbox_enter_userns() < 0)
        die("%s", sandbox_step);
    if (!pod_join_pid_namespace() && unshare(CLONE_NEWPID) < 0)
        die("unshare pid namespace");

    int nsready[2], go[2], rep[2];
    xpipe(nsready);
    xpipe(go);
    xpipe(rep);
    /* Signals stay blocked until the handlers know the child's pid (the child unblocks its own). */
    sigset_t fwd, old;
    sigemptyset(&fwd);
    for (size_t i = 0; i < NFORWARDED; i++)
        sigaddset(&fwd, forwarded_signals[i]);
    sigprocmask(SIG_BLOCK, &fwd, &old);
    lc_prepare();
    pid_t child = fork();
    if (child < 0)
        die("fork container process");
    if (child == 0) {
        close(nsready[0]);
        close(go[1]);
        close(rep[0]);
        xclose(&sl.pid_w);
        xclose(&sl.ready_r);
        xclose(&sl.exit_w);
        report_fd = rep[1];
        container_child(&s, nsready[1], go[0]);
    }
    forward_pid = child;
    close(nsready[1]);
    close(go[0]);
    close(rep[1]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < NFORWARDED; i++)
        sigaction(forwarded_signals[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_SETMASK, &old, NULL);

    int code = -1;
    char c;
    if (read_full(nsready[0], &c, 1) == 1) {   /* else the child failed: its report follows */
        if (s.pidfile) {
            char content[32];
            snprintf(content, sizeof content, "%d\n", (int)child);
            if (write_file_atomic(s.pidfile, content) < 0) {
                kill_child(child);
                die("write pid file %s", s.pidfile);
            }
        }
        if (s.net == NET_SLIRP && (slirp_start(&sl, child) < 0 || net_publish_ports() < 0)) {
            kill(child, SIGKILL);
            code = EXIT_ENGINE;
        } else if (net_pasta_start(child) < 0 || bridge_start(child) < 0) {
            kill(child, SIGKILL);
            code = EXIT_ENGINE;
        } else if (write_all(go[1], "g", 1) < 0 && errno != EPIPE) {
            die("signal the container process to go on");
        }
    }
    close(nsready[0]);

    /* EOF: execve succeeded (the pipe is close-on-exec) or the child died without a word. */
    struct report r;
    ssize_t n = read_full(rep[0], &r, sizeof r);
    int started = n == 0 && code < 0;
    int status = lc_supervise(child, started);
    forward_pid = 0;
    if (s.net == NET_SLIRP)
        slirp_stop(&sl);
    net_pasta_stop();
    if (code < 0)
        code = n == (ssize_t)sizeof r ? report_code(&r) : status;
    if (s.exitfile) {
        char content[16];
        snprintf(content, sizeof content, "%d\n", code);
        if (write_file_atomic(s.exitfile, content) < 0)
            die("write exit file %s", s.exitfile);
    }
    health_stop();
    lc_end(code, started);
    return code;
}

/* ---------------------------------------------------------------- umount, mount-overlay */

static int cmd_umount(int argc, char **argv)
{
    if (argc != 3)
        fail("usage: jpod-helper umount PATH");
    if (umount2(argv[2], MNT_DETACH) < 0)
        die("umount %s", argv[2]);
    return 0;
}

static int cmd_mount_overlay(int argc, char **argv)
{
    if (argc != 4)
        fail("usage: jpod-helper mount-overlay TARGET OPTIONS");
    if (mount("overlay", argv[2], "overlay", 0, argv[3]) < 0)
        die("mount overlay on %s", argv[2]);
    return 0;
}

int main(int argc, char **argv)
{
    /* bin/jpod is this binary: the native client of the jpod service (client.c); so is a link to it by another
       name (`podman`), which names the program in usage and messages. The helper itself runs as jpod-helper. */
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (!strcmp(base, "jpod") || strncmp(base, "jpod-", 5))
        return client_main(argc, argv);
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "enter"))
        return cmd_enter(argc, argv);
    if (!strcmp(mode, "service-starter"))
        return service_starter_main(argc, argv);
    if (!strcmp(mode, "pause"))
        return cmd_pause(argc, argv);
    if (!strcmp(mode, "run")) {
        if (sandbox_reexec_sealed(argv) < 0)
            die("%s", sandbox_step);
        return cmd_run(argc, argv);
    }
    if (!strcmp(mode, "umount"))
        return cmd_umount(argc, argv);
    if (!strcmp(mode, "mount-overlay"))
        return cmd_mount_overlay(argc, argv);
    if (!strcmp(mode, "exec")) {
        /* enters a running container too: the same sealed copy, so nothing in there can reach our binary */
        if (sandbox_reexec_sealed(argv) < 0)
            die("%s", sandbox_step);
        return cmd_exec(argc, argv);
    }
    if (!strcmp(mode, "copy-in") || !strcmp(mode, "copy-out")) {
        /* may join a running container, as exec does: from the same sealed copy */
        if (sandbox_reexec_sealed(argv) < 0)
            die("%s", sandbox_step);
        return mode[5] == 'i' ? cmd_copy_in(argc, argv) : cmd_copy_out(argc, argv);
    }
    if (!strcmp(mode, "signal"))
        return cmd_signal(argc, argv);
    if (!strcmp(mode, "attach"))
        return cmd_attach(argc, argv);
    if (!strcmp(mode, "netns-holder"))
        return cmd_netns_holder(argc, argv);
    if (!strcmp(mode, "netns-exec"))
        return cmd_netns_exec(argc, argv);
    if (!strcmp(mode, "net-attach"))
        return cmd_net_attach(argc, argv);
    if (!strcmp(mode, "link-del"))
        return cmd_link_del(argc, argv);
    fail("usage: jpod-helper enter|pause|run|exec|signal|attach|umount|mount-overlay|copy-in|copy-out|netns-holder|netns-exec|net-attach|link-del ...");
}
