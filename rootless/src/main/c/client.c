/*
 * The native client: the jpod command itself (bin/jpod is this binary; main() comes here when it is called
 * "jpod"). It hands the command to the user's jpod service (one warm JVM per user, `jpod system service`) over
 * $XDG_RUNTIME_DIR/jpod/service.sock and exits with the command's exit code; when none runs, the command runs in a
 * JVM of its own and a detached starter starts the service after it (leave_starter). A process that needs the caller's terminal (a container's monitor, exec, attach) is handed back by the
 * service; the client runs it as its own child, with its own stdin/stdout/stderr, inside the user's namespaces
 * (through `jpod-helper enter`), passes INT/TERM/HUP on as the service says, and reports its pid and status.
 *
 * With JPOD_SERVICE=0, `[jpod] service = false` in containers.conf, or for the commands the service does not run,
 * the client execs libexec/jpod-launch, which runs the command in a JVM of its own as before.
 *
 * Frames both ways: type(1) length(4, big-endian) payload; the types are listed in ServiceFrames.java.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "lifecycle.h"

extern char **environ;

#define EXIT_ENGINE 125
#define MAX_PAYLOAD (1 << 20)
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif
/* `jpod --version` is answered here (ServiceTest compares it with the JVM's answer); build.sh passes the root pom's
 * jpod.version, which the engine's JpodVersion is generated from too */
#ifndef JPOD_VERSION
#error "JPOD_VERSION is not defined: build the helper with rootless/src/main/c/build.sh (Maven does)"
#endif

static char dist[PATH_MAX / 2]; /* half: room for the names below it */
static char run_dir[PATH_MAX / 2];
static char **client_argv;

/* commands the service does not run (ServiceRouting.IN_PROCESS): no service is started for them */
static const char *const in_process[] = {"unshare", "cp", "load", "save", "import", "export", "login", "logout",
                                         "kube", "generate", "play",
                                         "system", "volume", "network", "stats", "secret", "__train", NULL};

__attribute__((noreturn)) static void in_jvm(void)
{
    char launcher[PATH_MAX];
    snprintf(launcher, sizeof launcher, "%s/libexec/jpod-launch", dist);
    client_argv[0] = launcher;
    signal(SIGPIPE, SIG_DFL); /* an ignored SIGPIPE would be inherited by the JVM's children */
    execv(launcher, client_argv);
    fprintf(stderr, "Error: cannot run %s: %s; reinstall jpod\n", launcher, strerror(errno));
    exit(EXIT_ENGINE);
}

static int is_off(const char *v)
{
    return v && (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcasecmp(v, "no"));
}

/* `[jpod] service = false` in one containers.conf file: -1 unset, 0 off, 1 on */
static int conf_service(const char *path, int current)
{
    /* read whole first: a file without a [jpod] table (the distribution's 24 KiB containers.conf, on every command)
       is not parsed line by line */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return current;
    static char text[256 * 1024];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof text && ((n = read(fd, text + len, sizeof text - len)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0)
            len += (size_t)n;
    close(fd);
    if (len < sizeof text && !memmem(text, len, "[jpod]", 6))
        return current;
    FILE *f = fopen(path, "r");
    if (!f)
        return current;
    char line[1024];
    int in_jpod = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '[') {
            in_jpod = !strncmp(p, "[jpod]", 6);
            continue;
        }
        if (!in_jpod || strncmp(p, "service", 7))
            continue;
        p += 7;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '=')
            continue; /* service_timeout and the like */
        p++;
        while (*p == ' ' || *p == '\t' || *p == '"')
            p++;
        current = strncmp(p, "false", 5) ? 1 : 0;
    }
    fclose(f);
    return current;
}

/* uid 0 in a user namespace (jpod's own: a container monitor's exit or health-check command), not the real root */
static int in_user_namespace(void)
{
    FILE *f = fopen("/proc/self/uid_map", "r");
    if (!f)
        return 0;
    unsigned long inside, outside, count;
    int n = fscanf(f, "%lu %lu %lu", &inside, &outside, &count);
    fclose(f);
    return !(n == 3 && inside == 0 && outside == 0 && count == 4294967295UL);
}

/* the same files, in the same order, as ContainersConf.files */
static int service_enabled(void)
{
    if (is_off(getenv("JPOD_SERVICE")))
        return 0;
    int on = -1;
    char path[PATH_MAX];
    const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME"), *only = getenv("CONTAINERS_CONF");
    char config[PATH_MAX] = "";
    if (xdg && *xdg)
        snprintf(config, sizeof config, "%s", xdg);
    else if (home && *home)
        snprintf(config, sizeof config, "%s/.config", home);
    if (only && *only) {
        on = conf_service(only, on);
    } else {
        on = conf_service("/usr/share/containers/containers.conf", on);
        on = conf_service("/etc/containers/containers.conf", on);
        if (*config) {
            snprintf(path, sizeof path, "%s/containers/containers.conf", config);
            on = conf_service(path, on);
        }
    }
    if (*config) {
        snprintf(path, sizeof path, "%s/jpod/containers.conf", config);
        on = conf_service(path, on);
    }
    return on != 0;
}

/* the command name after the global options (and after `container`/`image`) */
static const char *command_name(int argc, char **argv, int from)
{
    for (int i = from; i < argc; i++) {
        if (!strcmp(argv[i], "--root") || !strcmp(argv[i], "--runroot") || !strcmp(argv[i], "--storage-driver"))
            i++;
        else if (argv[i][0] != '-')
            return argv[i];
    }
    return NULL;
}

static int runs_in_process(int argc, char **argv)
{
    const char *cmd = command_name(argc, argv, 1);
    if (!cmd)
        return 0;
    if (!strcmp(cmd, "container") || !strcmp(cmd, "image")) {
        int i = 1;
        while (i < argc && argv[i] != cmd)
            i++;
        const char *sub = command_name(argc, argv, i + 1);
        if (sub)
            cmd = sub;
    }
    for (const char *const *p = in_process; *p; p++) {
        if (strcmp(cmd, *p))
            continue;
        /* help needs neither stdin nor the caller's paths (ServiceRouting.onlyHelp); unshare's args are its command's */
        for (int i = 1; i < argc && strcmp(cmd, "unshare"); i++)
            if (!strcmp(argv[i], "--help"))
                return 0;
        return 1;
    }
    return 0;
}

/* ---- frames */

static int write_all_fd(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all_fd(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_frame(int fd, char type, const void *payload, size_t len)
{
    unsigned char head[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                             (unsigned char)(len >> 8), (unsigned char)len};
    if (write_all_fd(fd, head, 5) < 0)
        return -1;
    return len ? write_all_fd(fd, payload, len) : 0;
}

static int send_text(int fd, char type, const char *text)
{
    return send_frame(fd, type, text, strlen(text));
}

/* A request's frames gathered in memory and sent with one write (the service reads them with one read). */
struct frames {
    char *data;
    size_t len, cap;
    int failed;
};

static void add_frame(struct frames *f, char type, const char *text)
{
    size_t n = strlen(text);
    if (f->failed || n > MAX_PAYLOAD)
        goto fail;
    if (f->len + 5 + n > f->cap) {
        size_t cap = f->cap ? f->cap : 4096;
        while (cap < f->len + 5 + n)
            cap *= 2;
        char *data = realloc(f->data, cap);
        if (!data)
            goto fail;
        f->data = data;
        f->cap = cap;
    }
    unsigned char *head = (unsigned char *)f->data + f->len;
    head[0] = (unsigned char)type;
    head[1] = (unsigned char)(n >> 24);
    head[2] = (unsigned char)(n >> 16);
    head[3] = (unsigned char)(n >> 8);
    head[4] = (unsigned char)n;
    memcpy(f->data + f->len + 5, text, n);
    f->len += 5 + n;
    return;
fail:
    f->failed = 1;
}

/* the next frame into a malloc'd, NUL-terminated payload; -1 at the end of the stream */
static int read_frame(int fd, char *type, char **payload, size_t *len)
{
    unsigned char head[5];
    if (read_all_fd(fd, head, 5) < 0)
        return -1;
    uint32_t n = (uint32_t)head[1] << 24 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 8 | head[4];
    if (n > MAX_PAYLOAD)
        return -1;
    char *buf = malloc(n + 1);
    if (!buf)
        return -1;
    if (n && read_all_fd(fd, buf, n) < 0) {
        free(buf);
        return -1;
    }
    buf[n] = 0;
    *type = (char)head[0];
    *payload = buf;
    *len = n;
    return 0;
}

/* ---- the service */

static int connect_to(const char *sock_path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The run-time directory as RunRoot and the launcher name it; made 0700 if missing. */
static int make_run_dir(void)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && *xdg) {
        snprintf(run_dir, sizeof run_dir, "%s/jpod", xdg);
    } else {
        char parent[64];
        snprintf(parent, sizeof parent, "/tmp/jpod-run-%u", (unsigned)getuid());
        struct stat st;
        if (lstat(parent, &st) < 0)
            return -1; /* the launcher creates and announces it */
        if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
            return -1; /* not ours and private: the launcher says so */
        snprintf(run_dir, sizeof run_dir, "%s/jpod", parent);
    }
    if (mkdir(run_dir, 0700) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A process's start time (field 22 of /proc/PID/stat), which tells it from a later process given the same pid;
   0 when unreadable. */
static unsigned long long process_start_time(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
    if (!p)
        return 0;
    unsigned long long start = 0;
    /* after ")": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime
       cstime priority nice num_threads itrealvalue starttime(22) */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &start) != 1)
        return 0;
    return start;
}

/* No service is listening: this command runs in a JVM of its own (the cold path, no slower than without a
   service), and a detached starter brings the service up once that JVM has ended, so the next command finds it
   warm. Starting it first and waiting cost a whole service start on top of the command (a service JVM is a JVM
   start, its set-up and the request's cold class loading: ~2x the cold path); starting it beside the command would
   have the two JVMs compete for the CPU.
   The starter is `jpod-helper service-starter PIDFD PID STARTTIME SOCKET` (the socket names the user's run-time
   directory in ps), in a session of its own, its stdio /dev/null and no other fd of the caller's, so `$(jpod ps)`
   returns when the command ends; double-forked, so neither the client nor its JVM ever waits for it. */
static void leave_starter(const char *sock_path)
{
    char helper[PATH_MAX], fd_text[16], pid_text[24], start_text[32];
    snprintf(helper, sizeof helper, "%s/libexec/jpod-helper", dist);
    pid_t self = getpid();
    snprintf(pid_text, sizeof pid_text, "%ld", (long)self);
    snprintf(start_text, sizeof start_text, "%llu", process_start_time(self));
    int pidfd = (int)syscall(SYS_pidfd_open, self, 0); /* O_CLOEXEC: the JVM never holds it */
    pid_t first = fork();
    if (first < 0) {
        if (pidfd >= 0)
            close(pidfd);
        return; /* no starter: the next command starts one */
    }
    if (first == 0) {
        setsid();
        if (fork() != 0)
            _exit(0); /* the starter is nobody's child: reparented at once */
        int null = open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3; fd++)
            if (null >= 0 && null != fd)
                dup2(null, fd);
        /* the caller's pipes and files are not kept open: $(jpod ps) must not wait for the starter */
        close_fds(pidfd); /* close_range(2) */
        if (pidfd >= 0)
            fcntl(pidfd, F_SETFD, 0);
        if (chdir("/") < 0)
            _exit(0);
        signal(SIGPIPE, SIG_DFL);
        snprintf(fd_text, sizeof fd_text, "%d", pidfd);
        char *args[] = {"jpod-helper", "service-starter", fd_text, pid_text, start_text, (char *)sock_path, NULL};
        execv(helper, args);
        _exit(0);
    }
    if (pidfd >= 0)
        close(pidfd);
    int status;
    while (waitpid(first, &status, 0) < 0 && errno == EINTR)
        ;
}

/* The build a service must have: lib/jpod-build-id and the distribution's place (Service.buildId). */
static int build_id(char *out, size_t size)
{
    char path[PATH_MAX], id[256];
    snprintf(path, sizeof path, "%s/lib/jpod-build-id", dist);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, id, sizeof id - 1);
    close(fd);
    if (n <= 0)
        return -1;
    id[n] = 0;
    while (n > 0 && (id[n - 1] == '\n' || id[n - 1] == ' ' || id[n - 1] == '\r'))
        id[--n] = 0;
    snprintf(out, size, "%s@%s", id, dist);
    return 0;
}

/* A connection to a service of this build that has the request, or -1 (then the command runs in a JVM of its own).
   The request (its build frame first) goes with the connection, not after the service's answer to the build: one
   round trip less; a service that refuses or is of another build closes the connection without reading it. */
/* may_start 0: only a service that is already listening (a command it will most likely hand back) */
static int open_service(int may_start, const struct frames *request)
{
    char sock_path[PATH_MAX];
    if (make_run_dir() < 0)
        return -1;
    snprintf(sock_path, sizeof sock_path, "%s/service.sock", run_dir);
    if (strlen(sock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
        return -1;
    for (int attempt = 0; attempt < 3; attempt++) {
        int fd = connect_to(sock_path);
        if (fd < 0) {
            if (may_start)
                leave_starter(sock_path); /* this command runs in-process; the next one finds the service */
            return -1;
        }
        char type, *payload;
        size_t len;
        /* a failed write may still leave the service's refusal to read (it answers without reading the request) */
        int sent = write_all_fd(fd, request->data, request->len) == 0;
        int got = read_frame(fd, &type, &payload, &len) == 0;
        if (got && !sent && type == 'v') { /* cannot be: it has not had the whole request */
            free(payload);
            got = 0;
        }
        if (!got) {
            close(fd); /* a service that was just exiting when idle: start another */
            continue;
        }
        if (type == 'v') {
            free(payload);
            return fd;
        }
        if (type == 'r') {
            fprintf(stderr, "Error: %s\n", payload);
            exit(EXIT_ENGINE);
        }
        /* 'm': a service of another build; it has stopped listening, so ours is started (above) */
        free(payload);
        close(fd);
    }
    return -1;
}

/* ---- a process the service hands over */

static volatile pid_t child_pid;
static volatile int forward_int, forward_term_hup;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGCHLD) {
        char c = 0;
        if (write(wake_pipe[1], &c, 1) < 0) {
            /* the pipe is full: a wake-up is pending anyway */
        }
    } else if (child_pid > 0 && (sig == SIGINT ? forward_int : forward_term_hup)) {
        kill(child_pid, sig);
    }
    errno = saved;
}

static int status_code_of(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : EXIT_ENGINE;
}

/* Runs the handed-over process (payload: stream modes, signal mode, argc, argv…, env additions…); returns 0, or -1
   when the service went away meanwhile (the process has ended by then). */
static int run_handed_over(int fd, char *payload, size_t len, int *service_gone)
{
    char *items[4096];
    size_t count = 0;
    for (size_t i = 0; i < len && count < 4095; ) {
        items[count++] = payload + i;
        i += strlen(payload + i) + 1;
    }
    if (count < 3)
        return -1;
    /* items[0]: stdin, stdout and stderr, each 'i' (ours) or 'n' (/dev/null), e.g. "nni" for run --attach stderr */
    if (strlen(items[0]) != 3 || strspn(items[0], "in") != 3)
        return -1;
    const char *streams = items[0];
    forward_int = !strcmp(items[1], "ALL");
    forward_term_hup = strcmp(items[1], "NONE") != 0;
    int ignore_int = !strcmp(items[1], "ALL_BUT_INT");
    size_t argc = (size_t)atoi(items[2]);
    if (argc == 0 || 3 + argc > count)
        return -1;
    char pause_pid[PATH_MAX], helper[PATH_MAX];
    snprintf(pause_pid, sizeof pause_pid, "%s/pause.pid", run_dir);
    snprintf(helper, sizeof helper, "%s/libexec/jpod-helper", dist);
    char **args = calloc(argc + 5, sizeof *args);
    if (!args)
        return -1;
    args[0] = helper;
    args[1] = "enter";
    args[2] = pause_pid;
    args[3] = "--";
    for (size_t i = 0; i < argc; i++)
        args[4 + i] = items[3 + i];

    if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    if (forward_term_hup) {
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
    }
    if (forward_int) {
        sigaction(SIGINT, &sa, NULL);
    } else if (ignore_int) {
        signal(SIGINT, SIG_IGN);
    }
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        for (int i = 0; i < 3; i++) {
            if (streams[i] != 'n')
                continue;
            int null = open("/dev/null", i == 0 ? O_RDONLY : O_WRONLY);
            if (null < 0 || dup2(null, i) < 0)
                _exit(EXIT_ENGINE);
            close(null);
        }
        for (size_t i = 3 + argc; i < count; i++)
            putenv(items[i]);
        execv(helper, args);
        fprintf(stderr, "Error: cannot run %s: %s\n", helper, strerror(errno));
        _exit(EXIT_ENGINE);
    }
    child_pid = pid > 0 ? pid : 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(args);
    char text[32];
    snprintf(text, sizeof text, "%ld", (long)(pid > 0 ? pid : -1));
    if (send_text(fd, 'P', text) < 0)
        *service_gone = 1;
    int status = 0, done = pid < 0;
    while (!done) {
        struct pollfd p[2] = {{.fd = wake_pipe[0], .events = POLLIN}, {.fd = *service_gone ? -1 : fd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents) {
            char drain[64];
            while (read(wake_pipe[0], drain, sizeof drain) > 0) {
            }
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            done = 1;
            break;
        }
        if (p[1].revents) {
            char type, *frame;
            size_t flen;
            if (read_frame(fd, &type, &frame, &flen) < 0) {
                *service_gone = 1; /* the process goes on; we wait for it, then say what happened */
                continue;
            }
            if (type == 'k')
                kill(pid, atoi(frame));
            free(frame);
        }
    }
    child_pid = 0;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    snprintf(text, sizeof text, "%d", pid < 0 ? EXIT_ENGINE : status_code_of(status));
    if (!*service_gone && send_text(fd, 'S', text) < 0)
        *service_gone = 1;
    return *service_gone ? -1 : 0;
}

__attribute__((noreturn)) static void service_died(void)
{
    fprintf(stderr, "Error: the jpod service ended before the command finished (see %s/service.log); run the command again\n",
            run_dir);
    exit(EXIT_ENGINE);
}

/* `jpod-helper service-starter PIDFD PID STARTTIME SOCKET` (leave_starter): waits until the command's process
   has ended, then starts the user's service unless one listens or is being started. Several first commands at
   once each leave a starter; service.start.lock lets one of them start a JVM (the others exit), and service.lock
   in the service keeps it to one service whatever races. Whatever goes wrong goes to service.log; the next command
   then runs in-process again and leaves another starter. */
int service_starter_main(int argc, char **argv)
{
    if (argc != 6)
        return EXIT_ENGINE;
    int pidfd = atoi(argv[2]);
    pid_t pid = (pid_t)atol(argv[3]);
    unsigned long long start = strtoull(argv[4], NULL, 10);
    const char *sock_path = argv[5];
    if (pidfd >= 0) {
        struct pollfd p = {pidfd, POLLIN, 0};
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
            ;
        close(pidfd);
    } else { /* no pidfd_open (Linux < 5.3): the pid, with its start time so a reused pid is not waited for */
        struct timespec step = {0, 50 * 1000 * 1000};
        while (kill(pid, 0) == 0 && process_start_time(pid) == start && start)
            nanosleep(&step, NULL);
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return EXIT_ENGINE;
    self[n] = 0;
    for (int up = 0; up < 2; up++) { /* …/libexec/jpod-helper → the distribution */
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = 0;
    }
    if (strlen(self) >= sizeof dist)
        return EXIT_ENGINE;
    memcpy(dist, self, strlen(self) + 1);
    snprintf(run_dir, sizeof run_dir, "%s", sock_path);
    char *slash = strrchr(run_dir, '/');
    if (!slash)
        return EXIT_ENGINE;
    *slash = 0;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/service.start.lock", run_dir);
    int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
        return 0; /* another starter is at it */
    int probe = connect_to(sock_path);
    if (probe >= 0) {
        close(probe); /* a service listens already (another starter's, or one of another build: the next client
                         replaces that one) */
        return 0;
    }
    char launcher[PATH_MAX], log_path[PATH_MAX], uri[PATH_MAX + 8];
    snprintf(launcher, sizeof launcher, "%s/libexec/jpod-launch", dist);
    snprintf(log_path, sizeof log_path, "%s/service.log", run_dir);
    snprintf(uri, sizeof uri, "unix://%s", sock_path);
    pid_t child = fork();
    if (child < 0)
        return EXIT_ENGINE;
    if (child == 0) {
        int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (log >= 0) {
            dup2(log, 1);
            dup2(log, 2);
        }
        char *args[] = {launcher, "system", "service", uri, NULL};
        execv(launcher, args);
        _exit(EXIT_ENGINE);
    }
    /* hold service.start.lock until the service listens (or gives up), so the other starters see it starting */
    double deadline = now_seconds() + 120;
    while (now_seconds() < deadline) {
        int fd = connect_to(sock_path);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        int status;
        if (waitpid(child, &status, WNOHANG) == child)
            return 0; /* failed (service.log says why), or another service holds service.lock */
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return 0;
}

int client_main(int argc, char **argv)
{
    client_argv = argv;
    if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
        /* no service or JVM needed: the line VersionCommand.Provider prints */
        static const char line[] = "jpod version " JPOD_VERSION "\n";
        return write_all_fd(1, line, sizeof line - 1) < 0 ? EXIT_ENGINE : 0;
    }
    /* cobra names the program by argv[0]: a `podman` link to jpod prints podman's usage and messages */
    setenv("JPOD_PROGRAM", argv[0], 1);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "Error: cannot find jpod's own binary: %s\n", strerror(errno));
        return EXIT_ENGINE;
    }
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = 0; /* …/bin */
    slash = strrchr(self, '/');
    if (slash)
        *slash = 0; /* the distribution */
    if (strlen(self) >= sizeof dist) {
        fprintf(stderr, "Error: jpod's path %s is too long; install it in a shorter one\n", self);
        return EXIT_ENGINE;
    }
    memcpy(dist, self, strlen(self) + 1);

    /* a monitor's `container cleanup` runs as root inside jpod's user namespace: it may use a service that is
       already running (a JVM start saved on every detached container's end), but never starts one from there */
    int nested = geteuid() == 0 && in_user_namespace();
    if ((geteuid() == 0 && !nested) || !service_enabled())
        in_jvm(); /* as root the launcher refuses with the reason */
    /* an in-process command still asks a running service first: it answers help and command-line mistakes
       (ServiceRequest), and hands the command back ('f') otherwise; no service is started for one */
    int in_process_command = runs_in_process(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    char value[PATH_MAX + 32];
    snprintf(value, sizeof value, "%s", dist);
    setenv("JPOD_HOME", value, 1); /* what the launcher exports, for the command's environment */
    snprintf(value, sizeof value, "%s/libexec/jpod-helper", dist);
    setenv("JPOD_HELPER", value, 1);

    char build[PATH_MAX + 300];
    if (build_id(build, sizeof build) < 0)
        in_jvm();
    struct frames req = {0};
    add_frame(&req, 'V', build);
    for (int i = 1; i < argc; i++)
        add_frame(&req, 'a', argv[i]);
    for (char **e = environ; *e; e++)
        add_frame(&req, 'n', *e);
    char cwd[PATH_MAX];
    add_frame(&req, 'c', getcwd(cwd, sizeof cwd) ? cwd : "/");
    mode_t mask = umask(0);
    umask(mask);
    char text[16];
    snprintf(text, sizeof text, "%04o", (unsigned)mask);
    add_frame(&req, 'u', text);
    /* the caller's terminal: which of stdin, stdout, stderr is one, and its size (0 0: none or unknown) */
    struct winsize ws = {0};
    int tty = isatty(1) ? 1 : isatty(2) ? 2 : isatty(0) ? 0 : -1;
    if (tty < 0 || ioctl(tty, TIOCGWINSZ, &ws) < 0)
        ws.ws_row = ws.ws_col = 0;
    char term[64];
    snprintf(term, sizeof term, "%d %d %d %u %u", isatty(0), isatty(1), isatty(2), (unsigned)ws.ws_row, (unsigned)ws.ws_col);
    add_frame(&req, 't', term);
    snprintf(text, sizeof text, "%ld", (long)getpid());
    add_frame(&req, 'i', text); /* the service compares our cgroups with its own */
    add_frame(&req, 'g', "");
    int fd = req.failed ? -1 : open_service(!in_process_command && !nested, &req);
    free(req.data);
    if (fd < 0)
        in_jvm();
    for (;;) {
        char type, *payload;
        size_t len;
        if (read_frame(fd, &type, &payload, &len) < 0)
            service_died();
        switch (type) {
        case 'o':
            write_all_fd(1, payload, len); /* a closed stdout (| head) loses the rest, as it would */
            break;
        case 'e':
            write_all_fd(2, payload, len);
            break;
        case 'x':
            return atoi(payload);
        case 'f':
            close(fd);
            in_jvm();
        case 'p': {
            int gone = 0;
            if (run_handed_over(fd, payload, len, &gone) < 0)
                service_died();
            break;
        }
        default:
            break;
        }
        free(payload);
    }
}
