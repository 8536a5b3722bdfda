/*
 * The name server of user networks, run by the network namespace holder (bridge.c): one UDP socket on port 53 of
 * the holder's namespace answers on every bridge's gateway address. The network a query came to is told by its
 * destination address (IP_PKTINFO); its names are in DIR/dns/<gateway> (written by Java, atomically: lines
 * "IP NAME…" with an IPv4 or IPv6 address, and "#internal" for a network without a way out), read at every query.
 * A, AAAA and PTR (in-addr.arpa and ip6.arpa) of those names are answered, other types of them get an empty
 * answer; any other name is forwarded unchanged to slirp4netns's forwarder (10.0.2.3) and the reply relayed,
 * except on internal networks (REFUSED, nothing leaves them).
 */
#define _GNU_SOURCE
#include "dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_PENDING 64
#define FORWARD_TIMEOUT_S 5
#define UPSTREAM "10.0.2.3"

struct pending {
    int fd;
    time_t deadline;
    struct sockaddr_in client;
    struct in_addr local;
};

static struct pending pend[MAX_PENDING];
static const char *dns_dir;

/* The same address in two spellings ("fd00::2" and "fd00:0::2")? Both parsed; a name is not an address. */
static int same_address(const char *a, const char *b)
{
    unsigned char x[16], y[16];
    int fa = strchr(a, ':') ? AF_INET6 : AF_INET, fb = strchr(b, ':') ? AF_INET6 : AF_INET;
    return fa == fb && inet_pton(fa, a, x) == 1 && inet_pton(fb, b, y) == 1 && !memcmp(x, y, fa == AF_INET ? 4 : 16);
}

/* Looks the query's network up in its file. A (qtype 1) and AAAA (28): the address of the name KEY on a line of
   that family; PTR (12): the first name of the line whose address is KEY. 1 found (out filled), 0 the name is the
   network's but has no record of that type (an empty answer), -2 not a name of the network, -1 no such network;
   *internal set. */
static int lookup(struct in_addr local, const char *key, unsigned qtype, char *out, size_t outlen, int *internal)
{
    char path[4096], gw[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &local, gw, sizeof gw);
    snprintf(path, sizeof path, "%s/dns/%s", dns_dir, gw);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char line[4096];
    int found = -2;
    *internal = 0;
    while (found != 1 && fgets(line, sizeof line, f)) {
        if (!strncmp(line, "#internal", 9)) {
            *internal = 1;
            continue;
        }
        char *save = NULL, *ip = strtok_r(line, " \t\n", &save);
        if (!ip || *ip == '#')
            continue;
        char *first = strtok_r(NULL, " \t\n", &save);
        if (qtype == 12) {
            if (first && same_address(ip, key)) {
                snprintf(out, outlen, "%s", first);
                found = 1;
            }
            continue;
        }
        int v6 = strchr(ip, ':') != NULL;
        for (char *n = first; n; n = strtok_r(NULL, " \t\n", &save))
            if (!strcasecmp(n, key)) {
                if ((qtype == 1 && !v6) || (qtype == 28 && v6)) {
                    snprintf(out, outlen, "%s", ip);
                    found = 1;
                } else {
                    found = 0;
                }
                break;
            }
    }
    fclose(f);
    return found;
}

/* The question's name as dotted text (no trailing dot); the offset after it, or -1. */
static int read_name(const unsigned char *p, int len, int off, char *name, size_t cap)
{
    size_t n = 0;
    while (off < len && p[off]) {
        int l = p[off];
        if (l > 63 || off + 1 + l > len || n + (size_t)l + 2 > cap)
            return -1;
        if (n)
            name[n++] = '.';
        memcpy(name + n, p + off + 1, (size_t)l);
        n += (size_t)l;
        off += 1 + l;
    }
    if (off >= len)
        return -1;
    name[n] = 0;
    return off + 1;
}

/* "4.3.2.1.in-addr.arpa" → "1.2.3.4", and the 32 nibbles of an ip6.arpa name → the IPv6 address; 0 or -1. */
static int ptr_address(const char *name, char *ip, size_t cap)
{
    unsigned a, b, c, d;
    char rest[64];
    if (sscanf(name, "%u.%u.%u.%u.%63s", &d, &c, &b, &a, rest) == 5 && !strcasecmp(rest, "in-addr.arpa")) {
        snprintf(ip, cap, "%u.%u.%u.%u", a, b, c, d);
        return 0;
    }
    unsigned char addr[16] = { 0 };
    const char *p = name;
    for (int i = 0; i < 32; i++, p += 2) {
        if (!isxdigit((unsigned char)p[0]) || p[1] != '.')
            return -1;
        int v = isdigit((unsigned char)p[0]) ? p[0] - '0' : tolower((unsigned char)p[0]) - 'a' + 10;
        int at = 31 - i;   /* the last nibble comes first */
        addr[at / 2] |= (unsigned char)(at % 2 ? v : v << 4);
    }
    if (strcasecmp(p, "ip6.arpa") || !inet_ntop(AF_INET6, addr, ip, (socklen_t)cap))
        return -1;
    return 0;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

/* Sends buf to the client from the gateway address it asked. */
static void reply(int sock, const void *buf, size_t len, const struct sockaddr_in *client, struct in_addr local)
{
    struct iovec iov = { (void *)buf, len };
    char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    memset(cbuf, 0, sizeof cbuf);
    struct msghdr m = { (void *)client, sizeof *client, &iov, 1, cbuf, sizeof cbuf, 0 };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    struct in_pktinfo pi;
    memset(&pi, 0, sizeof pi);
    pi.ipi_spec_dst = local;
    memcpy(CMSG_DATA(c), &pi, sizeof pi);
    sendmsg(sock, &m, MSG_DONTWAIT);
}

static void forward(const unsigned char *q, size_t len, const struct sockaddr_in *client, struct in_addr local)
{
    time_t now = time(NULL);
    struct pending *slot = NULL;
    for (int i = 0; i < MAX_PENDING; i++) {
        if (pend[i].fd >= 0 && pend[i].deadline < now) {
            close(pend[i].fd);
            pend[i].fd = -1;
        }
        if (pend[i].fd < 0 && !slot)
            slot = &pend[i];
    }
    if (!slot)
        return;   /* too many in flight: the client asks again */
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return;
    struct sockaddr_in up = { AF_INET, htons(53), { 0 }, { 0 } };
    inet_pton(AF_INET, UPSTREAM, &up.sin_addr);
    if (sendto(fd, q, len, 0, (struct sockaddr *)&up, sizeof up) < 0) {
        close(fd);
        return;
    }
    slot->fd = fd;
    slot->deadline = now + FORWARD_TIMEOUT_S;
    slot->client = *client;
    slot->local = local;
}

static void answer(int sock, unsigned char *q, size_t len, const struct sockaddr_in *client, struct in_addr local)
{
    if (len < 12 || (q[2] & 0x80))
        return;   /* not a query */
    char name[256];
    int end = read_name(q, (int)len, 12, name, sizeof name);
    if (end < 0 || end + 4 > (int)len)
        return;
    unsigned qtype = (unsigned)(q[end] << 8 | q[end + 1]);
    char key[256], value[256];
    int internal = 0, found;
    if (qtype == 12)
        found = ptr_address(name, key, sizeof key) < 0 ? -2 : lookup(local, key, qtype, value, sizeof value, &internal);
    else
        found = lookup(local, name, qtype, value, sizeof value, &internal);
    if (found == -2 && qtype != 12 && qtype != 1 && qtype != 28) {
        /* another type (MX, TXT, …) of a name of ours: an empty answer, no question to the outside */
        char any[256];
        if (lookup(local, name, 1, any, sizeof any, &internal) >= 0)
            found = 0;
    }
    if (found == -1)
        return;   /* not a network of ours */
    if (found == -2) {
        if (!internal) {
            forward(q, len, client, local);
            return;
        }
        q[2] = (unsigned char)(0x80 | (q[2] & 0x01)); /* a response, recursion desired copied */
        q[3] = 0x80 | 5;                                /* recursion available, REFUSED */
        put16(q + 6, 0);                                /* the question only */
        put16(q + 8, 0);
        put16(q + 10, 0);
        reply(sock, q, (size_t)end + 4, client, local);
        return;
    }
    unsigned char r[512];
    size_t qlen = (size_t)end + 4;
    if (qlen > 256)
        return;
    memcpy(r, q, qlen);
    r[2] = (unsigned char)(0x84 | (q[2] & 0x01));   /* response, authoritative, rd copied */
    r[3] = 0x80;                                     /* recursion available, NOERROR */
    put16(r + 6, 0);
    put16(r + 8, 0);
    put16(r + 10, 0);
    size_t n = qlen;
    if (found == 1) {
        put16(r + 6, 1);
        put16(r + n, 0xc00c);   /* the question's name */
        put16(r + n + 2, qtype);
        put16(r + n + 4, 1);
        r[n + 6] = r[n + 7] = 0;
        put16(r + n + 8, 60);   /* TTL: containers come and go */
        n += 10;
        if (qtype == 1 || qtype == 28) {
            unsigned char a[16];
            size_t alen = qtype == 1 ? 4 : 16;
            inet_pton(qtype == 1 ? AF_INET : AF_INET6, value, a);
            put16(r + n, (unsigned)alen);
            memcpy(r + n + 2, a, alen);
            n += 2 + alen;
        } else {
            size_t at = n + 2, l = 0;
            for (char *lab = strtok(value, "."); lab && at + strlen(lab) + 2 < sizeof r; lab = strtok(NULL, ".")) {
                r[at] = (unsigned char)strlen(lab);
                memcpy(r + at + 1, lab, strlen(lab));
                at += 1 + strlen(lab);
            }
            r[at++] = 0;
            l = at - n - 2;
            put16(r + n, (unsigned)l);
            n = at;
        }
    }
    /* found == 0: a name of ours without a record of the type: NOERROR and no data */
    reply(sock, r, n, client, local);
}

void dns_serve(const char *dir)
{
    dns_dir = dir;
    for (int i = 0; i < MAX_PENDING; i++)
        pend[i].fd = -1;
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in any = { AF_INET, htons(53), { INADDR_ANY }, { 0 } };
    if (sock < 0 || setsockopt(sock, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0
            || bind(sock, (struct sockaddr *)&any, sizeof any) < 0) {
        for (;;)
            pause();   /* no name server: the holder still holds the namespace */
    }
    for (;;) {
        struct pollfd fds[MAX_PENDING + 1];
        int idx[MAX_PENDING + 1], n = 1;
        fds[0].fd = sock;
        fds[0].events = POLLIN;
        for (int i = 0; i < MAX_PENDING; i++)
            if (pend[i].fd >= 0) {
                fds[n].fd = pend[i].fd;
                fds[n].events = POLLIN;
                idx[n++] = i;
            }
        if (poll(fds, (nfds_t)n, 1000) < 0 && errno != EINTR)
            continue;
        for (int k = 1; k < n; k++) {
            struct pending *p = &pend[idx[k]];
            if (!(fds[k].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            unsigned char buf[4096];
            ssize_t got = recv(p->fd, buf, sizeof buf, 0);
            if (got > 0)
                reply(sock, buf, (size_t)got, &p->client, p->local);
            close(p->fd);
            p->fd = -1;
        }
        if (fds[0].revents & POLLIN) {
            unsigned char buf[4096];
            struct sockaddr_in client;
            char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
            struct iovec iov = { buf, sizeof buf };
            struct msghdr m = { &client, sizeof client, &iov, 1, cbuf, sizeof cbuf, 0 };
            ssize_t got = recvmsg(sock, &m, MSG_DONTWAIT);
            if (got <= 0)
                continue;
            struct in_addr local = { 0 };
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
                if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
                    local = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_addr;
            answer(sock, buf, (size_t)got, &client, local);
        }
    }
}
