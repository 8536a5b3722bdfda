/*
 * Resolving and creating paths inside a container's root, and mounting onto what was resolved (see inroot.h).
 * Used for the user's mounts of `run` (their destinations can lie below a volume whose content a container
 * controls) and by the copy modes of copy.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inroot.h"
#include "lifecycle.h"

#define MAX_LINKS 40   /* the kernel's limit for nested symlinks */

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 1
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 1
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
enum { JPOD_FSCONFIG_SET_FLAG = 0, JPOD_FSCONFIG_SET_STRING = 1, JPOD_FSCONFIG_CMD_CREATE = 6 };
struct inroot_mount_attr {   /* = struct mount_attr (Linux 5.12) */
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* JPOD_INROOT_WALK=1 makes the helper take the pre-openat2 path, so tests can exercise it on new kernels. */
static int walk_forced(void)
{
    static int forced = -1;
    if (forced < 0) {
        const char *v = getenv("JPOD_INROOT_WALK");
        forced = v && !strcmp(v, "1");
    }
    return forced;
}

enum { CREATE_NONE, CREATE_DIR, CREATE_FILE };

struct step {
    int fd;                   /* O_PATH fd of this directory (or, last, of the final object) */
    char name[NAME_MAX + 1];  /* its name in the previous step's directory */
};

/* RESOLVE_IN_ROOT by hand: one O_NOFOLLOW openat per component; a symlink's target is read and walked in its
   place (from the root if absolute); ".." goes back one step of our own stack and never above the root, so a
   directory renamed away meanwhile cannot lead out. */
static int walk_in_root(int rootfd, const char *path, int flags, int create)
{
    char rest[2 * PATH_MAX];
    if (strlen(path) >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(rest, path);
    size_t cap = 16, depth = 0;
    struct step *stack = malloc(cap * sizeof *stack);
    if (!stack)
        return -1;
    int out = -1, links = 0;
    stack[0].fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    stack[0].name[0] = '\0';
    if (stack[0].fd < 0)
        goto done;
    for (char *p = rest;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        if (len > NAME_MAX) {
            errno = ENAMETOOLONG;
            goto done;
        }
        char comp[NAME_MAX + 1];
        memcpy(comp, p, len);
        comp[len] = '\0';
        p = end;
        if (!strcmp(comp, "."))
            continue;
        if (!strcmp(comp, "..")) {
            if (depth > 0)
                close(stack[depth--].fd);
            continue;
        }
        int fd = openat(stack[depth].fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 && errno == ENOENT && create) {
            /* a mount point's missing component (also the target of a dangling symlink, followed inside the root) */
            int last = !strchr(p, '/') || !p[strspn(p, "/")];
            if (last && create == CREATE_FILE) {
                int f = openat(stack[depth].fd, comp, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
                if (f >= 0)
                    close(f);
            } else if (mkdirat(stack[depth].fd, comp, 0755) < 0 && errno != EEXIST) {
                goto done;
            }
            fd = openat(stack[depth].fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
            goto done;
        if (fstat(fd, &st) < 0) {
            close(fd);
            goto done;
        }
        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX], joined[2 * PATH_MAX];
            ssize_t n = ++links > MAX_LINKS ? (errno = ELOOP, -1) : readlinkat(fd, "", target, sizeof target - 1);
            close(fd);
            if (n < 0)
                goto done;
            target[n] = '\0';
            if ((size_t)snprintf(joined, sizeof joined, "%s/%s", target, p) >= sizeof joined) {
                errno = ENAMETOOLONG;
                goto done;
            }
            strcpy(rest, joined);
            p = rest;
            if (target[0] == '/')
                while (depth > 0)
                    close(stack[depth--].fd);
            continue;
        }
        if (!S_ISDIR(st.st_mode) && strchr(p, '/')) {   /* more components follow */
            close(fd);
            errno = ENOTDIR;
            goto done;
        }
        if (depth + 1 == cap) {
            struct step *bigger = realloc(stack, 2 * cap * sizeof *stack);
            if (!bigger) {
                close(fd);
                goto done;
            }
            stack = bigger;
            cap *= 2;
        }
        stack[++depth].fd = fd;
        memcpy(stack[depth].name, comp, len + 1);
    }
    /* The final open with the caller's flags, of the very name the walk ended on and without following it. */
    if (depth == 0)
        out = openat(stack[0].fd, ".", flags | O_CLOEXEC);
    else
        out = openat(stack[depth - 1].fd, stack[depth].name, flags | O_NOFOLLOW | O_CLOEXEC);
done:;
    int err = errno;
    for (size_t i = 0; i <= depth; i++)
        if (stack[i].fd >= 0)
            close(stack[i].fd);
    free(stack);
    errno = err;
    return out;
}

int inroot_open(int rootfd, const char *path, int flags)
{
    if (!walk_forced()) {
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = (uint64_t)(flags | O_CLOEXEC);
        how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
        /* EAGAIN: a rename raced with a ".." step; the kernel asks us to try again */
        for (int tries = 0; tries < 64; tries++) {
            long fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
            if (fd >= 0)
                return (int)fd;
            if (errno != EAGAIN)
                break;
        }
        if (errno != ENOSYS)
            return -1;
    }
    return walk_in_root(rootfd, *path ? path : ".", flags, CREATE_NONE);
}

int inroot_parent(int rootfd, const char *path, char *name)
{
    char buf[PATH_MAX];
    if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    size_t len = strlen(buf);
    while (len > 1 && buf[len - 1] == '/')
        buf[--len] = '\0';
    char *slash = strrchr(buf, '/');
    const char *base = slash ? slash + 1 : buf;
    name[0] = '\0';
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        return inroot_open(rootfd, buf, O_PATH | O_DIRECTORY);
    if (strlen(base) > NAME_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(name, base);
    if (!slash)
        return inroot_open(rootfd, ".", O_PATH | O_DIRECTORY);
    if (slash == buf)
        slash[1] = '\0';
    else
        *slash = '\0';
    return inroot_open(rootfd, buf, O_PATH | O_DIRECTORY);
}

int inroot_mountpoint(int rootfd, const char *path, int dir)
{
    int fd = inroot_open(rootfd, path, O_PATH);
    if (fd < 0 && errno == ENOENT)
        /* Create what is missing one component at a time, each relative to its parent's fd; a symlink on the way
           (one the container planted in a volume) is followed inside the root, never on the host. */
        fd = walk_in_root(rootfd, path, O_PATH, dir ? CREATE_DIR : CREATE_FILE);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        die("mount point %s", path);
    if (dir != !!S_ISDIR(st.st_mode)) {
        errno = dir ? ENOTDIR : EISDIR;
        die("mount point %s", path);
    }
    return fd;
}

static void fd_path(char *buf, int fd)
{
    snprintf(buf, 64, "/proc/self/fd/%d", fd);
}

static uint64_t mount_attrs(unsigned long flags)
{
    return (flags & MS_RDONLY ? 0x1 : 0) | (flags & MS_NOSUID ? 0x2 : 0) | (flags & MS_NODEV ? 0x4 : 0)
         | (flags & MS_NOEXEC ? 0x8 : 0);
}

/* Kernels before 5.12 (no mount_setattr): bind through the fd's magic link, then remount by the path the kernel
   gives for the new mount. That path is not re-walked from a container-controlled name, but it is a string:
   only these old kernels have this narrower window. */
static void legacy_bind(const char *source, int target, int recursive, unsigned long flags, const char *dest)
{
    char fdpath[64], path[PATH_MAX];
    fd_path(fdpath, target);
    if (mount(source, fdpath, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
        die("bind mount %s on %s", source, dest);
    if (!flags)
        return;
    ssize_t n = readlink(fdpath, path, sizeof path - 1);
    if (n < 0)
        die("read the path of mount point %s", dest);
    path[n] = '\0';
    if (remount_bind_adding(path, flags) < 0)
        die("remount %s with new flags", dest);
}

int remount_bind_adding(const char *path, unsigned long flags)
{
    struct statvfs sv;
    if (statvfs(path, &sv) < 0)
        return -1;
    static const unsigned long map[][2] = {
        { ST_RDONLY, MS_RDONLY }, { ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
        { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (sv.f_flag & map[i][0])
            flags |= map[i][1];
    return mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL);
}

void inroot_bind(const char *source, int target, int recursive, unsigned long flags, const char *dest)
{
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, source,
                            OPEN_TREE_CLONE | O_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
    if (tree < 0 && errno == ENOSYS) {
        legacy_bind(source, target, recursive, flags, dest);
        return;
    }
    if (tree < 0)
        die("bind mount %s on %s", source, dest);
    if (flags) {
        /* on the detached copy, before anyone can see it: mount_setattr only adds the flags asked for */
        struct inroot_mount_attr attr = { mount_attrs(flags), 0, 0, 0 };
        if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0) {
            if (errno != ENOSYS)
                die("set mount flags on %s", dest);
            close(tree);
            legacy_bind(source, target, recursive, flags, dest);
            return;
        }
    }
    if (syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        die("bind mount %s on %s", source, dest);
    close(tree);
}

void inroot_tmpfs(int target, unsigned long flags, const char *data, const char *dest)
{
    int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
    if (fs < 0) {
        if (errno != ENOSYS)
            die("mount tmpfs on %s", dest);
        char fdpath[64];
        fd_path(fdpath, target);
        if (mount("tmpfs", fdpath, "tmpfs", flags, data) < 0)
            die("mount tmpfs on %s", dest);
        return;
    }
    char opts[1024];
    if ((size_t)snprintf(opts, sizeof opts, "%s", data) >= sizeof opts) {
        errno = E2BIG;
        die("mount tmpfs on %s: options", dest);
    }
    for (char *save, *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(o, '=');
        if (eq)
            *eq++ = '\0';
        if (syscall(SYS_fsconfig, fs, eq ? JPOD_FSCONFIG_SET_STRING : JPOD_FSCONFIG_SET_FLAG, o, eq, 0) < 0)
            die("mount tmpfs on %s: option %s", dest, o);
    }
    if (syscall(SYS_fsconfig, fs, JPOD_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        die("mount tmpfs on %s", dest);
    int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, (unsigned)mount_attrs(flags));
    if (mnt < 0)
        die("mount tmpfs on %s", dest);
    if (syscall(SYS_move_mount, mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        die("mount tmpfs on %s", dest);
    close(mnt);
    close(fs);
}
