/*
 * Network extras of jpod-helper run: slirp4netns options and published ports through slirp4netns's JSON API
 * (one request per connection: {"execute":"add_hostfwd","arguments":{...}} → {"return":{"id":N}} or
 * {"error":{"desc":"..."}}). See network.h for the spec keys.
 */
#define _GNU_SOURCE
#include "network.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 4096
#define MAX_SLIRP_ARGS 16
#define API_TIMEOUT_MS 5000

struct port {
    const char *proto, *host_ip;
    unsigned host_port, guest_port;
};

static struct {
    const char *api;
    int host_loopback;
    char *slirp_args[MAX_SLIRP_ARGS];
    size_t nslirp_args;
    struct port ports[MAX_PORTS];
    size_t nports;
} net;

__attribute__((noreturn, format(printf, 1, 2))) static void spec_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("jpod-helper: run: spec: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(125);
}

static unsigned port_number(const char *s)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < 1 || v > 65535)
        spec_error("port number \"%s\" is not from 1 to 65535", s);
    return (unsigned)v;
}

/* Only what goes into the JSON request unquoted-safe: digits and dots. */
static int plain_ipv4(const char *s)
{
    return *s && strspn(s, "0123456789.") == strlen(s) && strlen(s) <= 15;
}

#define MAX_PASTA_ARGS 64
#define PASTA_READY_TIMEOUT_MS 10000
#define PASTA_EXIT_TIMEOUT_MS 5000

static struct {
    const char *bin, *dir;
    char *args[MAX_PASTA_ARGS];
    size_t nargs;
    pid_t pid;      /* the launcher, which becomes pasta by exec */
    int go_w;       /* monitor -> launcher: the netns file is ready */
    int mounted;
    int forward_only;   /* pasta_forward_only=1: only its port forwards (a user network's container has its interfaces) */
    char netns[PATH_MAX], fifo[PATH_MAX], log[PATH_MAX];
} pasta = { .pid = -1, .go_w = -1 };

int net_spec_key(const char *key, char *value)
{
    if (!strcmp(key, "pasta")) {
        pasta.bin = value;
        return 1;
    }
    if (!strcmp(key, "pasta_dir")) {
        if (value[0] != '/' || strlen(value) > PATH_MAX - 16)
            spec_error("pasta_dir=%s must be an absolute path", value);
        pasta.dir = value;
        snprintf(pasta.netns, sizeof pasta.netns, "%s/netns", value);
        snprintf(pasta.fifo, sizeof pasta.fifo, "%s/pasta.pid", value);
        snprintf(pasta.log, sizeof pasta.log, "%s/pasta.log", value);
        return 1;
    }
    if (!strcmp(key, "pasta_forward_only")) {
        pasta.forward_only = !strcmp(value, "1");
        return 1;
    }
    if (!strcmp(key, "pasta_arg")) {
        if (pasta.nargs >= MAX_PASTA_ARGS)
            spec_error("more than %d pasta_arg records", MAX_PASTA_ARGS);
        pasta.args[pasta.nargs++] = value;
        return 1;
    }
    if (!strcmp(key, "port")) {
        if (net.nports >= MAX_PORTS)
            spec_error("more than %d published ports", MAX_PORTS);
        char *f[4] = { value, NULL, NULL, NULL };
        for (int i = 1; i < 4; i++) {
            f[i] = strchr(f[i - 1], '\t');
            if (!f[i])
                spec_error("port record needs PROTO<tab>HOSTIP<tab>HOSTPORT<tab>GUESTPORT");
            *f[i]++ = '\0';
        }
        if (strcmp(f[0], "tcp") && strcmp(f[0], "udp"))
            spec_error("port protocol \"%s\" is not tcp or udp", f[0]);
        if (!plain_ipv4(f[1]))
            spec_error("port host address \"%s\" is not an IPv4 address", f[1]);
        struct port *p = &net.ports[net.nports++];
        p->proto = f[0];
        p->host_ip = f[1];
        p->host_port = port_number(f[2]);
        p->guest_port = port_number(f[3]);
        return 1;
    }
    if (!strcmp(key, "slirp_api")) {
        if (value[0] != '/' || strlen(value) >= sizeof ((struct sockaddr_un *)0)->sun_path)
            spec_error("slirp_api=%s must be an absolute path shorter than %zu bytes", value,
                       sizeof ((struct sockaddr_un *)0)->sun_path);
        net.api = value;
        return 1;
    }
    if (!strcmp(key, "slirp_host_loopback")) {
        net.host_loopback = !strcmp(value, "1");
        return 1;
    }
    if (!strcmp(key, "slirp_arg")) {
        if (strncmp(value, "--", 2) != 0)
            spec_error("slirp_arg=%s is not a --option", value);
        if (net.nslirp_args >= MAX_SLIRP_ARGS)
            spec_error("more than %d slirp_arg records", MAX_SLIRP_ARGS);
        net.slirp_args[net.nslirp_args++] = value;
        return 1;
    }
    return 0;
}

void net_slirp_args(char **argv, size_t *n, size_t max)
{
    /* The sandbox (own mount namespace, pivot_root, no capabilities) and the seccomp filter confine
       slirp4netns, which parses every packet the container sends. */
    static char sandbox[] = "--enable-sandbox", seccomp[] = "--enable-seccomp",
                noloop[] = "--disable-host-loopback", api[] = "--api-socket";
    char *add[4 + MAX_SLIRP_ARGS + 2];
    size_t k = 0;
    add[k++] = sandbox;
    add[k++] = seccomp;
    if (!net.host_loopback)
        add[k++] = noloop;
    if (net.api) {
        add[k++] = api;
        add[k++] = (char *)net.api;
    }
    for (size_t i = 0; i < net.nslirp_args; i++)
        add[k++] = net.slirp_args[i];
    for (size_t i = 0; i < k && *n < max; i++)
        argv[(*n)++] = add[i];
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* One request, the whole reply (NUL-terminated) within API_TIMEOUT_MS. -1 with a reason in why. */
static int api_call(const char *request, char *reply, size_t cap, char *why, size_t whycap)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", net.api);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(why, whycap, "socket: %s (errno %d)", strerror(errno), errno);
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        snprintf(why, whycap, "connect to the slirp4netns API socket %s: %s (errno %d)", net.api, strerror(errno), errno);
        close(fd);
        return -1;
    }
    size_t len = strlen(request), done = 0;
    while (done < len) {
        ssize_t w = send(fd, request + done, len - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            snprintf(why, whycap, "send to the slirp4netns API: %s (errno %d)", strerror(errno), errno);
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    size_t got = 0;
    long deadline = now_ms() + API_TIMEOUT_MS;
    for (;;) {
        long left = deadline - now_ms();
        struct pollfd pfd = { .fd = fd, .events = POLLIN, .revents = 0 };
        int r = left > 0 ? poll(&pfd, 1, (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(why, whycap, "no answer from the slirp4netns API within %d s", API_TIMEOUT_MS / 1000);
            close(fd);
            return -1;
        }
        ssize_t n = read(fd, reply + got, cap - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, whycap, "read from the slirp4netns API: %s (errno %d)", strerror(errno), errno);
            close(fd);
            return -1;
        }
        got += (size_t)n;
        /* slirp4netns closes after one reply; stop early once a whole JSON object is there. */
        if (n == 0 || got == cap - 1 || (got > 0 && memchr(reply, '}', got) && reply[got - 1] == '\n'))
            break;
    }
    reply[got] = '\0';
    close(fd);
    return 0;
}

int net_publish_ports(void)
{
    if (net.nports == 0)
        return 0;
    if (!net.api) {
        fprintf(stderr, "jpod-helper: publish ports: the spec has port= records but no slirp_api=\n");
        return -1;
    }
    for (size_t i = 0; i < net.nports; i++) {
        const struct port *p = &net.ports[i];
        char request[512], reply[1024], why[512];
        snprintf(request, sizeof request,
                 "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"%s\",\"host_addr\":\"%s\","
                 "\"host_port\":%u,\"guest_port\":%u}}",
                 p->proto, p->host_ip, p->host_port, p->guest_port);
        int ok = api_call(request, reply, sizeof reply, why, sizeof why) == 0;
        if (ok && !strstr(reply, "\"return\"")) {
            ok = 0;
            const char *desc = strstr(reply, "\"desc\"");
            snprintf(why, sizeof why, "slirp4netns refused it: %.400s", desc ? desc : reply);
            why[strcspn(why, "\n")] = '\0';
        }
        if (!ok) {
            fprintf(stderr, "jpod-helper: publish port %s:%u -> %u/%s: %s\n", p->host_ip, p->host_port,
                    p->guest_port, p->proto, why);
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- pasta */

/* pasta cannot open /proc/PID/ns/net of the container (it drops the capabilities that ptrace-access to a process
   with full capabilities needs), so the monitor binds the container's netns to a file and pasta joins that file
   (--netns PATH --netns-only). It runs in the foreground (-f) as our child with a parent-death signal, so it never
   outlives the monitor; readiness comes through its pid file, which is a FIFO the monitor polls. */
void net_pasta_fork(void)
{
    if (!pasta.bin)
        return;
    if (!pasta.dir) {
        fprintf(stderr, "jpod-helper: run: spec: pasta= needs pasta_dir=\n");
        exit(125);
    }
    int go[2];
    if (pipe2(go, O_CLOEXEC) < 0) {
        fprintf(stderr, "jpod-helper: pipe for pasta: %s (errno %d)\n", strerror(errno), errno);
        exit(125);
    }
    pid_t monitor = getpid();
    pasta.pid = fork();
    if (pasta.pid < 0) {
        fprintf(stderr, "jpod-helper: fork pasta: %s (errno %d)\n", strerror(errno), errno);
        exit(125);
    }
    if (pasta.pid == 0) {
        close(go[1]);
        char c;
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != monitor)
            _exit(0);
        ssize_t n;
        while ((n = read(go[0], &c, 1)) < 0 && errno == EINTR)
            ;
        if (n != 1)
            _exit(0);   /* the container never got that far */
        setsid();       /* terminal signals are the container's */
        int in = open("/dev/null", O_RDONLY);
        int log = open(pasta.log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || log < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
            _exit(125);
        char *argv[MAX_PASTA_ARGS + 16];
        size_t k = 0;
        static char f[] = "-f", cfg[] = "--config-net", runas[] = "--runas", root[] = "0", pidopt[] = "-P",
                    netns[] = "--netns", only[] = "--netns-only";
        argv[k++] = (char *)pasta.bin;
        argv[k++] = f;
        if (!pasta.forward_only)
            argv[k++] = cfg;
        argv[k++] = runas;   /* stay the user namespace's root: dropping to nobody loses the netns */
        argv[k++] = root;
        for (size_t i = 0; i < pasta.nargs; i++)
            argv[k++] = pasta.args[i];
        argv[k++] = pidopt;
        argv[k++] = pasta.fifo;
        argv[k++] = netns;
        argv[k++] = pasta.netns;
        argv[k++] = only;
        argv[k] = NULL;
        execvp(pasta.bin, argv);
        dprintf(2, "exec %s: %s (errno %d)\n", pasta.bin, strerror(errno), errno);
        _exit(127);
    }
    close(go[0]);
    pasta.go_w = go[1];
}

/* The last line pasta logged, for an error message. */
static void pasta_last_log_line(char *buf, size_t cap)
{
    buf[0] = '\0';
    int fd = open(pasta.log, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char data[4096];
    ssize_t n = read(fd, data, sizeof data - 1);
    close(fd);
    if (n <= 0)
        return;
    data[n] = '\0';
    while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == ' '))
        data[--n] = '\0';
    char *line = strrchr(data, '\n');
    const char *from = line ? line + 1 : data;
    size_t len = strlen(from) < cap - 1 ? strlen(from) : cap - 1;
    memcpy(buf, from, len);
    buf[len] = '\0';
}

int net_pasta_start(int child_pid)
{
    if (!pasta.bin)
        return 0;
    char src[64], why[600] = "", last[512];
    snprintf(src, sizeof src, "/proc/%d/ns/net", child_pid);
    unlink(pasta.fifo);
    int fd = open(pasta.netns, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || close(fd) < 0 || mount(src, pasta.netns, NULL, MS_BIND, NULL) < 0) {
        fprintf(stderr, "jpod-helper: bind the container's network namespace to %s: %s (errno %d)\n", pasta.netns,
                strerror(errno), errno);
        return -1;
    }
    pasta.mounted = 1;
    if (mkfifo(pasta.fifo, 0600) < 0 || (fd = open(pasta.fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
        fprintf(stderr, "jpod-helper: create pasta's pid FIFO %s: %s (errno %d)\n", pasta.fifo, strerror(errno), errno);
        return -1;
    }
    int pidfd = -1;
#ifdef SYS_pidfd_open
    pidfd = (int)syscall(SYS_pidfd_open, pasta.pid, 0);
#endif
    if (write(pasta.go_w, "g", 1) != 1) {
        fprintf(stderr, "jpod-helper: start pasta: %s (errno %d)\n", strerror(errno), errno);
        close(fd);
        return -1;
    }
    close(pasta.go_w);
    pasta.go_w = -1;
    long deadline = now_ms() + PASTA_READY_TIMEOUT_MS;
    int ready = 0;
    while (!ready && !why[0]) {
        long left = deadline - now_ms();
        struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN, .revents = 0 }, { .fd = pidfd, .events = POLLIN, .revents = 0 } };
        int r = left > 0 ? poll(pfd, pidfd >= 0 ? 2 : 1, (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(why, sizeof why, "pasta did not become ready within %d s", PASTA_READY_TIMEOUT_MS / 1000);
        } else if (pfd[0].revents & POLLIN) {
            char buf[32];
            ready = read(fd, buf, sizeof buf) > 0;
        } else if (pfd[1].revents & POLLIN) {
            int status = 0;
            waitpid(pasta.pid, &status, 0);
            pasta.pid = -1;
            pasta_last_log_line(last, sizeof last);
            snprintf(why, sizeof why, "pasta exited with status %d before it was ready: %s",
                     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), last);
        }
    }
    close(fd);
    if (pidfd >= 0)
        close(pidfd);
    if (!ready) {
        fprintf(stderr, "jpod-helper: %s\n", why);
        return -1;
    }
    return 0;
}

void net_pasta_stop(void)
{
    if (pasta.go_w >= 0) {
        close(pasta.go_w);   /* a launcher still waiting exits on EOF */
        pasta.go_w = -1;
    }
    if (pasta.pid > 0) {
        kill(pasta.pid, SIGTERM);
        int done = 0;
#ifdef SYS_pidfd_open
        int pidfd = (int)syscall(SYS_pidfd_open, pasta.pid, 0);
        if (pidfd >= 0) {
            struct pollfd pfd = { .fd = pidfd, .events = POLLIN, .revents = 0 };
            while (poll(&pfd, 1, PASTA_EXIT_TIMEOUT_MS) < 0 && errno == EINTR)
                ;
            done = (pfd.revents & POLLIN) != 0;
            close(pidfd);
        }
#endif
        if (!done)
            kill(pasta.pid, SIGKILL);
        while (waitpid(pasta.pid, NULL, 0) < 0 && errno == EINTR)
            ;
        pasta.pid = -1;
    }
    if (pasta.mounted) {
        umount2(pasta.netns, MNT_DETACH);
        pasta.mounted = 0;
    }
    if (pasta.bin && pasta.dir) {
        unlink(pasta.netns);
        unlink(pasta.fifo);
    }
}
