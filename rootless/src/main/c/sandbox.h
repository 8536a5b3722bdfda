/*
 * The container sandbox of jpod-helper run: capabilities, masked and read-only paths, read-only rootfs,
 * resource limits, no_new_privs, seccomp, and the sealed self-copy against CVE-2019-5736.
 * Java decides every set, list and filter (io.jpod.engine.SandboxPolicy); this only applies them.
 *
 * Functions returning int give 0 on success and -1 on failure with errno set and sandbox_step naming
 * the step, so the caller reports it through its own die().
 */
#ifndef JPOD_SANDBOX_H
#define JPOD_SANDBOX_H

extern char sandbox_step[512];

/* Spec keys of the sandbox: 1 when key is one of them (value stored), 0 when unknown, -1 when the value
   is invalid (sandbox_step says why, errno 0). */
int sandbox_parse_key(const char *key, const char *value);

/* Before anything else in "run": re-executes the helper from a sealed memfd copy unless it already runs
   from one. Returns only when already sealed (0) or on failure (-1). */
int sandbox_reexec_sealed(char **argv);

/* In the container child, with the host's paths still visible: reads the seccomp program and masks and
   write-protects /proc and /sys paths below root. */
int sandbox_before_pivot(const char *root);

/* Reads the seccomp program into memory while its host path is reachable: `exec` calls it before joining the
   container's mount namespace (run does it in sandbox_before_pivot). */
int sandbox_load_files(void);

/* In the monitor before unshare(CLONE_NEWPID): with userns_*_map records, move into a nested user namespace
   mapped so (--userns=keep-id). */
int sandbox_enter_userns(void);

/* In the container's init after pivot_root, before setresuid: with userns_in_init=1, the same move (--userns=nomap,
   auto: maps without the id that owns the rootfs). */
int sandbox_enter_userns_in_init(void);

/* After pivot_root: the read-only root filesystem. */
int sandbox_after_pivot(void);

/* Around setresuid to the container user: bounding set, rlimits, keep-caps; then the capability sets. */
int sandbox_before_setuid(unsigned uid);
int sandbox_after_setuid(void);

/* The last step before execve: no_new_privs and the seccomp filter. */
int sandbox_before_exec(void);

#endif
