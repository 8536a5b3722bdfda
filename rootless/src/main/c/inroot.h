/*
 * Paths inside a container, resolved inside its root (inroot.c), and the copy modes built on that (copy.c).
 * One rule for every caller: a container path is looked up relative to an fd of the container's root with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) — ".." and absolute symlinks stop at that root — or, on
 * kernels without openat2, by an equivalent walk of single O_NOFOLLOW openat steps. What is created is created
 * relative to a directory fd (mkdirat, openat O_EXCL|O_NOFOLLOW), and mounts go onto an fd, so no later swap
 * of a directory for a symlink can send anything outside the root.
 *
 * Functions returning an fd give -1 with errno set on failure.
 */
#ifndef JPOD_INROOT_H
#define JPOD_INROOT_H

#include <sys/types.h>

/* Opens path (absolute or relative, taken from the root either way) below rootfd; flags as for openat. */
int inroot_open(int rootfd, const char *path, int flags);

/* Resolves the directory part of path below rootfd (O_PATH|O_DIRECTORY fd) and copies the last component into
   name (at least NAME_MAX + 1 bytes). A path whose last component is "", "." or ".." has no name: name is ""
   and the fd is the resolved path itself. */
int inroot_parent(int rootfd, const char *path, char *name);

/* The mount point for a container path: resolves it below rootfd after the mounts made so far, creating
   missing directories one mkdirat at a time, and the last component as a directory (dir=1) or an empty file.
   Returns an O_PATH fd of it. Dies (with the step) on failure. */
int inroot_mountpoint(int rootfd, const char *path, int dir);

/* Bind-mounts source onto the mount point fd target (recursive: with the mounts below source), adding the
   MS_RDONLY/MS_NOSUID/MS_NODEV/MS_NOEXEC bits in flags. Dies on failure; dest names the mount in messages. */
void inroot_bind(const char *source, int target, int recursive, unsigned long flags, const char *dest);

/* Mounts a new tmpfs with the comma-separated options data onto target. Dies on failure. */
void inroot_tmpfs(int target, unsigned long flags, const char *data, const char *dest);

/* Kernels before 5.12 (no mount_setattr): remounts the bind mount at path with flags added to those it has. An
   MS_REMOUNT replaces every flag and must repeat those the kernel locked on it (clearing one is EPERM), so they are
   read from statvfs() first. 0, or -1 with errno set. */
int remount_bind_adding(const char *path, unsigned long flags);

/* Joins the namespaces of a running container's init (exec.c). */
void join_container(pid_t pid, pid_t monitor_pid, unsigned long long monitor_start);

/* A stopped container's root for a copy, with its bind mounts from SPECFILE in a private mount namespace
   (jpod-helper.c). */
int open_stopped_root(const char *rootfs, const char *specfile);
/* Removes the mount points open_stopped_root made (no-op without it). */
void close_stopped_root(void);

/* The helper modes `copy-in ROOTFS PID MONITORPID MONITORSTART PATH FLAGS SPECFILE` (a tar on stdin, extracted
   at PATH) and `copy-out ROOTFS PID MONITORPID MONITORSTART PATH - SPECFILE` (PATH as a tar on stdout). PID 0:
   the container is not running, ROOTFS is its mounted rootfs and SPECFILE (or "-") its saved spec, whose bind
   mounts are made first; MONITORPID 0: no parent check when joining (see join_container). FLAGS ("-" or a
   comma list): overwrite (a directory may replace a non-directory and the other way round), into-dir (PATH must
   be an existing directory and the entries keep their names: a tar from the user). */
int cmd_copy_in(int argc, char **argv);
int cmd_copy_out(int argc, char **argv);

#endif
