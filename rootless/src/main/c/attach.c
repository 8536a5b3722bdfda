/*
 * `jpod attach` without a resident JVM: the monitor listens on a unix socket per container and relays the
 * container's output to every connected client and their input to the container's stdin (the pipe of a
 * detached -i container, or the pty master of -t); the client (`jpod-helper attach`) puts the caller's
 * terminal in raw mode for -t, watches for the detach keys, forwards signals to the container (--sig-proxy)
 * and exits with the container's status. The frame format is in attach.h. Poll-based, no threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

#include "attach.h"
#include "lifecycle.h"

#define MAX_CLIENTS 8
#define FRAME_HEADER 5
#define SEND_DEADLINE_MS 2000   /* a client that takes longer for one frame of output is dropped */

static struct {
    int listen_fd;
    int clients[MAX_CLIENTS];
    int in_fd;                              /* the container's stdin (pipe or pty master), -1: none */
    int master;                             /* -t: the pty master, for window sizes */
    int close_in;                           /* a client said its stdin ended: close in_fd once drained */
    char pending[ATT_MAX_PAYLOAD];          /* input the container has not taken yet */
    size_t pending_len, pending_off;
    char path[4096];
    /* a client's frame as far as it has arrived: clients are read without blocking, so one that sends half a
       frame and stalls (or sends a byte at a time) never holds up the container's output or its exit */
    unsigned char frame[MAX_CLIENTS][FRAME_HEADER + ATT_MAX_PAYLOAD];
    size_t have[MAX_CLIENTS];
} at = { .listen_fd = -1, .in_fd = -1, .master = -1 };

/* Splits path into its directory (with the slash) and the socket's name. */
static void split_path(const char *path, char *dir, size_t dirlen, const char **name)
{
    const char *slash = strrchr(path, '/');
    if (!slash || (size_t)(slash - path) + 1 >= dirlen)
        fail("attach socket path %s is not absolute or too long", path);
    memcpy(dir, path, (size_t)(slash - path) + 1);
    dir[slash - path + 1] = '\0';
    *name = slash + 1;
    if (strlen(*name) >= sizeof ((struct sockaddr_un *)0)->sun_path)
        fail("attach socket name %s is too long", *name);
}

void att_listen(const char *path)
{
    char dir[4096];
    const char *name;
    split_path(path, dir, sizeof dir, &name);
    snprintf(at.path, sizeof at.path, "%s", path);
    for (int i = 0; i < MAX_CLIENTS; i++)
        at.clients[i] = -1;
    int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cwd < 0)
        die("attach socket: open the working directory");
    if (chdir(dir) < 0)
        die("attach socket: chdir %s", dir);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        die("attach socket: socket");
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", name);
    if (unlink(name) < 0 && errno != ENOENT)
        die("attach socket: remove the old %s", path);
    mode_t old = umask(0177);   /* 0600: only the user (inside: root of the user namespace) may attach */
    int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (r < 0)
        die("attach socket: bind %s", path);
    if (listen(fd, MAX_CLIENTS) < 0)
        die("attach socket: listen");
    if (fchdir(cwd) < 0)
        die("attach socket: back to the working directory");
    close(cwd);
    at.listen_fd = fd;
}

void att_set_input(int fd, int master)
{
    at.in_fd = fd;
    at.master = master;
    if (fd >= 0) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
            die("attach: make the container's stdin non-blocking");
    }
}

static void drop(int i)
{
    close(at.clients[i]);
    at.clients[i] = -1;
    at.have[i] = 0;
}

static void accept_client(void)
{
    int fd = accept4(at.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return;   /* EAGAIN, or the client gave up: nothing to do */
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (at.clients[i] < 0) {
            at.clients[i] = fd;
            at.have[i] = 0;
            return;
        }
    close(fd);    /* full: the client sees EOF at once */
}

static void close_input(void)
{
    if (at.in_fd >= 0 && at.in_fd != at.master)
        close(at.in_fd);
    at.in_fd = -1;
    at.pending_len = at.pending_off = 0;
}

/* Writes what the container takes now; the rest waits in pending (clients are not read meanwhile). */
static void flush_input(void)
{
    while (at.pending_off < at.pending_len) {
        ssize_t n = write(at.in_fd, at.pending + at.pending_off, at.pending_len - at.pending_off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0) {   /* EPIPE: the container closed its stdin */
            close_input();
            return;
        }
        at.pending_off += (size_t)n;
    }
    at.pending_len = at.pending_off = 0;
    if (at.close_in && at.in_fd != at.master)
        close_input();
}

static void handle_frame(unsigned char type, const char *buf, uint32_t len)
{
    if (type == 'i' && at.in_fd >= 0) {
        memcpy(at.pending, buf, len);
        at.pending_len = len;
        at.pending_off = 0;
        flush_input();
    } else if (type == 'c' && at.in_fd >= 0) {
        at.close_in = 1;   /* stdin ends after what is pending; a pty keeps its master (no EOF to send) */
        flush_input();
    } else if (type == 'w' && at.master >= 0 && len == 2 * sizeof(unsigned short)) {
        struct winsize ws;
        memset(&ws, 0, sizeof ws);
        memcpy(&ws.ws_row, buf, sizeof ws.ws_row);
        memcpy(&ws.ws_col, buf + sizeof ws.ws_row, sizeof ws.ws_col);
        if (ws.ws_row > 0 && ws.ws_col > 0)
            ioctl(at.master, TIOCSWINSZ, &ws);
    }
}

/* Reads what client i has sent (the socket is non-blocking); acts on its frame once it is complete. The header is
   read on its own, so a read never takes bytes of the next frame. */
static void client_readable(int i)
{
    if (at.pending_len)   /* another client's input came first in this round: this one waits */
        return;
    unsigned char *f = at.frame[i];
    uint32_t len = 0;
    if (at.have[i] >= FRAME_HEADER)
        memcpy(&len, f + 1, sizeof len);
    size_t want = at.have[i] < FRAME_HEADER ? FRAME_HEADER : FRAME_HEADER + len;
    ssize_t n = read(at.clients[i], f + at.have[i], want - at.have[i]);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        drop(i);   /* EOF: the client detached or died; the container's stdin stays open */
        return;
    }
    at.have[i] += (size_t)n;
    if (at.have[i] < FRAME_HEADER)
        return;
    memcpy(&len, f + 1, sizeof len);
    if (len > ATT_MAX_PAYLOAD) {
        drop(i);
        return;
    }
    if (at.have[i] < FRAME_HEADER + len)
        return;
    at.have[i] = 0;
    handle_frame(f[0], (const char *)f + FRAME_HEADER, len);
}

int att_fill(struct pollfd *p, int max)
{
    int n = 0;
    if (at.listen_fd < 0)
        return 0;
    if (n < max)
        p[n++] = (struct pollfd){ at.listen_fd, POLLIN, 0 };
    for (int i = 0; i < MAX_CLIENTS && n < max && !at.pending_len; i++)
        if (at.clients[i] >= 0)   /* clients are not polled while input is pending: the container sets the pace */
            p[n++] = (struct pollfd){ at.clients[i], POLLIN, 0 };
    if (at.pending_len && at.in_fd >= 0 && n < max)
        p[n++] = (struct pollfd){ at.in_fd, POLLOUT, 0 };
    return n;
}

void att_handle(struct pollfd *p, int n)
{
    for (int k = 0; k < n; k++) {
        if (!p[k].revents)
            continue;
        if (p[k].fd == at.listen_fd) {
            accept_client();
            continue;
        }
        if (p[k].fd == at.in_fd && (p[k].events & POLLOUT)) {
            if (p[k].revents & (POLLERR | POLLHUP))
                close_input();
            else
                flush_input();
            continue;
        }
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (at.clients[i] == p[k].fd) {
                client_readable(i);
                break;
            }
    }
}

/* The client's side (blocking). */
static int send_frame(int fd, char type, const void *buf, size_t len)
{
    unsigned char h[5];
    uint32_t l = (uint32_t)len;
    h[0] = (unsigned char)type;
    memcpy(h + 1, &l, sizeof l);
    if (write_all(fd, h, sizeof h) < 0)
        return -1;
    return write_all(fd, buf, len);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The monitor's side: one whole frame to a (non-blocking) client within SEND_DEADLINE_MS in all, so a client that
   reads slowly costs the container that long once, then it is dropped. */
static int send_frame_bounded(int fd, char type, const void *buf, size_t len)
{
    unsigned char h[FRAME_HEADER];
    uint32_t l = (uint32_t)len;
    h[0] = (unsigned char)type;
    memcpy(h + 1, &l, sizeof l);
    struct iovec iov[2] = { { h, sizeof h }, { (void *)buf, len } };
    struct msghdr msg = { 0 };
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    long long deadline = now_ms() + SEND_DEADLINE_MS;
    while (msg.msg_iovlen > 0) {
        ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            long long left = deadline - now_ms();
            struct pollfd p = { fd, POLLOUT, 0 };
            if (left <= 0 || (poll(&p, 1, (int)left) < 0 && errno != EINTR))
                return -1;
            continue;
        }
        if (n < 0)
            return -1;
        while (msg.msg_iovlen > 0 && (size_t)n >= msg.msg_iov[0].iov_len) {
            n -= (ssize_t)msg.msg_iov[0].iov_len;
            msg.msg_iov++;
            msg.msg_iovlen--;
        }
        if (msg.msg_iovlen > 0) {
            msg.msg_iov[0].iov_base = (char *)msg.msg_iov[0].iov_base + n;
            msg.msg_iov[0].iov_len -= (size_t)n;
        }
    }
    return 0;
}

void att_output(const char *stream, const char *buf, size_t len)
{
    char type = stream[3] == 'o' ? 'o' : 'e';   /* "stdout" / "stderr" */
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (at.clients[i] >= 0 && send_frame_bounded(at.clients[i], type, buf, len) < 0)
            drop(i);   /* gone or stuck: the container must not wait for it */
}

void att_wait_first(int timeout_ms)
{
    if (at.listen_fd < 0)
        return;
    struct pollfd p = { at.listen_fd, POLLIN, 0 };
    int r;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r > 0)
        accept_client();
}

void att_finish(int code)
{
    if (at.listen_fd < 0)
        return;
    close(at.listen_fd);
    at.listen_fd = -1;
    unlink(at.path);
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (at.clients[i] >= 0) {
            send_frame_bounded(at.clients[i], 'x', &code, sizeof code);
            drop(i);
        }
    close_input();
}

/* ---------------------------------------------------------------- the client: jpod-helper attach */

static volatile sig_atomic_t got_winch;
static volatile pid_t proxy_pid;

static void on_winch(int sig)
{
    (void)sig;
    got_winch = 1;
}

static void on_proxy(int sig)
{
    int saved = errno;
    if (proxy_pid > 0)
        kill(proxy_pid, sig);
    errno = saved;
}

static void send_winsize(int sock, int tty)
{
    struct winsize ws;
    if (ioctl(tty, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0)
        return;
    unsigned short v[2] = { ws.ws_row, ws.ws_col };
    send_frame(sock, 'w', v, sizeof v);
}

static int parse_keys(const char *s, unsigned char *keys, int max)
{
    int n = 0;
    if (!strcmp(s, "-"))
        return 0;
    for (char *end; *s; s = *end == ',' ? end + 1 : end) {
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v > 255 || n == max || (*end && *end != ','))
            fail("attach: bad detach keys %s (decimal bytes, comma-separated)", s);
        keys[n++] = (unsigned char)v;
    }
    return n;
}

int cmd_attach(int argc, char **argv)
{
    if (argc != 7)
        fail("usage: jpod-helper attach SOCKET TTY(0|1) STDIN(0|1) DETACHKEYS SIGPID");
    int tty = !strcmp(argv[3], "1");
    int use_stdin = !strcmp(argv[4], "1");
    unsigned char keys[16];
    int nkeys = parse_keys(argv[5], keys, (int)sizeof keys), matched = 0;
    proxy_pid = (pid_t)parse_number("sigpid", argv[6], 1UL << 22);

    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);   /* never outlive the jpod that started us */
    signal(SIGPIPE, SIG_IGN);
    char dir[4096];
    const char *name;
    split_path(argv[2], dir, sizeof dir, &name);
    if (chdir(dir) < 0)
        die("attach: chdir %s", dir);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        die("attach: socket");
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", name);
    if (connect(sock, (struct sockaddr *)&sa, sizeof sa) < 0)
        die("attach: connect to %s", argv[2]);

    /* Without -t, jpod (the JVM) gets the terminal's signals and passes them to us (--sig-proxy), so we
       leave its session and are signalled once; with -t the terminal is raw and only SIGWINCH matters. */
    if (!tty)
        setsid();
    struct sigaction sa_sig;
    memset(&sa_sig, 0, sizeof sa_sig);
    sa_sig.sa_handler = on_proxy;
    sa_sig.sa_flags = SA_RESTART;
    if (proxy_pid > 0) {
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            sigaction(sigs[i], &sa_sig, NULL);
    }
    sigset_t block, wait_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGWINCH);
    sigprocmask(SIG_BLOCK, &block, &wait_mask);
    sigdelset(&wait_mask, SIGWINCH);
    int term = tty && isatty(0) ? 0 : tty && isatty(1) ? 1 : -1;
    if (term >= 0) {
        sa_sig.sa_handler = on_winch;
        sigaction(SIGWINCH, &sa_sig, NULL);
        if (use_stdin && term == 0)
            pty_raw_mode(0);   /* restored at exit */
        send_winsize(sock, term);
    }

    int in = use_stdin ? 0 : -1;
    for (;;) {
        struct pollfd p[2] = { { sock, POLLIN, 0 }, { in, POLLIN, 0 } };
        int r = ppoll(p, 2, NULL, &wait_mask);
        if (got_winch) {
            got_winch = 0;
            send_winsize(sock, term);
        }
        if (r < 0) {
            if (errno == EINTR)
                continue;
            die("attach: poll");
        }
        if (p[0].revents) {
            unsigned char h[5];
            char buf[ATT_MAX_PAYLOAD];
            uint32_t len;
            if (read_full(sock, h, sizeof h) != (ssize_t)sizeof h)
                exit(255);   /* no status: jpod reads it from the container's state */
            memcpy(&len, h + 1, sizeof len);
            if (len > sizeof buf || read_full(sock, buf, len) != (ssize_t)len)
                exit(255);
            if (h[0] == 'o')
                write_all(1, buf, len);
            else if (h[0] == 'e')
                write_all(2, buf, len);
            else if (h[0] == 'x' && len == sizeof(int)) {
                int code;
                memcpy(&code, buf, sizeof code);
                exit(code & 0xff);
            }
        }
        if (in >= 0 && p[1].revents) {
            char buf[4096], out[4096 + sizeof keys];
            size_t o = 0;
            ssize_t n = read(in, buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {   /* our stdin ended: so does the container's (a pipe; a pty stays) */
                send_frame(sock, 'c', "", 0);
                in = -1;
                continue;
            }
            for (ssize_t k = 0; k < n; k++) {
                unsigned char b = (unsigned char)buf[k];
                if (nkeys && b == keys[matched]) {
                    if (++matched == nkeys) {   /* detach: the container goes on */
                        if (o)
                            send_frame(sock, 'i', out, o);
                        exit(0);
                    }
                    continue;
                }
                if (matched) {   /* a false start: its bytes are input after all */
                    memcpy(out + o, keys, (size_t)matched);
                    o += (size_t)matched;
                    matched = 0;
                    if (nkeys && b == keys[0]) {
                        matched = 1;
                        continue;
                    }
                }
                out[o++] = (char)b;
            }
            if (o && send_frame(sock, 'i', out, o) < 0)
                exit(255);
        }
    }
}
