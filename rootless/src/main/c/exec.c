/*
 * jpod-helper exec SPECFILE: a new process in a running container. Joins the namespaces of the container's
 * init through a pidfd (the user namespace is already ours), becomes the container user and execs.
 * Spec records (NUL-terminated key=value): pid, monitorpid, monitorstart, cwd, uid, gid, group*, env*, arg*, tty,
 * interactive, detach.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434   /* the same number on every architecture */
#endif

#include "cgroup.h"
#include "inroot.h"
#include "lifecycle.h"
#include "sandbox.h"

struct exec_spec {
    pid_t pid;
    pid_t monitor_pid;                  /* the monitor that started the init (its parent), 0: not checked */
    unsigned long long monitor_start;   /* its start time, /proc/PID/stat field 22 */
    const char *cwd;
    uid_t uid;
    gid_t gid;
    gid_t *groups;
    size_t ngroups, nenv, nargs;
    char **env, **args;
    int tty, interactive, detach;
};

static void parse_exec_spec(const char *file, struct exec_spec *s)
{
    size_t len, records;
    char *data = read_spec_file(file, "exec", &len, &records);
    memset(s, 0, sizeof *s);
    s->cwd = "/";
    s->groups = calloc(records, sizeof *s->groups);
    s->env = calloc(records + 1, sizeof *s->env);
    s->args = calloc(records + 1, sizeof *s->args);
    if (!s->groups || !s->env || !s->args)
        die("parse exec spec");
    for (char *rec = data, *next; rec < data + len; rec = next) {
        next = rec + strlen(rec) + 1;
        char *value = strchr(rec, '=');
        if (!value)
            fail("exec: spec %s: record \"%s\" is not key=value", file, rec);
        *value++ = '\0';
        const char *key = rec;
        if (!strcmp(key, "pid")) s->pid = (pid_t)parse_number(key, value, 1UL << 22);
        else if (!strcmp(key, "monitorpid")) s->monitor_pid = (pid_t)parse_number(key, value, 1UL << 22);
        else if (!strcmp(key, "monitorstart")) s->monitor_start = parse_number(key, value, ~0UL - 1);
        else if (!strcmp(key, "cwd")) s->cwd = value;
        else if (!strcmp(key, "uid")) s->uid = (uid_t)parse_number(key, value, 0xfffffffeUL);
        else if (!strcmp(key, "gid")) s->gid = (gid_t)parse_number(key, value, 0xfffffffeUL);
        else if (!strcmp(key, "group")) s->groups[s->ngroups++] = (gid_t)parse_number(key, value, 0xfffffffeUL);
        else if (!strcmp(key, "env")) s->env[s->nenv++] = value;
        else if (!strcmp(key, "arg")) s->args[s->nargs++] = value;
        else if (!strcmp(key, "tty")) s->tty = !strcmp(value, "1");
        else if (!strcmp(key, "interactive")) s->interactive = !strcmp(value, "1");
        else if (!strcmp(key, "detach")) s->detach = !strcmp(value, "1");
        else if (cgroup_spec_key(key, value) != 0) {
            if (cgroup_step[0])   /* set only by an invalid record */
                fail("%s", cgroup_step);
        } else {
            /* the container's capabilities, no_new_privs, seccomp program and rlimits (sandbox.c) */
            int known = sandbox_parse_key(key, value);
            if (known < 0)
                fail("%s", sandbox_step);
            if (!known)
                fail("exec: spec %s: unknown key \"%s\"", file, key);
        }
    }
    if (s->pid <= 1)
        fail("exec: spec %s: needs pid= of the container's init", file);
    if (s->nargs == 0)
        fail("exec: spec %s: needs at least one arg=", file);
}

__attribute__((noreturn)) static void init_gone(pid_t pid)
{
    fail("the container's process %d is gone; is the container running?", (int)pid);
}

/* Fields 4 (ppid) and 22 (start time) of /proc/PID/stat; -1 when the process is gone. */
int proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read_full(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');   /* the command name may hold spaces and parentheses */
    int ppid_i;
    /* after the name: state, ppid (4), fields 5 to 21, starttime (22) */
    if (!p || sscanf(p + 2, "%*c %d" "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s" " %llu",
                     &ppid_i, start) != 2)
        return -1;
    *ppid = (pid_t)ppid_i;
    return 0;
}

static int same_ns(pid_t pid, const char *name)
{
    char path[64], own[64];
    struct stat a, b;
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, name);
    snprintf(own, sizeof own, "/proc/self/ns/%s", name);
    if (stat(path, &a) < 0) {
        if (errno == ENOENT || errno == ESRCH)
            init_gone(pid);
        die("stat %s", path);
    }
    return stat(own, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Joins the namespaces of the container's init, and of no other process that may have got its pid since: a pidfd
   is taken first; while it shows the process alive, /proc/PID is that process, so checking afterwards that it is
   still alive makes what /proc said (its parent is the container's monitor, its namespaces) true of the pidfd's
   process; setns(pidfd) (Linux 5.8) then joins all of them at once. Also used by the copy modes (copy.c, declared
   in inroot.h); monitor_pid 0 skips the parent check. */
void join_container(pid_t pid, pid_t monitor_pid, unsigned long long monitor_start)
{
    /* user first: a container with its own (nested) user namespace, e.g. --userns=keep-id, grants the
       rights to join the others only from inside it */
    static const char *const names[] = { "user", "cgroup", "ipc", "uts", "net", "pid", "mnt" };
    static const int types[] = { CLONE_NEWUSER, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWNS };
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        if (errno == ESRCH)
            init_gone(pid);
        die("pidfd_open %d", (int)pid);
    }
    if (monitor_pid > 0) {
        pid_t ppid, unused;
        unsigned long long start, actual_monitor_start;
        if (proc_stat(pid, &ppid, &start) < 0)
            init_gone(pid);
        if (ppid != monitor_pid || proc_stat(monitor_pid, &unused, &actual_monitor_start) < 0
            || actual_monitor_start != monitor_start)
            fail("process %d is not the container's init any more (its pid was reused); is the container running?", (int)pid);
    }
    int flags = 0;
    for (int i = 0; i < 7; i++)
        if (!same_ns(pid, names[i]))
            flags |= types[i];
    struct pollfd p = { pidfd, POLLIN, 0 };
    if (poll(&p, 1, 0) != 0)   /* readable: it has exited, and what /proc said may be about another process */
        init_gone(pid);
    if (setns(pidfd, flags) == 0) {
        close(pidfd);
        return;
    }
    /* A user namespace the init entered after its mounts (--userns=nomap, auto) does not own the others:
       from inside it they cannot be joined, so join them first and it last (setns(pidfd) changes nothing on failure). */
    if (errno == EPERM && (flags & CLONE_NEWUSER) && setns(pidfd, flags & ~CLONE_NEWUSER) == 0) {
        if (setns(pidfd, CLONE_NEWUSER) < 0)
            die("join the container's user namespace");
        close(pidfd);
        return;
    }
    if (errno == ESRCH)
        init_gone(pid);
    if (errno != EINVAL)
        die("join the container's namespaces");
    /* Linux < 5.8 takes only namespace fds: opened through /proc/PID, then the pidfd shows they are the init's */
    int fds[7];
    char path[64];
    for (int i = 0; i < 7; i++) {
        fds[i] = -1;
        if (!(flags & types[i]))
            continue;
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, names[i]);
        fds[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0) {
            if (errno == ENOENT || errno == ESRCH)
                init_gone(pid);
            die("open %s", path);
        }
    }
    if (poll(&p, 1, 0) != 0)
        init_gone(pid);
    close(pidfd);
    for (int i = 0; i < 7; i++) {
        if (fds[i] >= 0 && setns(fds[i], types[i]) < 0)
            die("join the container's %s namespace", names[i]);
        if (fds[i] >= 0)
            close(fds[i]);
    }
}

static volatile sig_atomic_t exec_child;

static void exec_forward(int sig)
{
    int saved = errno;
    if (exec_child > 0)
        kill((pid_t)exec_child, sig);
    errno = saved;
}

int cmd_exec(int argc, char **argv)
{
    if (argc != 3)
        fail("usage: jpod-helper exec SPECFILE");
    struct exec_spec s;
    parse_exec_spec(argv[2], &s);
    if (cgroup_join() < 0)   /* the container's cgroups (and limits), before its cgroup namespace */
        die("%s", cgroup_step);
    if (sandbox_load_files() < 0)   /* the seccomp program's path is gone once we are in the container */
        die("%s", sandbox_step);
    join_container(s.pid, s.monitor_pid, s.monitor_start);
    int master = -1, slave = -1;
    if (s.tty && !s.detach) {
        master = pty_open(&slave, s.uid, s.gid);
        if (isatty(0))
            pty_copy_winsize(0, master);
    }
    int rep[2];
    if (pipe2(rep, O_CLOEXEC) < 0)
        die("pipe");
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t child = fork();   /* lands in the container's PID namespace */
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(rep[0]);
        report_fd = rep[1];
        if (slave >= 0) {
            close(master);
            pty_make_controlling(slave);
        } else if (s.detach || !s.interactive) {
            int null = open("/dev/null", O_RDWR | O_CLOEXEC);
            if (null < 0 || dup2(null, 0) < 0 || (s.detach && (dup2(null, 1) < 0 || dup2(null, 2) < 0)))
                die("stdio from /dev/null");
            if (s.detach)
                setsid();
        }
        if (setgroups(s.ngroups, s.groups) < 0)
            die("setgroups");
        if (setresgid(s.gid, s.gid, s.gid) < 0)
            die("setresgid %u", (unsigned)s.gid);
        if (sandbox_before_setuid((unsigned)s.uid) < 0)
            die("%s", sandbox_step);
        if (setresuid(s.uid, s.uid, s.uid) < 0)
            die("setresuid %u", (unsigned)s.uid);
        if (sandbox_after_setuid() < 0)
            die("%s", sandbox_step);
        if (chdir(s.cwd) < 0)
            die("chdir to workdir %s", s.cwd);
        for (int i = 1; i < NSIG; i++)
            signal(i, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        close_fds(report_fd);
        if (sandbox_before_exec() < 0)   /* no_new_privs, then the same seccomp filter as the container's */
            die("%s", sandbox_step);
        exec_container(s.args, s.env);
    }
    exec_child = child;
    close(rep[1]);
    if (slave >= 0)
        close(slave);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = exec_forward;
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_SETMASK, &old, NULL);
    int failed = lc_report_status(rep[0]);
    close(rep[0]);
    if (s.detach && failed < 0)
        return 0;   /* the process runs on, a child of the container's init once we are gone */
    if (master >= 0 && failed < 0) {
        if (isatty(0))
            pty_raw_mode(0);
        lc_relay(-1, -1, master, s.interactive ? 0 : -1, NULL);
        pty_restore_mode();
    }
    int st;
    while (waitpid(child, &st, 0) < 0)
        if (errno != EINTR)
            die("wait for process %d", (int)child);
    return failed >= 0 ? failed : status_code(st);
}
