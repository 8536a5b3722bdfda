/*
 * jpod-helper copy-in / copy-out (`jpod cp`): the container side of a copy, done inside the container's root.
 *
 *   copy-in ROOTFS PID MONITORPID MONITORSTART PATH FLAGS SPECFILE    reads a tar on stdin, extracts it at PATH
 *   copy-out ROOTFS PID MONITORPID MONITORSTART PATH - SPECFILE      writes PATH (a file, a directory tree or a
 *                                                                    symlink) as a tar to stdout
 *
 * With PID (> 0) the helper first joins the running container's namespaces, so it sees the container's own
 * mounts (volumes, tmpfs) and its root is the container's "/"; with PID 0 the container is not running,
 * ROOTFS is its mounted rootfs, and the bind mounts of its saved spec (SPECFILE, "-": none) are made in a
 * private mount namespace first. PATH is resolved inside that root (inroot.c); every entry is then created or
 * opened relative to a directory fd, one O_NOFOLLOW step per component, so a container that swaps a directory
 * for a symlink meanwhile makes the copy fail, never reach outside its root.
 *
 * The tar subset is small and strict: ustar headers with PAX path/linkpath/size/uid/gid/mtime records (1 MiB at
 * most); regular files, directories, symlinks, and hard links to a file earlier in the same stream. Names are
 * relative, without "..". Java writes and reads the streams (commons-compress, io.jpod.engine.Copier).
 *
 * Exit status: 0 done; 2 PATH (or, for copy-in, its parent directory) does not exist in the container; 3 copy-in:
 * PATH is not a directory but must be (the stream is a directory, or FLAGS has into-dir); 4 copy-in: an entry
 * would replace a directory by a non-directory or the other way round without FLAGS overwrite, the message's
 * step names its container path ("copy: create PATH"). Java words podman's messages for 2, 3 and 4; 125 any
 * other error. Errors are reported as "jpod-helper: <step>: <strerror> (errno N)".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "inroot.h"
#include "lifecycle.h"
#include "sandbox.h"

#define EXIT_NOT_IN_CONTAINER 2
#define EXIT_NOT_A_DIRECTORY 3
#define EXIT_TYPE_CONFLICT 4
#define BLOCK 512
#define MAX_PAX (1 << 20)
#define MAX_HARDLINKS 65536

/* ---------------------------------------------------------------- the root */

static int open_root(char **argv)
{
    const char *rootfs = argv[2], *specfile = argv[8];
    pid_t pid = (pid_t)parse_number("pid", argv[3], 1UL << 22);
    pid_t monitor = (pid_t)parse_number("monitor pid", argv[4], 1UL << 22);
    unsigned long long monitor_start = strtoull(argv[5], NULL, 10);
    if (pid > 0) {
        join_container(pid, monitor, monitor_start);   /* "/" is now the container's root, its mounts in place */
        int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            die("open the container's root");
        return fd;
    }
    if (rootfs[0] != '/')
        fail("copy: the rootfs %s must be an absolute path", rootfs);
    if (strcmp(specfile, "-"))
        return open_stopped_root(rootfs, specfile);
    int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        die("open rootfs %s", rootfs);
    return fd;
}

__attribute__((noreturn)) static void not_in_container(void)
{
    exit(EXIT_NOT_IN_CONTAINER);
}

/* ---------------------------------------------------------------- tar fields */

static unsigned long long octal(const char *f, size_t n, const char *what)
{
    unsigned long long v = 0;
    size_t i = 0;
    while (i < n && f[i] == ' ')
        i++;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 60)
            fail("copy: tar header: %s out of range", what);
        v = v * 8 + (unsigned long long)(f[i] - '0');
    }
    if (i < n && f[i] != '\0' && f[i] != ' ')
        fail("copy: tar header: %s is not an octal number (the stream is not a ustar archive)", what);
    return v;
}

/* n - 1 zero-padded octal digits and a NUL; the callers keep v within them */
static void put_octal(char *f, size_t n, unsigned long long v)
{
    f[n - 1] = '\0';
    for (size_t i = n - 1; i-- > 0; v >>= 3)
        f[i] = (char)('0' + (v & 7));
}

static int checksum_ok(const unsigned char *h)
{
    unsigned long sum = 0;
    for (int i = 0; i < BLOCK; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum == octal((const char *)h + 148, 8, "checksum");
}

static void set_checksum(unsigned char *h)
{
    memset(h + 148, ' ', 8);
    unsigned long sum = 0;
    for (int i = 0; i < BLOCK; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06lo", sum);
    h[155] = ' ';
}

/* ---------------------------------------------------------------- copy-in */

struct entry {
    char type;
    char path[PATH_MAX], link[PATH_MAX];
    unsigned long long size, mode, uid, gid, mtime;
};

static void read_exact(void *buf, size_t len)
{
    ssize_t n = read_full(0, buf, len);
    if (n < 0)
        die("copy: read the tar stream");
    if ((size_t)n != len)
        fail("copy: the tar stream ends in the middle of an entry");
}

static void skip_bytes(unsigned long long n)
{
    char buf[65536];
    while (n > 0) {
        size_t chunk = n < sizeof buf ? (size_t)n : sizeof buf;
        read_exact(buf, chunk);
        n -= chunk;
    }
}

static unsigned long long padding(unsigned long long size)
{
    return (BLOCK - size % BLOCK) % BLOCK;
}

/* PAX extended header records "LEN key=value\n": the ones we use override the next header's fields. */
static void parse_pax(char *data, size_t len, struct entry *next, int *have_path, int *have_link, int *have_size)
{
    for (size_t off = 0; off < len;) {
        char *end;
        unsigned long rlen = strtoul(data + off, &end, 10);
        if (end == data + off || *end != ' ' || rlen == 0 || rlen > len - off || data[off + rlen - 1] != '\n')
            fail("copy: tar stream: a malformed PAX record");
        char *kv = end + 1, *rend = data + off + rlen - 1;
        *rend = '\0';
        char *eq = strchr(kv, '=');
        if (!eq)
            fail("copy: tar stream: a malformed PAX record");
        *eq = '\0';
        const char *v = eq + 1;
        size_t vlen = (size_t)(rend - v);
        if (!strcmp(kv, "path") || !strcmp(kv, "linkpath")) {
            if (vlen >= PATH_MAX || memchr(v, '\0', vlen))
                fail("copy: tar stream: PAX %s too long", kv);
            memcpy(!strcmp(kv, "path") ? next->path : next->link, v, vlen + 1);
            *(!strcmp(kv, "path") ? have_path : have_link) = 1;
        } else if (!strcmp(kv, "size") || !strcmp(kv, "uid") || !strcmp(kv, "gid") || !strcmp(kv, "mtime")) {
            errno = 0;
            unsigned long long n = strtoull(v, &end, 10);
            if (errno || end == v || (*end && *end != '.') || v[0] == '-')
                fail("copy: tar stream: PAX %s=%s is not a number", kv, v);
            if (!strcmp(kv, "size")) next->size = n, *have_size = 1;
            else if (!strcmp(kv, "uid")) next->uid = n;
            else if (!strcmp(kv, "gid")) next->gid = n;
            else next->mtime = n;
        }   /* atime, ctime, charset, xattrs…: not kept */
        off += rlen;
    }
}

/* The next entry, or 0 at the end of the archive. */
static int next_entry(struct entry *e)
{
    unsigned char h[BLOCK];
    int have_path = 0, have_link = 0, have_size = 0;
    memset(e, 0, sizeof *e);
    for (;;) {
        ssize_t n = read_full(0, h, BLOCK);
        if (n < 0)
            die("copy: read the tar stream");
        if (n == 0)
            return 0;   /* a stream without the two zero blocks: accepted, as GNU tar does */
        if (n != BLOCK)
            fail("copy: the tar stream ends in the middle of a header");
        int zero = 1;
        for (int i = 0; i < BLOCK && zero; i++)
            zero = h[i] == 0;
        if (zero)
            return 0;
        if (!checksum_ok(h))
            fail("copy: tar stream: a header with a wrong checksum");
        char type = (char)h[156];
        unsigned long long size = octal((char *)h + 124, 12, "size");
        if (type == 'x') {
            if (size > MAX_PAX)
                fail("copy: tar stream: a PAX header of %llu bytes (at most %d)", size, MAX_PAX);
            char *data = malloc((size_t)size + 1);
            if (!data)
                die("copy: PAX header");
            read_exact(data, (size_t)size);
            data[size] = '\0';
            skip_bytes(padding(size));
            parse_pax(data, (size_t)size, e, &have_path, &have_link, &have_size);
            free(data);
            continue;
        }
        if (type == 'g') {   /* global PAX defaults: nothing we use */
            skip_bytes(size + padding(size));
            continue;
        }
        if (!have_path) {
            char name[101], prefix[156];
            memcpy(name, h, 100);
            name[100] = '\0';
            memcpy(prefix, h + 345, 155);
            prefix[155] = '\0';
            snprintf(e->path, sizeof e->path, "%s%s%s", prefix, prefix[0] ? "/" : "", name);
        }
        if (!have_link) {
            memcpy(e->link, h + 157, 100);
            e->link[100] = '\0';
        }
        if (!have_size)
            e->size = size;
        e->type = type == '\0' ? '0' : type;
        e->mode = octal((char *)h + 100, 8, "mode") & 07777;
        if (!e->uid)
            e->uid = octal((char *)h + 108, 8, "uid");
        if (!e->gid)
            e->gid = octal((char *)h + 116, 8, "gid");
        if (!e->mtime)
            e->mtime = octal((char *)h + 136, 12, "mtime");
        if (!strchr("0125", e->type))
            fail("copy: tar stream: entry %s has type '%c': only files, directories, symlinks and hard links are copied",
                 e->path, e->type);
        return 1;
    }
}

/* Splits a relative entry name into components (in place); refuses "..", absolute names and empty ones. */
static size_t components(char *path, char **comps, size_t max)
{
    if (path[0] == '/')
        fail("copy: tar stream: absolute entry name %s", path);
    size_t n = 0;
    for (char *save, *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, "."))
            continue;
        if (!strcmp(c, ".."))
            fail("copy: tar stream: entry name with \"..\"");
        if (n == max)
            fail("copy: tar stream: entry name too deep");
        comps[n++] = c;
    }
    return n;
}

#define MAX_DEPTH (PATH_MAX / 2)

/* The directory an entry goes into: from base, each component opened without following anything. The first
   component is renamed to top when given. Returns the dir fd and sets *name to the last component. */
static int entry_parent(int base, char *path, const char *top, const char **name, const char *shown)
{
    static char *comps[MAX_DEPTH];
    static char renamed[PATH_MAX];
    if (top && *top) {   /* the stream's first name, even ".", is the top ("DIR/." into a new name) */
        const char *rest = strchr(path, '/');
        if ((size_t)snprintf(renamed, sizeof renamed, "%s%s", top, rest ? rest : "") >= sizeof renamed)
            fail("copy: %s: path too long", shown);
        path = renamed;
    }
    size_t n = components(path, comps, MAX_DEPTH);
    if (n == 0)
        return -2;   /* the top "." itself */
    int dir = dup(base);
    if (dir < 0)
        die("copy: dup");
    for (size_t i = 0; i + 1 < n; i++) {
        int next = openat(dir, comps[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOENT) {   /* a user's tar need not list the directories above its entries */
            if (mkdirat(dir, comps[i], 0755) < 0 && errno != EEXIST)
                die("copy: %s: create directory %s", shown, comps[i]);
            next = openat(dir, comps[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (next < 0)
            die("copy: %s: open directory %s", shown, comps[i]);
        close(dir);
        dir = next;
    }
    *name = comps[n - 1];
    return dir;
}

static void write_data(int fd, unsigned long long size, const char *shown)
{
    char buf[65536];
    while (size > 0) {
        size_t chunk = size < sizeof buf ? (size_t)size : sizeof buf;
        read_exact(buf, chunk);
        if (write_all(fd, buf, chunk) < 0)
            die("copy: write %s", shown);
        size -= chunk;
    }
}

static int overwrite;                  /* FLAGS overwrite */
static char display_base[PATH_MAX];    /* the container path the entries go into, for messages */

/* Removes name below dir, a directory with everything in it; nothing is followed. */
static void remove_tree(int dir, const char *name, const char *shown)
{
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        die("copy: replace %s", shown);
    if (S_ISDIR(st.st_mode)) {
        int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        if (!d)
            die("copy: replace %s", shown);
        for (struct dirent *de; (errno = 0, de = readdir(d));)
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                remove_tree(dirfd(d), de->d_name, shown);
        if (errno)
            die("copy: replace %s", shown);
        closedir(d);
    }
    if (unlinkat(dir, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
        die("copy: replace %s", shown);
}

/* A directory where a non-directory goes, or the other way round: replaced with FLAGS overwrite, else exit 4
   naming the container path, as podman refuses it. */
__attribute__((noreturn)) static void type_conflict(const char *shown)
{
    char full[2 * PATH_MAX + 32];
    int n = snprintf(full, sizeof full, "copy: create %s/%s", strcmp(display_base, "/") ? display_base : "", shown);
    while (n > 0 && n < (int)sizeof full && full[n - 1] == '/')   /* a directory entry's name ends in "/" */
        full[--n] = '\0';
    print_error(full, EEXIST);
    exit(EXIT_TYPE_CONFLICT);
}

/* Clears the way for a new non-directory: a non-directory there is replaced (what `cp` does), a directory only
   with overwrite. */
static void clear_name(int dir, const char *name, const char *shown)
{
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return;
    if (S_ISDIR(st.st_mode) && !overwrite)
        type_conflict(shown);
    remove_tree(dir, name, shown);
}

static void set_times(int dir, const char *name, unsigned long long mtime)
{
    struct timespec ts[2] = { { 0, UTIME_OMIT }, { (time_t)mtime, 0 } };
    utimensat(dir, name, ts, AT_SYMLINK_NOFOLLOW);   /* best effort, as the owner below */
}

static void extract(int base, const char *top, int dest_is_file)
{
    struct entry e;
    char **links = calloc(MAX_HARDLINKS, sizeof *links);
    size_t nlinks = 0;
    int first = 1;
    if (!links)
        die("copy: allocate");
    while (next_entry(&e)) {
        char shown[PATH_MAX];
        snprintf(shown, sizeof shown, "%s", e.path);
        if (first && dest_is_file && e.type == '5')
            exit(EXIT_NOT_A_DIRECTORY);   /* podman: "destination must be a directory when copying a directory" */
        first = 0;
        const char *name;
        char kept[PATH_MAX];
        snprintf(kept, sizeof kept, "%s", e.path);
        int dir = entry_parent(base, e.path, top, &name, shown);
        if (dir == -2) {   /* "./": the destination directory itself */
            skip_bytes(e.size + padding(e.size));
            continue;
        }
        switch (e.type) {
        case '5': {
            struct stat st;
            if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
                if (!overwrite)
                    type_conflict(shown);
                remove_tree(dir, name, shown);
            }
            if (mkdirat(dir, name, (mode_t)(e.mode & 07777)) < 0 && errno != EEXIST)
                die("copy: create directory %s", shown);
            else {
                int d = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (d < 0)
                    die("copy: open directory %s", shown);
                fchmod(d, (mode_t)(e.mode & 07777));
                if (fchown(d, (uid_t)e.uid, (gid_t)e.gid) < 0 && errno != EINVAL && errno != EPERM)
                    die("copy: chown %s", shown);
                close(d);
            }
            break;
        }
        case '0': {
            clear_name(dir, name, shown);
            int f = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (f < 0)
                die("copy: create %s", shown);
            write_data(f, e.size, shown);
            skip_bytes(padding(e.size));
            if (fchown(f, (uid_t)e.uid, (gid_t)e.gid) < 0 && errno != EINVAL && errno != EPERM)
                die("copy: chown %s", shown);
            if (fchmod(f, (mode_t)(e.mode & 07777)) < 0)
                die("copy: chmod %s", shown);
            close(f);
            e.size = 0;   /* consumed */
            if (nlinks < MAX_HARDLINKS && !(links[nlinks++] = strdup(kept)))
                die("copy: allocate");
            break;
        }
        case '2':
            clear_name(dir, name, shown);
            if (symlinkat(e.link, dir, name) < 0)
                die("copy: create symlink %s", shown);
            if (fchownat(dir, name, (uid_t)e.uid, (gid_t)e.gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL && errno != EPERM)
                die("copy: chown %s", shown);
            break;
        case '1': {
            int known = 0;
            for (size_t i = 0; i < nlinks && !known; i++)
                known = !strcmp(links[i], e.link);
            if (!known)
                fail("copy: tar stream: hard link %s names %s, which is not a file earlier in the stream", shown, e.link);
            const char *tname;
            char target[PATH_MAX];
            snprintf(target, sizeof target, "%s", e.link);
            int tdir = entry_parent(base, target, top, &tname, shown);
            if (tdir < 0)
                fail("copy: tar stream: hard link %s to the top directory", shown);
            clear_name(dir, name, shown);
            if (linkat(tdir, tname, dir, name, 0) < 0)   /* flags 0: a symlink at tname is linked, not followed */
                die("copy: create hard link %s", shown);
            close(tdir);
            break;
        }
        }
        if (e.type != '1')
            set_times(dir, name, e.mtime);
        close(dir);
        skip_bytes(e.size + padding(e.size));
    }
}

/* The copy-in destination with its last symlinks followed inside the root as podman does (cp FILE ctr:/x, x a
   symlink to /y: /y is written, even when it does not exist yet); a path ending in "/" is left as it is. */
static void follow_last_symlinks(int root, char *path, size_t size)
{
    for (int hops = 0; hops < 40; hops++) {
        size_t len = strlen(path);
        if (len == 0 || path[len - 1] == '/')
            return;
        char name[NAME_MAX + 1];
        int dir = inroot_parent(root, path, name);
        if (dir < 0)
            return;   /* the caller reports it */
        char target[PATH_MAX];
        ssize_t n = name[0] ? readlinkat(dir, name, target, sizeof target - 1) : -1;
        close(dir);
        if (n < 0)
            return;   /* not a symlink (or not there) */
        target[n] = '\0';
        if (target[0] == '/') {
            snprintf(path, size, "%s", target);
        } else {
            char *slash = strrchr(path, '/');
            size_t keep = slash ? (size_t)(slash - path) + 1 : 0;
            if (keep + (size_t)n >= size)
                fail("copy: %s: the symlink's target is too long", path);
            memcpy(path + keep, target, (size_t)n + 1);
        }
    }
    errno = ELOOP;
    die("copy: resolve %s in the container", path);
}

/* display_base: the container path the entries go into (the directory path, or path's parent), for messages */
static void set_display_base(const char *path, int is_dir)
{
    snprintf(display_base, sizeof display_base, "%s", path);
    size_t len = strlen(display_base);
    if (!is_dir) {
        char *slash = strrchr(display_base, '/');
        if (slash)
            slash[slash == display_base ? 1 : 0] = '\0';
        else
            display_base[0] = '\0';
        len = strlen(display_base);
    }
    while (len > 1 && (display_base[len - 1] == '/' ||
                       (display_base[len - 1] == '.' && display_base[len - 2] == '/')))
        display_base[--len] = '\0';
}

int cmd_copy_in(int argc, char **argv)
{
    if (argc != 9)
        fail("usage: jpod-helper copy-in ROOTFS PID MONITORPID MONITORSTART PATH FLAGS SPECFILE");
    char path[PATH_MAX];
    if (strlen(argv[6]) >= sizeof path)
        fail("copy: the path %s is too long", argv[6]);
    snprintf(path, sizeof path, "%s", argv[6]);
    int into_dir = 0;
    char flags[256];
    snprintf(flags, sizeof flags, "%s", argv[7]);
    for (char *save, *f = strtok_r(flags, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        if (!strcmp(f, "overwrite")) overwrite = 1;
        else if (!strcmp(f, "into-dir")) into_dir = 1;
        else if (strcmp(f, "-")) fail("copy: unknown flag \"%s\" (overwrite, into-dir)", f);
    }
    int root = open_root(argv);
    follow_last_symlinks(root, path, sizeof path);
    /* An existing directory receives the entries under their own names; otherwise the stream's top entry
       takes PATH's last name in PATH's parent directory (which must exist, as in podman). */
    int base = inroot_open(root, path, O_PATH | O_DIRECTORY);
    char name[NAME_MAX + 1] = "";
    int dest_is_file = 0;
    set_display_base(path, base >= 0);
    if (base < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            die("copy: resolve %s in the container", path);
        if (into_dir)
            exit(EXIT_NOT_A_DIRECTORY);   /* podman: "destination must be a directory when copying from stdin" */
        if (path[strlen(path) - 1] == '/')
            not_in_container();   /* "DIR/" names a directory that is not there */
        struct stat st;
        int existing = inroot_open(root, path, O_PATH);
        if (existing >= 0) {
            dest_is_file = fstat(existing, &st) == 0 && !S_ISDIR(st.st_mode);
            close(existing);
        }
        base = inroot_parent(root, path, name);
        if (base < 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                not_in_container();
            die("copy: resolve the parent of %s in the container", path);
        }
    }
    extract(base, name, dest_is_file);
    close_stopped_root();
    return 0;
}

/* ---------------------------------------------------------------- copy-out */

static void emit(const void *buf, size_t len)
{
    if (write_all(1, buf, len) < 0)
        die("copy: write the tar stream");
}

static void emit_pax(const char *key, const char *value, char *pax, size_t *used)
{
    size_t klen = strlen(key), vlen = strlen(value);
    size_t len = klen + vlen + 3, digits = 1;   /* " " "=" "\n" */
    for (;;) {   /* the length counts its own digits */
        char tmp[32];
        size_t d = (size_t)snprintf(tmp, sizeof tmp, "%zu", len + digits);
        if (d == digits)
            break;
        digits = d;
    }
    *used += (size_t)sprintf(pax + *used, "%zu %s=%s\n", len + digits, key, value);
}

static void emit_header(const char *name, const char *link, char type, const struct stat *st, unsigned long long size)
{
    static char pax[3 * PATH_MAX];
    size_t used = 0;
    if (strlen(name) >= 100)
        emit_pax("path", name, pax, &used);
    if (link && strlen(link) >= 100)
        emit_pax("linkpath", link, pax, &used);
    if (size > 077777777777ULL) {
        char v[32];
        snprintf(v, sizeof v, "%llu", size);
        emit_pax("size", v, pax, &used);
    }
    unsigned char h[BLOCK];
    if (used) {
        memset(h, 0, sizeof h);
        snprintf((char *)h, 100, "PaxHeaders/%.80s", name);
        put_octal((char *)h + 100, 8, 0644);
        put_octal((char *)h + 108, 8, 0);
        put_octal((char *)h + 116, 8, 0);
        put_octal((char *)h + 124, 12, used);
        put_octal((char *)h + 136, 12, 0);
        h[156] = 'x';
        memcpy(h + 257, "ustar", 6);
        memcpy(h + 263, "00", 2);
        set_checksum(h);
        emit(h, BLOCK);
        emit(pax, used);
        static const char zeros[BLOCK];
        emit(zeros, (size_t)padding(used));
    }
    memset(h, 0, sizeof h);
    memcpy(h, name, strnlen(name, 100));
    put_octal((char *)h + 100, 8, st->st_mode & 07777);
    put_octal((char *)h + 108, 8, st->st_uid > 07777777 ? 0 : st->st_uid);
    put_octal((char *)h + 116, 8, st->st_gid > 07777777 ? 0 : st->st_gid);
    put_octal((char *)h + 124, 12, size > 077777777777ULL ? 0 : size);
    put_octal((char *)h + 136, 12, st->st_mtime < 0 ? 0 : (unsigned long long)st->st_mtime);
    h[156] = (unsigned char)type;
    if (link)
        memcpy(h + 157, link, strnlen(link, 100));
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    set_checksum(h);
    emit(h, BLOCK);
}

static void emit_file(int fd, const struct stat *st, const char *name)
{
    unsigned long long size = (unsigned long long)st->st_size, left = size;
    emit_header(name, NULL, '0', st, size);
    char buf[65536];
    while (left > 0) {   /* the header's size is what goes out: a file that grows is cut, one that shrinks padded */
        ssize_t n = read(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("copy: read %s", name);
        if (n == 0) {
            memset(buf, 0, sizeof buf);
            n = (ssize_t)(left < sizeof buf ? left : sizeof buf);
        }
        emit(buf, (size_t)n);
        left -= (unsigned long long)n;
    }
    static const char zeros[BLOCK];
    emit(zeros, (size_t)padding(size));
}

/* One object, named name in the stream, found as entry in the directory dir; never follows a symlink. */
static void emit_tree(int dir, const char *entry, const char *name)
{
    struct stat st;
    if (fstatat(dir, entry, &st, AT_SYMLINK_NOFOLLOW) < 0)
        die("copy: stat %s", name);
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(dir, entry, target, sizeof target - 1);
        if (n < 0)
            die("copy: read symlink %s", name);
        target[n] = '\0';
        emit_header(name, target, '2', &st, 0);
        return;
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return;   /* devices, fifos and sockets are not copied */
    int fd = openat(dir, entry, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
    if (fd < 0)
        die("copy: open %s", name);
    struct stat now;
    if (fstat(fd, &now) < 0)
        die("copy: stat %s", name);
    if ((now.st_mode & S_IFMT) != (st.st_mode & S_IFMT))
        fail("copy: %s changed while it was copied", name);
    if (S_ISREG(now.st_mode)) {
        emit_file(fd, &now, name);
        close(fd);
        return;
    }
    char dirname[PATH_MAX];
    if ((size_t)snprintf(dirname, sizeof dirname, "%s/", name) >= sizeof dirname)
        fail("copy: %s: path too long", name);
    emit_header(dirname, NULL, '5', &now, 0);
    DIR *d = fdopendir(fd);
    if (!d)
        die("copy: read directory %s", name);
    for (struct dirent *de; (errno = 0, de = readdir(d));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char child[PATH_MAX];
        if ((size_t)snprintf(child, sizeof child, "%s/%s", name, de->d_name) >= sizeof child)
            fail("copy: %s/%s: path too long", name, de->d_name);
        emit_tree(dirfd(d), de->d_name, child);
    }
    if (errno)
        die("copy: read directory %s", name);
    closedir(d);
}

int cmd_copy_out(int argc, char **argv)
{
    if (argc != 9)
        fail("usage: jpod-helper copy-out ROOTFS PID MONITORPID MONITORSTART PATH - SPECFILE");
    const char *path = argv[6];
    int root = open_root(argv);
    /* PATH's own symlinks (its last component's too, as jpod always did) are followed inside the root; below
       it, nothing is */
    int obj = inroot_open(root, path, O_PATH);
    struct stat st;
    if (obj < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            not_in_container();
        die("copy: resolve %s in the container", path);
    }
    if (fstat(obj, &st) < 0)
        die("copy: stat %s", path);
    if (S_ISDIR(st.st_mode)) {
        emit_tree(obj, ".", "top");
    } else if (S_ISREG(st.st_mode)) {
        /* an O_PATH fd cannot be read, and reopening it through /proc would be a magic link: resolve once more
           for reading, and take only a regular file (the name may have changed meanwhile; it is still inside) */
        int fd = inroot_open(root, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                not_in_container();
            die("copy: open %s", path);
        }
        if (fstat(fd, &st) < 0)
            die("copy: stat %s", path);
        if (!S_ISREG(st.st_mode))
            fail("copy: %s changed while it was copied", path);
        emit_file(fd, &st, "top");
        close(fd);
    } else {
        fail("copy: %s is not a regular file, a directory or a symlink", path);
    }
    static const char zeros[2 * BLOCK];
    emit(zeros, sizeof zeros);
    close_stopped_root();
    return 0;
}
