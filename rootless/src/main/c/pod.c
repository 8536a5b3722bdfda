/*
 * Pods: the infra process that holds a pod's namespaces, and the joining of them by the pod's containers.
 * Protocol and keys: pod.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifecycle.h"
#include "pod.h"

#define NSHARED 5
static const char *const shared_names[NSHARED] = { "net", "ipc", "uts", "pid", "user" };
static const int shared_types[NSHARED] = { CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWPID, CLONE_NEWUSER };

static int infra;
static int join_types;
static pid_t join_pid, join_monitor;
static unsigned long long join_monitor_start;
static int join_fds[NSHARED] = { -1, -1, -1, -1, -1 };

int pod_spec_key(const char *key, const char *value)
{
    if (!strcmp(key, "infra")) {
        infra = !strcmp(value, "1");
        return 1;
    }
    if (!strcmp(key, "joinns")) {
        for (int i = 0; i < NSHARED; i++)
            if (!strcmp(value, shared_names[i])) {
                join_types |= shared_types[i];
                return 1;
            }
        fail("run: spec: joinns=%s is not a namespace a pod shares (net, ipc, uts, pid or user)", value);
    }
    if (!strcmp(key, "joinpid")) {
        int pid, monitor, used = 0;
        unsigned long long start;
        if (sscanf(value, "%d:%d:%llu%n", &pid, &monitor, &start, &used) != 3 || value[used] || pid <= 0 || monitor <= 0)
            fail("run: spec: joinpid=%s is not PID:MONITORPID:MONITORSTART", value);
        join_pid = pid, join_monitor = monitor, join_monitor_start = start;
        return 1;
    }
    return 0;
}

int pod_is_infra(void)
{
    return infra;
}

__attribute__((noreturn)) static void infra_gone(void)
{
    fail("run: the pod's infra process %d is not running; start the pod again (jpod pod start)", (int)join_pid);
}

void pod_open_namespaces(void)
{
    if (!join_types)
        return;
    if (!join_pid)
        fail("run: spec: joinns= needs joinpid=");
    int pidfd = (int)syscall(SYS_pidfd_open, join_pid, 0);
    if (pidfd < 0) {
        if (errno == ESRCH)
            infra_gone();
        die("pidfd_open %d", (int)join_pid);
    }
    pid_t ppid, unused;
    unsigned long long start, monitor_start;
    if (proc_stat(join_pid, &ppid, &start) < 0 || ppid != join_monitor
        || proc_stat(join_monitor, &unused, &monitor_start) < 0 || monitor_start != join_monitor_start)
        infra_gone();
    char path[64];
    for (int i = 0; i < NSHARED; i++) {
        if (!(join_types & shared_types[i]))
            continue;
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)join_pid, shared_names[i]);
        join_fds[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (join_fds[i] < 0) {
            if (errno == ENOENT || errno == ESRCH)
                infra_gone();
            die("open %s", path);
        }
    }
    /* still alive after /proc was read: the fds are the infra's namespaces, not those of a process that got its pid */
    struct pollfd p = { pidfd, POLLIN, 0 };
    if (poll(&p, 1, 0) != 0)
        infra_gone();
    close(pidfd);
}

int pod_join_user_namespace(void)
{
    if (join_fds[4] < 0)
        return 0;
    if (setns(join_fds[4], CLONE_NEWUSER) < 0)
        die("join the pod's user namespace");
    close(join_fds[4]);
    join_fds[4] = -1;
    return 1;
}

int pod_join_pid_namespace(void)
{
    if (join_fds[3] < 0)
        return 0;
    if (setns(join_fds[3], CLONE_NEWPID) < 0)
        die("join the pod's pid namespace");
    close(join_fds[3]);
    join_fds[3] = -1;
    return 1;
}

int pod_join_namespaces(void)
{
    int joined = 0;
    for (int i = 0; i < 3; i++) {
        if (join_fds[i] < 0)
            continue;
        if (setns(join_fds[i], shared_types[i]) < 0)
            die("join the pod's %s namespace", shared_names[i]);
        close(join_fds[i]);
        join_fds[i] = -1;
        joined |= shared_types[i];
    }
    return joined;
}

__attribute__((noreturn)) void pod_infra_wait(void)
{
    prctl(PR_SET_NAME, "jpod-infra", 0, 0, 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig != SIGCHLD)
            _exit(0);
        while (waitpid(-1, NULL, WNOHANG) > 0)   /* orphans of a shared pid namespace land here */
            ;
    }
}
