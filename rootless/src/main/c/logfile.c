/*
 * Container logs in podman's k8s-file format, one record per line:
 *     <RFC3339Nano time> <stdout|stderr> <F|P> <text>
 * F ends a line, P is a partial line (continued by the next record); a chunk that does not end in a newline
 * is written at once as P, as conmon does, so nothing waits in a buffer. When the file passes its size cap
 * it is renamed to PATH.1 (replacing an older one) and a new file is started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "lifecycle.h"

struct logfile {
    int fd;
    long long max, size;
    char path[4096];
};

static int log_reopen(struct logfile *lf)
{
    lf->fd = open(lf->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lf->fd < 0)
        return -1;
    struct stat st;
    lf->size = fstat(lf->fd, &st) == 0 ? (long long)st.st_size : 0;
    return 0;
}

struct logfile *log_open(const char *path, long long max_bytes)
{
    struct logfile *lf = calloc(1, sizeof *lf);
    if (!lf || (size_t)snprintf(lf->path, sizeof lf->path, "%s", path) >= sizeof lf->path) {
        free(lf);
        return NULL;
    }
    lf->max = max_bytes;
    if (log_reopen(lf) < 0) {
        print_error("open log file", errno);
        free(lf);
        return NULL;
    }
    return lf;
}

/* podman's time format: local time with nanoseconds and the zone offset (Z for UTC). */
static void timestamp(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff;
    if (off == 0)
        snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
    else
        snprintf(buf + n, len - n, ".%09ld%c%02ld:%02ld", ts.tv_nsec, off < 0 ? '-' : '+',
                 labs(off) / 3600, labs(off) % 3600 / 60);
}

static void rotate(struct logfile *lf)
{
    char old[sizeof lf->path + 2];
    snprintf(old, sizeof old, "%s.1", lf->path);
    close(lf->fd);
    rename(lf->path, old);
    if (log_reopen(lf) < 0)
        lf->fd = -1;   /* logging stops; the container goes on */
}

void log_write(struct logfile *lf, const char *stream, const char *buf, size_t len)
{
    if (!lf || lf->fd < 0)
        return;
    char head[96];
    timestamp(head, sizeof head);
    size_t tl = strlen(head);
    while (len > 0) {
        const char *nl = memchr(buf, '\n', len);
        size_t line = nl ? (size_t)(nl - buf) : len;
        snprintf(head + tl, sizeof head - tl, " %s %c ", stream, nl ? 'F' : 'P');
        struct iovec iov[3] = {
            { head, strlen(head) }, { (void *)buf, line }, { "\n", 1 },
        };
        ssize_t n;
        do
            n = writev(lf->fd, iov, 3);
        while (n < 0 && errno == EINTR);
        head[tl] = '\0';
        if (n > 0)
            lf->size += n;
        if (lf->max > 0 && lf->size >= lf->max)
            rotate(lf);
        if (lf->fd < 0)
            return;
        buf += line + (nl ? 1 : 0);
        len -= line + (nl ? 1 : 0);
    }
}

void log_close(struct logfile *lf)
{
    if (!lf)
        return;
    if (lf->fd >= 0)
        close(lf->fd);
    free(lf);
}
