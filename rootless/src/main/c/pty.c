/*
 * Pseudo-terminals for -t: opening one in the container's own devpts, passing the master to the monitor over
 * a unix socket (SCM_RIGHTS), the caller's terminal in raw mode (restored on every way out), window sizes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "lifecycle.h"

int pty_send_fd(int sock, int fd)
{
    char data = 'm';
    struct iovec iov = { &data, 1 };
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

/* The received fd, or -1 when the peer closed without sending one. */
int pty_recv_fd(int sock)
{
    char data;
    struct iovec iov = { &data, 1 };
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } u;
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return fd;
        }
    return -1;
}

static struct termios saved_mode;
static int saved_fd = -1;

void pty_restore_mode(void)
{
    if (saved_fd >= 0)
        tcsetattr(saved_fd, TCSADRAIN, &saved_mode);
    saved_fd = -1;
}

void pty_raw_mode(int fd)
{
    static int registered;
    struct termios t;
    if (tcgetattr(fd, &saved_mode) < 0)
        return;
    t = saved_mode;
    cfmakeraw(&t);
    if (!registered) {
        atexit(pty_restore_mode);   /* die() and every exit() path */
        registered = 1;
    }
    saved_fd = fd;
    tcsetattr(fd, TCSADRAIN, &t);
}

void pty_copy_winsize(int from, int to)
{
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
        ioctl(to, TIOCSWINSZ, &ws);
}

#define DEVPTS_MAGIC 0x1cd1          /* DEVPTS_SUPER_MAGIC */
#define RESOLVE_NO_XDEV_ 0x01
#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_NO_SYMLINKS_ 0x04
#define RESOLVE_BENEATH_ 0x08
struct jpod_open_how { uint64_t flags, mode, resolve; };   /* = struct open_how (Linux 5.6) */

/* openat2 with the resolve flags; before Linux 5.6 openat with O_NOFOLLOW (the last component only), which the
   caller's fstat/fstatfs checks back up. */
static int open_resolved(int dir, const char *path, int flags, uint64_t resolve)
{
#ifdef SYS_openat2
    struct jpod_open_how how = { (uint64_t)flags, 0, resolve };
    int fd = (int)syscall(SYS_openat2, dir, path, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return fd;
#endif
    return openat(dir, path, flags | O_NOFOLLOW);
}

__attribute__((noreturn)) static void not_devpts(const char *what)
{
    fail("pty: %s in the container is not devpts's own (was it replaced?); cannot allocate a terminal for -t", what);
}

/* The pty multiplexer of the devpts mounted on the container's /dev/pts. Never /dev/ptmx: the container owns /dev
   and may have put a FIFO, a symlink or another device there, and this runs with every capability and no seccomp
   filter. No symlink is followed on the way, no mount is crossed below /dev/pts (nothing bound over its ptmx), and
   the result must be the 5:2 character device on a devpts filesystem; opened non-blocking, so nothing can hang us. */
static int open_ptmx(void)
{
    int pts = open_resolved(AT_FDCWD, "/dev/pts", O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_NO_SYMLINKS_ | RESOLVE_NO_MAGICLINKS_);
    if (pts < 0 && (errno == ELOOP || errno == ENOTDIR || errno == ENOENT))
        not_devpts("/dev/pts");
    struct statfs fs;
    if (pts < 0 || fstatfs(pts, &fs) < 0)
        die("open the container's /dev/pts");
    if (fs.f_type != DEVPTS_MAGIC)
        not_devpts("/dev/pts");
    int master = open_resolved(pts, "ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
                               RESOLVE_BENEATH_ | RESOLVE_NO_XDEV_ | RESOLVE_NO_SYMLINKS_ | RESOLVE_NO_MAGICLINKS_);
    if (master < 0 && (errno == ELOOP || errno == EXDEV || errno == ENOENT || errno == ENXIO))
        not_devpts("/dev/pts/ptmx");
    if (master < 0)
        die("open the container's /dev/pts/ptmx");
    close(pts);
    struct stat st;
    if (fstat(master, &st) < 0 || fstatfs(master, &fs) < 0)
        die("stat the container's /dev/pts/ptmx");
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2 || fs.f_type != DEVPTS_MAGIC)
        not_devpts("/dev/pts/ptmx");
    int fl = fcntl(master, F_GETFL);
    if (fl < 0 || fcntl(master, F_SETFL, fl & ~O_NONBLOCK) < 0)
        die("make the pty master blocking");
    return master;
}

int pty_open(int *slave, uid_t uid, gid_t gid)
{
    int master = open_ptmx();
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        die("unlock the pty");
    /* TIOCGPTPEER opens the slave through the master, never by a path a container could swap. */
    int s = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        char name[64];
        if (ptsname_r(master, name, sizeof name) != 0)
            die("name of the pty");
        s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (s < 0)
            die("open %s", name);
    }
    if (fchown(s, uid, gid) < 0 && errno != EINVAL)   /* the container user owns its terminal */
        die("chown the pty");
    *slave = s;
    return master;
}

void pty_make_controlling(int slave)
{
    if (setsid() < 0)
        die("setsid for the terminal");
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        die("make the pty the controlling terminal");
    for (int i = 0; i < 3; i++)
        if (dup2(slave, i) < 0)
            die("pty onto fd %d", i);
    if (slave > 2)
        close(slave);
}
