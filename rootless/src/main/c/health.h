/*
 * The periodic health check: a small process, forked by the monitor before it enters the container's PID
 * namespace, that runs jpod's `healthcheck run` command every interval while the container lives.
 */
#ifndef JPOD_HEALTH_H
#define JPOD_HEALTH_H

/* healthcmd (one record per argument) and healthinterval (milliseconds): returns 1 if the key is ours. */
int health_spec_key(const char *key, const char *value);
/* Forks the checker if the spec asks for one; it ends when the monitor ends (its pipe closes) or health_stop. */
void health_start(void);
/* The container has ended: no more checks. */
void health_stop(void);

#endif
