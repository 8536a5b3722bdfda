/*
 * The periodic health check (--health-cmd, or the image's HEALTHCHECK, with its interval). Java decides what runs
 * (`jpod … healthcheck run ID`, which records the result); this only keeps time. The checker is forked before the
 * monitor unshares the PID namespace, for the same reason as the exit command's launcher: forks after that land
 * in the container's namespace. It waits on a pipe from the monitor with the interval as timeout, runs the
 * command at each timeout, and exits at EOF: when the container ends, or the monitor dies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "health.h"
#include "lifecycle.h"

static struct {
    char **cmd;
    size_t ncmd;
    long interval_ms;
    int stop_w;     /* the monitor's end of the pipe; closing it ends the checker */
    pid_t pid;
} hc = { .stop_w = -1 };

int health_spec_key(const char *key, const char *value)
{
    if (!strcmp(key, "healthinterval")) {
        hc.interval_ms = (long)parse_number(key, value, 1UL << 31);
        if (hc.interval_ms < 1)
            fail("run: spec: healthinterval must be at least 1 ms");
        return 1;
    }
    if (!strcmp(key, "healthcmd")) {
        char **n = realloc(hc.cmd, (hc.ncmd + 2) * sizeof *n);
        if (!n)
            die("parse spec");
        hc.cmd = n;
        hc.cmd[hc.ncmd++] = (char *)value;
        hc.cmd[hc.ncmd] = NULL;
        return 1;
    }
    return 0;
}

static void check_once(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return;   /* no process to spare now: the next interval tries again */
    if (pid == 0) {
        execv(hc.cmd[0], hc.cmd);
        _exit(127);
    }
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

void health_start(void)
{
    if (!hc.ncmd || hc.interval_ms <= 0)
        return;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        die("pipe for the health checker");
    hc.pid = fork();
    if (hc.pid < 0)
        die("fork the health checker");
    if (hc.pid == 0) {
        prctl(PR_SET_NAME, "jpod-health", 0, 0, 0);
        redirect_stdio_to_null();
        close_fds(p[0]);
        for (;;) {
            struct pollfd pfd = { .fd = p[0], .events = POLLIN };
            int r = poll(&pfd, 1, (int)hc.interval_ms);
            if (r < 0 && errno == EINTR)
                continue;
            if (r != 0)
                _exit(0);   /* EOF (or an error): the container has ended */
            check_once();
        }
    }
    close(p[0]);
    hc.stop_w = p[1];
}

void health_stop(void)
{
    if (hc.stop_w < 0)
        return;
    close(hc.stop_w);
    hc.stop_w = -1;
    /* A check under way must not hold up the teardown: the checker goes now; the check it started ends on its
       own and finds the container stopped. */
    kill(hc.pid, SIGKILL);
    while (waitpid(hc.pid, NULL, 0) < 0 && errno == EINTR)
        ;
}
