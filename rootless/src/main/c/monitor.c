/*
 * The container monitor's lifecycle: -d (a daemon that outlives the caller), the container's stdio (pipes or
 * a pty, relayed to the caller and into the k8s-file log), --init (the helper stays PID 1), the exit command
 * run when the container has ended (jpod's teardown), and the `signal` mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "lifecycle.h"

#define DEFAULT_LOG_MAX (16LL * 1024 * 1024)

static struct {
    int detach, tty, interactive, init;
    const char *logfile, *monitorpidfile, *attachsock;
    const char *exitcmdskip;               /* if this file exists at the end, a caller (jpod stop) tears down */
    int attachwait;                        /* start -a -i: relay nothing before the first attacher */
    long long logmax;
    unsigned long timeout;                 /* --timeout: seconds until the monitor kills the container (0: none) */
    char **exitcmd;
    size_t nexitcmd;
    int status_w;                          /* -d: to the caller waiting for "started" */
    int exit_w;                            /* to the exit command's launcher: 'x' run it, 'n' do not */
    pid_t exit_pid;
    int out[2], err[2];                    /* the container's stdout and stderr (no -t) */
    int in[2];                             /* -d -i without -t: the container's stdin, fed by attachers */
    int console[2];                        /* -t: the child sends the pty master here */
    struct winsize ws;                     /* -t: the caller's window size when the container started */
    int have_ws;
} lc = { .logmax = DEFAULT_LOG_MAX, .status_w = -1, .exit_w = -1, .out = { -1, -1 }, .err = { -1, -1 }, .in = { -1, -1 }, .console = { -1, -1 } };

static int flag(const char *key, const char *value)
{
    if (!strcmp(value, "1") || !strcmp(value, "true"))
        return 1;
    if (!strcmp(value, "0") || !strcmp(value, "false"))
        return 0;
    fail("run: spec: %s=%s is not a boolean (1 or 0)", key, value);
}

int lc_spec_key(const char *key, const char *value)
{
    if (!strcmp(key, "detach")) lc.detach = flag(key, value);
    else if (!strcmp(key, "tty")) lc.tty = flag(key, value);
    else if (!strcmp(key, "interactive")) lc.interactive = flag(key, value);
    else if (!strcmp(key, "init")) lc.init = flag(key, value);
    else if (!strcmp(key, "logfile")) lc.logfile = value;
    else if (!strcmp(key, "logmax")) lc.logmax = (long long)parse_number(key, value, 1UL << 40);
    else if (!strcmp(key, "monitorpidfile")) lc.monitorpidfile = value;
    else if (!strcmp(key, "attachsock")) lc.attachsock = value;
    else if (!strcmp(key, "attachwait")) lc.attachwait = flag(key, value);
    else if (!strcmp(key, "timeout")) lc.timeout = parse_number(key, value, 1UL << 31);
    else if (!strcmp(key, "exitcmdskip")) lc.exitcmdskip = value;
    else if (!strcmp(key, "exitcmd")) {
        char **n = realloc(lc.exitcmd, (lc.nexitcmd + 2) * sizeof *n);
        if (!n)
            die("parse spec");
        lc.exitcmd = n;
        lc.exitcmd[lc.nexitcmd++] = (char *)value;
        lc.exitcmd[lc.nexitcmd] = NULL;
    } else
        return 0;
    return 1;
}

static void xpipe2(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        die("pipe");
}

static void closefd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The exit command must not be started by the monitor itself: after unshare(CLONE_NEWPID) every fork of the
   monitor lands in the container's PID namespace, which is dead by then (fork fails with ENOMEM). So a
   launcher is forked first; it waits on a pipe and runs the command when told, or when the monitor dies
   without a word (a killed monitor still gets its container torn down). */
static void exit_launcher_fork(void)
{
    int p[2];
    xpipe2(p);
    char monitor[32];   /* tells the exit command which run it tears down (a later start may own the container) */
    snprintf(monitor, sizeof monitor, "%d", (int)getpid());
    lc.exit_pid = fork();
    if (lc.exit_pid < 0)
        die("fork the exit command launcher");
    if (lc.exit_pid == 0) {
        prctl(PR_SET_NAME, "jpod-exitcmd", 0, 0, 0);
        if (setenv("JPOD_MONITOR_PID", monitor, 1) < 0)
            die("setenv JPOD_MONITOR_PID");
        redirect_stdio_to_null();   /* never hold the caller's stdout or stderr */
        close_fds(p[0]);
        char c = 0;
        ssize_t n;
        do
            n = read(p[0], &c, 1);
        while (n < 0 && errno == EINTR);
        if (n == 1 && c == 'n')
            _exit(0);
        execv(lc.exitcmd[0], lc.exitcmd);
        _exit(127);
    }
    close(p[0]);
    lc.exit_w = p[1];
}

void lc_begin(void)
{
    if (lc.detach) {
        int p[2];
        xpipe2(p);
        pid_t pid = fork();
        if (pid < 0)
            die("fork the monitor");
        if (pid > 0) {
            /* The caller's side: wait for the container to start (0) or fail (its status). */
            close(p[1]);
            int code, st;
            ssize_t n = read_full(p[0], &code, sizeof code);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
            exit(n == (ssize_t)sizeof code ? code : 125);   /* no word: the monitor printed why */
        }
        close(p[0]);
        if (setsid() < 0)   /* no terminal: ^C and hangups of the caller's session do not reach us */
            die("setsid");
        pid = fork();       /* not a session leader: can never acquire a terminal by accident */
        if (pid < 0)
            die("fork the monitor");
        if (pid > 0)
            _exit(0);
        lc.status_w = p[1];
        if (chdir("/") < 0)
            die("chdir /");
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0)
            die("stdin from /dev/null");
        close(null);
        prctl(PR_SET_NAME, "jpod-monitor", 0, 0, 0);
    }
    /* Foreground without -t: off the terminal's process group, so ^C reaches the container once, through
       jpod (which forwards it to us), as podman's signal proxy does. With -t the terminal sends no ^C
       (raw mode) and we must stay in the foreground group to get SIGWINCH. */
    if (!lc.detach && !lc.tty && setsid() < 0)
        die("setsid");
    if (lc.nexitcmd)
        exit_launcher_fork();
    if (lc.monitorpidfile) {
        char content[32];
        snprintf(content, sizeof content, "%d\n", (int)getpid());
        if (write_file_atomic(lc.monitorpidfile, content) < 0)
            die("write monitor pid file %s", lc.monitorpidfile);
    }
}

void lc_prepare(void)
{
    if (lc.attachsock)
        att_listen(lc.attachsock);
    if (lc.detach && lc.interactive && !lc.tty)
        xpipe2(lc.in);
    if (lc.tty) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, lc.console) < 0)
            die("console socket");
        lc.have_ws = !lc.detach && ioctl(0, TIOCGWINSZ, &lc.ws) == 0 && lc.ws.ws_row > 0;
    } else {
        xpipe2(lc.out);
        xpipe2(lc.err);
    }
}

void lc_child_stdio(void)
{
    if (lc.in[0] >= 0) {
        if (dup2(lc.in[0], 0) < 0)
            die("container stdin");
        closefd(&lc.in[0]);
        closefd(&lc.in[1]);
    } else if (!lc.interactive || lc.detach) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0)
            die("stdin from /dev/null");
        close(null);
    }
    if (lc.tty) {
        closefd(&lc.console[0]);
        return;
    }
    if (dup2(lc.out[1], 1) < 0 || dup2(lc.err[1], 2) < 0)
        die("container stdout and stderr");
    closefd(&lc.out[0]);
    closefd(&lc.out[1]);
    closefd(&lc.err[0]);
    closefd(&lc.err[1]);
}

void lc_child_after_pivot(uid_t uid, gid_t gid)
{
    if (!lc.tty)
        return;
    int slave, master = pty_open(&slave, uid, gid);
    if (lc.have_ws)
        ioctl(master, TIOCSWINSZ, &lc.ws);
    if (pty_send_fd(lc.console[1], master) < 0)
        die("send the pty to the monitor");
    close(master);
    closefd(&lc.console[1]);
    pty_make_controlling(slave);
}

/* ---- --init: the helper as the container's PID 1 */

static volatile sig_atomic_t init_child;

static void init_forward(int sig)
{
    int saved = errno;
    if (init_child > 0)
        kill((pid_t)init_child, sig);
    errno = saved;
}

void lc_child_before_exec(void)
{
    if (!lc.init)
        return;
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);   /* handlers in place before a signal can find the child */
    pid_t pid = fork();
    if (pid < 0)
        die("fork the command under --init");
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return;   /* goes on to exec the command; exec failures still reach the monitor */
    }
    init_child = pid;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = init_forward;
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    prctl(PR_SET_NAME, "jpod-init", 0, 0, 0);
    close_fds(-1);   /* the report pipe too: the command's exec closes the last copy */
    report_fd = -1;
    sigprocmask(SIG_SETMASK, &old, NULL);
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, 0);   /* reaps every orphan of the container */
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            _exit(125);
        if (w == pid)
            _exit(status_code(st));
    }
}

/* ---- the monitor's relay */

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
    (void)sig;
    winch = 1;
}

/* Copies one chunk; returns 0 at EOF (or EIO: the pty's last slave closed), 1 otherwise. */
static int pump(int from, int to, struct logfile *log, const char *stream)
{
    char buf[16384];
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    if (n <= 0)
        return 0;
    if (to >= 0)
        write_all(to, buf, (size_t)n);   /* a gone reader must not stop the container: ignore */
    log_write(log, stream, buf, (size_t)n);
    att_output(stream, buf, (size_t)n);
    return 1;
}

void lc_relay(int outfd, int errfd, int master, int in, struct logfile *log)
{
    sigset_t block, wait_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGWINCH);
    if (master >= 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_winch;
        sigaction(SIGWINCH, &sa, NULL);
        sigprocmask(SIG_BLOCK, &block, &wait_mask);
        sigdelset(&wait_mask, SIGWINCH);
    } else {
        sigprocmask(SIG_SETMASK, NULL, &wait_mask);
    }
    int src_out = master >= 0 ? master : outfd;
    while (src_out >= 0 || errfd >= 0) {
        struct pollfd p[16] = {
            { src_out, POLLIN, 0 }, { errfd, POLLIN, 0 }, { in, POLLIN, 0 },
        };
        int na = att_fill(p + 3, 13);
        int r = ppoll(p, (nfds_t)(3 + na), NULL, &wait_mask);
        if (winch && master >= 0) {
            winch = 0;
            pty_copy_winsize(0, master);
        }
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        att_handle(p + 3, na);
        if (p[0].revents && !pump(src_out, 1, log, "stdout")) {
            if (src_out != master)
                close(src_out);
            src_out = -1;
        }
        if (p[1].revents && !pump(errfd, 2, log, "stderr")) {
            close(errfd);
            errfd = -1;
        }
        if (p[2].revents) {
            char buf[4096];
            ssize_t n = read(in, buf, sizeof buf);
            if (n > 0 && master >= 0)
                write_all(master, buf, (size_t)n);
            else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                in = -1;   /* caller's stdin ended; the container keeps running */
        }
    }
    if (master >= 0)
        sigprocmask(SIG_UNBLOCK, &block, NULL);
}

/* -t -i with a stdin that is no terminal: podman's warning, logrus-shaped as jpod's Java warnings */
static void warn_not_a_tty(void)
{
    char now[32] = "";
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "time=\"%s\" level=warning msg=\"The input device is not a TTY. The --tty and --interactive flags"
            " might not work properly\"\n", now);
}

static volatile sig_atomic_t timed_out;
static volatile pid_t timeout_child;

/* --timeout's SIGALRM: the container's init (and with it its PID namespace) is killed */
static void on_timeout(int sig)
{
    (void)sig;
    int saved = errno;
    timed_out = 1;
    if (timeout_child > 0)
        kill(timeout_child, SIGKILL);
    errno = saved;
}

int lc_supervise(pid_t child, int started)
{
    if (started && lc.timeout > 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_timeout;
        timeout_child = child;
        sigaction(SIGALRM, &sa, NULL);
        alarm((unsigned)lc.timeout);
    }
    closefd(&lc.out[1]);
    closefd(&lc.err[1]);
    closefd(&lc.console[1]);
    closefd(&lc.in[0]);
    if (started && lc.detach && lc.status_w >= 0) {
        int zero = 0;
        write_all(lc.status_w, &zero, sizeof zero);
        closefd(&lc.status_w);
        redirect_stdio_to_null();   /* the caller may read our stdout/stderr to EOF */
    }
    if (started) {
        struct logfile *log = lc.logfile ? log_open(lc.logfile, lc.logmax) : NULL;
        if (lc.attachwait)
            att_wait_first(60000);   /* bounded: a caller that died must not hold the container forever */
        if (lc.tty) {
            if (!lc.detach && lc.interactive && !isatty(0))
                warn_not_a_tty();
            int master = pty_recv_fd(lc.console[0]);
            closefd(&lc.console[0]);
            if (master >= 0) {
                int in = -1;
                if (lc.detach)   /* attachers type into the pty and resize it */
                    att_set_input(lc.interactive ? master : -1, master);
                if (!lc.detach && isatty(0)) {
                    pty_raw_mode(0);
                    pty_copy_winsize(0, master);
                }
                if (!lc.detach && lc.interactive)
                    in = 0;
                lc_relay(-1, -1, master, in, log);
                pty_restore_mode();
                close(master);
            }
        } else {
            if (lc.in[1] >= 0) {
                att_set_input(lc.in[1], -1);   /* its owner now: closes it at EOF, EPIPE or att_finish */
                lc.in[1] = -1;
            }
            lc_relay(lc.out[0], lc.err[0], -1, -1, log);
            lc.out[0] = lc.err[0] = -1;
        }
        log_close(log);
    }
    closefd(&lc.out[0]);
    closefd(&lc.err[0]);
    closefd(&lc.console[0]);
    int st;
    while (waitpid(child, &st, 0) < 0)
        if (errno != EINTR)
            die("wait for process %d", (int)child);
    alarm(0);
    return timed_out ? -1 : status_code(st);   /* -1: podman's exit code of a container its --timeout ended */
}

void lc_end(int code, int started)
{
    att_finish(code);   /* attachers exit with the status now, before the teardown */
    closefd(&lc.in[1]);
    if (lc.status_w >= 0) {   /* -d and the container never started: the caller exits with our status */
        write_all(lc.status_w, &code, sizeof code);
        closefd(&lc.status_w);
    }
    if (lc.exit_w < 0)
        return;
    /* The monitor waits for the teardown: while it lives, "monitor alive" means "not yet torn down" to
       whoever looks. A failed start is torn down by the caller instead. */
    int claimed = lc.exitcmdskip && access(lc.exitcmdskip, F_OK) == 0;   /* no JVM start for nothing */
    write_all(lc.exit_w, started && !claimed ? "x" : "n", 1);
    closefd(&lc.exit_w);
    int st;
    while (waitpid(lc.exit_pid, &st, 0) < 0 && errno == EINTR)
        ;
}

/* ---- jpod-helper signal PID SIGNUM [PARENTPID PARENTSTART]
   With the parent given (the container's monitor and its start time), the signal goes only to the process that is
   still that monitor's child: a pidfd is taken first, /proc is checked while the pidfd shows it alive, and the
   signal is sent through the pidfd, so a pid reused since the record was written is never signalled. */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434            /* the same number on every architecture */
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int cmd_signal(int argc, char **argv)
{
    if (argc != 4 && argc != 6)
        fail("usage: jpod-helper signal PID SIGNUM [PARENTPID PARENTSTART]");
    pid_t pid = (pid_t)parse_number("pid", argv[2], 1UL << 22);
    int sig = (int)parse_number("signal", argv[3], 64);
    if (pid <= 1)
        fail("signal: refusing pid %d", (int)pid);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        if (errno == ESRCH)
            return 1;   /* already gone: the caller decides whether that matters */
        if (errno != ENOSYS)
            die("pidfd_open %d", (int)pid);
        if (argc == 6)
            fail("signal: this kernel has no pidfd_open (Linux 5.3+), so process %d cannot be signalled safely", (int)pid);
        if (kill(pid, sig) < 0) {
            if (errno == ESRCH)
                return 1;
            die("send signal %d to %d", sig, (int)pid);
        }
        return 0;
    }
    if (argc == 6) {
        pid_t parent = (pid_t)parse_number("parent pid", argv[4], 1UL << 22);
        unsigned long long parent_start = strtoull(argv[5], NULL, 10), start, actual;
        pid_t ppid, unused;
        if (proc_stat(pid, &ppid, &start) < 0 || ppid != parent
            || proc_stat(parent, &unused, &actual) < 0 || actual != parent_start)
            return 1;   /* not the container's process any more: as good as gone */
        struct pollfd p = { pidfd, POLLIN, 0 };
        if (poll(&p, 1, 0) != 0)   /* it exited meanwhile: what /proc said may be of another process */
            return 1;
    }
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
        if (errno == ESRCH)
            return 1;
        die("send signal %d to %d", sig, (int)pid);
    }
    close(pidfd);
    return 0;
}
