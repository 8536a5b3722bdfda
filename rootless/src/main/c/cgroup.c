/* See cgroup.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"

#define MAX_CGROUPS 16

char cgroup_step[512];
static const char *cgroups[MAX_CGROUPS];
static int ncgroups;

int cgroup_spec_key(const char *key, const char *value)
{
    if (strcmp(key, "cgroup"))
        return 0;
    if (value[0] != '/' || strstr(value, "/../") || ncgroups == MAX_CGROUPS) {
        snprintf(cgroup_step, sizeof cgroup_step, "run: spec: cgroup \"%s\" must be an absolute path without .. (at most %d)",
                 value, MAX_CGROUPS);
        errno = 0;
        return -1;
    }
    cgroups[ncgroups++] = value;
    return 1;
}

int cgroup_join(void)
{
    for (int i = 0; i < ncgroups; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/cgroup.procs", cgroups[i]);
        snprintf(cgroup_step, sizeof cgroup_step, "join cgroup %s", cgroups[i]);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
        /* "0" is the writing process itself (the kernel resolves it in its own pid namespace) */
        ssize_t n = write(fd, "0", 1);
        int err = errno;
        close(fd);
        if (n != 1) {
            errno = n < 0 ? err : EIO;
            return -1;
        }
    }
    return 0;
}
