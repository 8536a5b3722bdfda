/* Pods in the helper (protocol: the spec keys below; Java decides which namespaces a container shares):
 *   infra=1                         the container is a pod's infra: its init only holds the namespaces (no rootfs
 *                                   set-up, no exec), reaps orphans and exits 0 on SIGTERM/SIGINT/SIGHUP
 *   joinpid=PID:MONITORPID:START    the infra's init, checked to be the child of that monitor (its start time in
 *                                   clock ticks), whose namespaces joinns= names
 *   joinns=net|ipc|uts|pid|user     join this namespace of joinpid instead of creating one (repeatable; user: the
 *                                   infra's keep-id user namespace, in place of the container's own)
 */
#ifndef JPOD_POD_H
#define JPOD_POD_H

/* 1 when key is a pod key (value consumed), 0 otherwise; exits 125 on a bad value. */
int pod_spec_key(const char *key, const char *value);

/* 1 when the spec is a pod's infra. */
int pod_is_infra(void);

/* In the monitor, before anything is forked: opens the infra's namespaces (checked as exec checks a container's
   init). Exits 125 with one line when the infra is not running. */
void pod_open_namespaces(void);

/* In the monitor instead of entering a nested user namespace of its own: joins the infra's (pod --userns=keep-id),
   before the PID namespace (owned by it). 1 if joined. */
int pod_join_user_namespace(void);

/* In the monitor instead of unshare(CLONE_NEWPID): joins the infra's PID namespace when shared. 1 if joined. */
int pod_join_pid_namespace(void);

/* In the container child, before it unshares the rest: joins the shared net/ipc/uts namespaces and returns their
   CLONE_NEW* flags (the ones not to unshare). */
int pod_join_namespaces(void);

/* The infra's init after its namespaces are set up: waits for a stop signal; never returns. */
__attribute__((noreturn)) void pod_infra_wait(void);

#endif
