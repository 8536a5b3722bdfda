/*
 * The container lifecycle parts of jpod-helper: the monitor's daemon mode, stdio relay and k8s-file logs,
 * the exit command, the pty (-t), the init process (--init), and the exec and signal modes.
 * jpod-helper.c owns the run path and calls in through the hooks below.
 */
#ifndef JPOD_LIFECYCLE_H
#define JPOD_LIFECYCLE_H

#include <sys/types.h>

/* ---- shared with jpod-helper.c (defined there) */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...);
void print_error(const char *step, int err);
ssize_t read_full(int fd, void *buf, size_t len);
char *read_spec_file(const char *file, const char *mode, size_t *len, size_t *records);
int write_all(int fd, const void *buf, size_t len);
int status_code(int status);
int write_file_atomic(const char *path, const char *content);
void close_fds(int keep);
void redirect_stdio_to_null(void);
unsigned long parse_number(const char *key, const char *value, unsigned long max);
__attribute__((noreturn)) void exec_container(char **args, char **env);
extern int report_fd;

/* ---- the run path's hooks (lifecycle.c / monitor.c) */

/* A spec key of ours: returns 1 if taken. */
int lc_spec_key(const char *key, const char *value);
/* After the spec is read, before anything is forked: -d turns the process into a daemon here (the caller
   waits until the container started or failed and exits with 0 or the failure's status). */
void lc_begin(void);
/* Just before the container process is forked: stdio pipes, the console socket. */
void lc_prepare(void);
/* In the container child, first thing: stdio onto the pipes (not for -t). */
void lc_child_stdio(void);
/* In the container child after pivot_root, still with full privileges: the pty for -t. */
void lc_child_after_pivot(uid_t uid, gid_t gid);
/* In the container child, right before exec: with --init, fork the command and stay as PID 1. */
void lc_child_before_exec(void);
/* In the monitor after the container exec'd (started=1) or failed: relays stdio until the container's
   stdio closes, then reaps it and returns its status code. */
int lc_supervise(pid_t child, int started);
/* After the exit file is written: tells a waiting -d caller, runs the exit command (never returns then). */
void lc_end(int code, int started);
/* Relays the container's output (outfd/errfd pipes, or the pty master) to fds 1 and 2 and the log, and
   in (or -1) to the master, until the output ends; resizes the master on SIGWINCH. */
struct logfile;
void lc_relay(int outfd, int errfd, int master, int in, struct logfile *log);
/* Reads a failure report of a container child from fd (jpod-helper.c): -1 at EOF (the exec succeeded),
   else the exit status it stands for, the message printed. */
int lc_report_status(int fd);

/* ---- exec.c */
/* /proc/PID/stat's parent pid and start time (clock ticks since boot): 0, or -1 when the process is gone. */
int proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start);

/* ---- other modes */
int cmd_exec(int argc, char **argv);
int cmd_signal(int argc, char **argv);

/* ---- pty.c */
int pty_send_fd(int sock, int fd);
int pty_recv_fd(int sock);
void pty_raw_mode(int fd);      /* remembers the settings; restored by pty_restore_mode (also at exit) */
void pty_restore_mode(void);
void pty_copy_winsize(int from, int to);
/* Opens the ptmx of the devpts on /dev/pts of the current mount namespace (checked, never /dev/ptmx): returns
   the master, *slave gets the opened slave. */
int pty_open(int *slave, uid_t uid, gid_t gid);
/* Makes fd the controlling terminal and stdio of this process (setsid first). */
void pty_make_controlling(int slave);

/* ---- logfile.c: podman's k8s-file format */
struct logfile;
struct logfile *log_open(const char *path, long long max_bytes);
void log_write(struct logfile *lf, const char *stream, const char *buf, size_t len);
void log_close(struct logfile *lf);

#endif
