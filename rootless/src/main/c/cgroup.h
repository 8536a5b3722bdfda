/*
 * The container's cgroups in jpod-helper run: Java creates them and writes the limits
 * (io.jpod.engine.ContainerCgroups); the container child only moves itself in, with cgroup=DIR
 * records, before it unshares its cgroup namespace so that namespace's root is the container's cgroup.
 */
#ifndef JPOD_CGROUP_H
#define JPOD_CGROUP_H

extern char cgroup_step[512];

/* 1 when key is cgroup= (value stored), 0 when unknown, -1 when invalid (cgroup_step says why, errno 0). */
int cgroup_spec_key(const char *key, const char *value);

/* Writes the calling process's pid ("0") to DIR/cgroup.procs of every cgroup= record; 0 or -1 with errno. */
int cgroup_join(void);

#endif
