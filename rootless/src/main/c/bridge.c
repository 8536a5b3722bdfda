/*
 * User-defined networks: the holder of the user's network namespace, and veth pairs from a container into a
 * network's bridge there, all through rtnetlink (no ip(8)). See bridge.h for the modes and spec keys.
 *
 * Why a holder process: a network namespace lives while a process (or a bind mount) holds it; a process can be
 * found by pid from anywhere in the user's namespaces, dies with a reboot, and can be killed to reset everything
 * (its slirp4netns follows through --exit-fd). Every step that fails says which and why (errno) and exits 125.
 */
#define _GNU_SOURCE
#include "bridge.h"
#include "lifecycle.h"
#include "dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_ENGINE 125
#define MAX_NETIFS 16
#define READY_TIMEOUT_MS 10000

struct netif {
    char *ifname, *hostveth, *bridge;
    struct in_addr addr, gateway;
    int prefix, gw_prefix, mtu, default_route;
    int has6;                      /* an IPv6 address too (a network created with --ipv6) */
    struct in6_addr addr6, gateway6;
    int prefix6, gw_prefix6;
};

static struct {
    pid_t holder;
    struct netif ifs[MAX_NETIFS];
    size_t nifs;
    int go_w, done_r;
    pid_t worker;
} br = { 0, { { 0 } }, 0, -1, -1, 0 };

static char step[256];

/* Records the failing step for the caller's one line; returns -1. */
__attribute__((format(printf, 2, 3))) static int failed(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(step, sizeof step, fmt, ap);
    va_end(ap);
    errno = err;
    return -1;
}

static void report(void)
{
    print_error(step, errno);
}

/* ---------------------------------------------------------------- parsing */

/* "ADDR/PREFIX" of the family (AF_INET or AF_INET6) into addr (a struct in_addr or in6_addr) and prefix. */
static int parse_cidr(const char *s, int family, void *addr, int *prefix)
{
    char buf[80];
    snprintf(buf, sizeof buf, "%s", s);
    char *slash = strchr(buf, '/');
    if (!slash)
        return -1;
    *slash = 0;
    char *end;
    long p = strtol(slash + 1, &end, 10);
    long max = family == AF_INET ? 32 : 128;
    if (*end || p < 0 || p > max || inet_pton(family, buf, addr) != 1)
        return -1;
    *prefix = (int)p;
    return 0;
}

/* IFNAME HOSTVETH BRIDGE ADDR/PREFIX GATEWAY/PREFIX MTU DEFAULTROUTE [ADDR6/PREFIX GATEWAY6/PREFIX], tab-separated
   (value is modified). */
static int parse_netif(char *value, struct netif *n)
{
    char *f[9];
    for (int i = 0; i < 7; i++) {
        f[i] = strsep(&value, "\t");
        if (!f[i])
            return -1;
    }
    n->has6 = 0;
    if (value) {
        f[7] = strsep(&value, "\t");
        f[8] = strsep(&value, "\t");
        if (!f[8] || value || parse_cidr(f[7], AF_INET6, &n->addr6, &n->prefix6) < 0 || parse_cidr(f[8], AF_INET6, &n->gateway6, &n->gw_prefix6) < 0)
            return -1;
        n->has6 = 1;
    }
    n->ifname = f[0];
    n->hostveth = f[1];
    n->bridge = f[2];
    for (int i = 0; i < 3; i++)
        if (!*f[i] || strlen(f[i]) >= IFNAMSIZ || strchr(f[i], '/'))
            return -1;
    if (parse_cidr(f[3], AF_INET, &n->addr, &n->prefix) < 0 || parse_cidr(f[4], AF_INET, &n->gateway, &n->gw_prefix) < 0)
        return -1;
    n->mtu = atoi(f[5]);
    n->default_route = !strcmp(f[6], "1");
    return 0;
}

int bridge_spec_key(const char *key, char *value)
{
    if (!strcmp(key, "netns_holder")) {
        br.holder = (pid_t)atoi(value);
        if (br.holder <= 0) {
            fprintf(stderr, "jpod-helper: run: spec: netns_holder \"%s\" is not a pid\n", value);
            exit(EXIT_ENGINE);
        }
        return 1;
    }
    if (!strcmp(key, "netif")) {
        if (br.nifs == MAX_NETIFS || parse_netif(value, &br.ifs[br.nifs]) < 0) {
            fprintf(stderr, "jpod-helper: run: spec: bad netif record (or more than %d)\n", MAX_NETIFS);
            exit(EXIT_ENGINE);
        }
        br.nifs++;
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- rtnetlink */

struct nl {
    char buf[2048];
    struct nlmsghdr *h;
};

static void nl_begin(struct nl *m, int type, int flags, const void *body, size_t len)
{
    memset(m->buf, 0, sizeof m->buf);
    m->h = (struct nlmsghdr *)m->buf;
    m->h->nlmsg_type = (unsigned short)type;
    m->h->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
    m->h->nlmsg_len = NLMSG_LENGTH(len);
    memcpy(NLMSG_DATA(m->h), body, len);
}

static struct rtattr *nl_attr(struct nl *m, int type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *)(m->buf + NLMSG_ALIGN(m->h->nlmsg_len));
    a->rta_type = (unsigned short)type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    if (len)
        memcpy(RTA_DATA(a), data, len);
    m->h->nlmsg_len = NLMSG_ALIGN(m->h->nlmsg_len) + RTA_ALIGN(a->rta_len);
    return a;
}

static void nl_attr_str(struct nl *m, int type, const char *s)
{
    nl_attr(m, type, s, strlen(s) + 1);
}

static void nl_nest_end(struct nl *m, struct rtattr *a)
{
    a->rta_len = (unsigned short)((char *)m->buf + m->h->nlmsg_len - (char *)a);
}

static int nl_open(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -1;
    struct timeval tv = { 5, 0 };   /* the kernel answers at once; never hang on it */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Sends one request and reads its ack: 0, or -1 with errno = the kernel's error. */
static int nl_talk(int fd, struct nl *m)
{
    static unsigned seq;
    m->h->nlmsg_seq = ++seq;
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof sa);
    sa.nl_family = AF_NETLINK;
    if (sendto(fd, m->buf, m->h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
        return -1;
    char rb[8192];
    for (;;) {
        ssize_t got = recv(fd, rb, sizeof rb, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        int n = (int)got;
        for (struct nlmsghdr *r = (struct nlmsghdr *)rb; NLMSG_OK(r, n); r = NLMSG_NEXT(r, n)) {
            if (r->nlmsg_seq != m->h->nlmsg_seq || r->nlmsg_type != NLMSG_ERROR)
                continue;
            int e = ((struct nlmsgerr *)NLMSG_DATA(r))->error;
            if (e == 0)
                return 0;
            errno = -e;
            return -1;
        }
    }
}

static int link_set(int fd, unsigned index, unsigned master, int mtu)
{
    struct ifinfomsg ifi;
    memset(&ifi, 0, sizeof ifi);
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = (int)index;
    ifi.ifi_flags = IFF_UP;
    ifi.ifi_change = IFF_UP;
    struct nl m;
    nl_begin(&m, RTM_NEWLINK, 0, &ifi, sizeof ifi);
    if (master)
        nl_attr(&m, IFLA_MASTER, &master, sizeof master);
    if (mtu > 0)
        nl_attr(&m, IFLA_MTU, &mtu, sizeof mtu);
    return nl_talk(fd, &m);
}

/* A bridge, or a veth pair whose peer is created straight in the namespace peer_ns (an fd). */
static int link_add(int fd, const char *name, const char *kind, const char *peer, int peer_ns, int mtu)
{
    struct ifinfomsg ifi;
    memset(&ifi, 0, sizeof ifi);
    ifi.ifi_family = AF_UNSPEC;
    struct nl m;
    nl_begin(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
    nl_attr_str(&m, IFLA_IFNAME, name);
    if (mtu > 0)
        nl_attr(&m, IFLA_MTU, &mtu, sizeof mtu);
    struct rtattr *info = nl_attr(&m, IFLA_LINKINFO, NULL, 0);
    nl_attr_str(&m, IFLA_INFO_KIND, kind);
    if (peer) {
        struct rtattr *data = nl_attr(&m, IFLA_INFO_DATA, NULL, 0);
        struct rtattr *p = nl_attr(&m, VETH_INFO_PEER, &ifi, sizeof ifi);
        nl_attr_str(&m, IFLA_IFNAME, peer);
        nl_attr(&m, IFLA_NET_NS_FD, &peer_ns, sizeof peer_ns);
        if (mtu > 0)
            nl_attr(&m, IFLA_MTU, &mtu, sizeof mtu);
        nl_nest_end(&m, p);
        nl_nest_end(&m, data);
    }
    nl_nest_end(&m, info);
    return nl_talk(fd, &m);
}

static int link_del(int fd, unsigned index)
{
    struct ifinfomsg ifi;
    memset(&ifi, 0, sizeof ifi);
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = (int)index;
    struct nl m;
    nl_begin(&m, RTM_DELLINK, 0, &ifi, sizeof ifi);
    return nl_talk(fd, &m);
}

/* An address (AF_INET: 4 bytes, AF_INET6: 16) on a link; one already there is fine (two containers creating one
   bridge at once). IPv6 addresses skip duplicate address detection: IPAM made them unique, and a tentative
   address could not be used for the first second. */
static int addr_add(int fd, unsigned index, int family, const void *a, int prefix)
{
    struct ifaddrmsg ifa;
    memset(&ifa, 0, sizeof ifa);
    ifa.ifa_family = (unsigned char)family;
    ifa.ifa_prefixlen = (unsigned char)prefix;
    ifa.ifa_index = index;
    size_t len = family == AF_INET ? 4 : 16;
    struct nl m;
    nl_begin(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
    nl_attr(&m, IFA_LOCAL, a, len);
    nl_attr(&m, IFA_ADDRESS, a, len);
    if (family == AF_INET6) {
        unsigned flags = IFA_F_NODAD;
        nl_attr(&m, IFA_FLAGS, &flags, sizeof flags);
    }
    if (nl_talk(fd, &m) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int route_default(int fd, int family, const void *gw)
{
    struct rtmsg rt;
    memset(&rt, 0, sizeof rt);
    rt.rtm_family = (unsigned char)family;
    rt.rtm_table = RT_TABLE_MAIN;
    rt.rtm_protocol = RTPROT_BOOT;
    rt.rtm_scope = RT_SCOPE_UNIVERSE;
    rt.rtm_type = RTN_UNICAST;
    struct nl m;
    nl_begin(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof rt);
    nl_attr(&m, RTA_GATEWAY, gw, family == AF_INET ? 4 : 16);
    return nl_talk(fd, &m);
}

/* ---------------------------------------------------------------- attaching a container */

static int open_netns(pid_t pid, const char *who)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return failed(errno, "open the network namespace of the %s (%s)", who, path);
    return fd;
}

/* The network's bridge in the holder's namespace, created with the gateway address on first use. */
static int ensure_bridge(int nl, const struct netif *n, unsigned *index)
{
    *index = if_nametoindex(n->bridge);
    if (*index)
        return 0;
    if (link_add(nl, n->bridge, "bridge", NULL, -1, n->mtu) < 0 && errno != EEXIST)
        return failed(errno, "create bridge %s", n->bridge);
    *index = if_nametoindex(n->bridge);
    if (!*index)
        return failed(errno, "find bridge %s", n->bridge);
    if (addr_add(nl, *index, AF_INET, &n->gateway, n->gw_prefix) < 0)
        return failed(errno, "set the address of bridge %s", n->bridge);
    if (n->has6 && addr_add(nl, *index, AF_INET6, &n->gateway6, n->gw_prefix6) < 0)
        return failed(errno, "set the IPv6 address of bridge %s (is IPv6 disabled in the holder's namespace?)", n->bridge);
    if (link_set(nl, *index, 0, 0) < 0)
        return failed(errno, "set bridge %s up", n->bridge);
    return 0;
}

/* Veth pairs from the container's namespace into the bridges, then addresses and the default route inside.
   Runs in a process of its own: it leaves its own network namespace. */
static int attach(pid_t holder, pid_t container, const struct netif *ifs, size_t nifs)
{
    int cns = open_netns(container, "container");
    if (cns < 0)
        return -1;
    int hns = open_netns(holder, "network namespace holder");
    if (hns < 0)
        return -1;
    if (setns(hns, CLONE_NEWNET) < 0)
        return failed(errno, "join the network namespace of the holder %d", (int)holder);
    int nl = nl_open();
    if (nl < 0)
        return failed(errno, "open a netlink socket");
    for (size_t i = 0; i < nifs; i++) {
        const struct netif *n = &ifs[i];
        unsigned bidx, vidx;
        if (ensure_bridge(nl, n, &bidx) < 0)
            return -1;
        if (link_add(nl, n->hostveth, "veth", n->ifname, cns, n->mtu) < 0)
            return failed(errno, "create veth pair %s/%s", n->hostveth, n->ifname);
        vidx = if_nametoindex(n->hostveth);
        if (!vidx)
            return failed(errno, "find veth %s", n->hostveth);
        if (link_set(nl, vidx, bidx, 0) < 0)
            return failed(errno, "attach veth %s to bridge %s", n->hostveth, n->bridge);
    }
    close(nl);
    if (setns(cns, CLONE_NEWNET) < 0)
        return failed(errno, "join the container's network namespace");
    nl = nl_open();
    if (nl < 0)
        return failed(errno, "open a netlink socket");
    unsigned lo = if_nametoindex("lo");
    if (lo && link_set(nl, lo, 0, 0) < 0)
        return failed(errno, "set lo up");
    for (size_t i = 0; i < nifs; i++) {
        const struct netif *n = &ifs[i];
        unsigned idx = if_nametoindex(n->ifname);
        if (!idx)
            return failed(errno, "find %s in the container", n->ifname);
        if (addr_add(nl, idx, AF_INET, &n->addr, n->prefix) < 0)
            return failed(errno, "set the address of %s", n->ifname);
        if (n->has6 && addr_add(nl, idx, AF_INET6, &n->addr6, n->prefix6) < 0)
            return failed(errno, "set the IPv6 address of %s (is IPv6 disabled in the container?)", n->ifname);
        if (link_set(nl, idx, 0, 0) < 0)
            return failed(errno, "set %s up", n->ifname);
        if (n->default_route && route_default(nl, AF_INET, &n->gateway) < 0)
            return failed(errno, "add the default route via the gateway on %s", n->ifname);
        if (n->default_route && n->has6 && route_default(nl, AF_INET6, &n->gateway6) < 0)
            return failed(errno, "add the IPv6 default route via the gateway on %s", n->ifname);
    }
    close(nl);
    close(cns);
    close(hns);
    return 0;
}

void bridge_fork(void)
{
    if (!br.nifs)
        return;
    if (!br.holder) {
        fprintf(stderr, "jpod-helper: run: spec: netif records without netns_holder\n");
        exit(EXIT_ENGINE);
    }
    int go[2], done[2];
    if (pipe2(go, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork the network attach worker");
    if (pid == 0) {
        close(go[1]);
        close(done[0]);
        pid_t child;
        if (read(go[0], &child, sizeof child) != sizeof child)
            _exit(0);   /* the container never got so far */
        char ok = attach(br.holder, child, br.ifs, br.nifs) < 0 ? 0 : 1;
        if (!ok)
            report();
        if (write(done[1], &ok, 1) != 1)
            _exit(EXIT_ENGINE);
        _exit(ok ? 0 : EXIT_ENGINE);
    }
    close(go[0]);
    close(done[1]);
    br.worker = pid;
    br.go_w = go[1];
    br.done_r = done[0];
}

int bridge_start(pid_t child)
{
    if (!br.nifs)
        return 0;
    char ok = 0;
    int r = write(br.go_w, &child, sizeof child) == sizeof child
            && read(br.done_r, &ok, 1) == 1 && ok ? 0 : -1;
    close(br.go_w);
    close(br.done_r);
    br.go_w = br.done_r = -1;
    while (waitpid(br.worker, NULL, 0) < 0 && errno == EINTR) {
    }   /* it exits right after its answer (or has died); only it, the monitor's other children are not ours */
    if (r < 0 && !ok)
        fprintf(stderr, "jpod-helper: the container's network could not be attached\n");
    return r;
}

int cmd_net_attach(int argc, char **argv)
{
    if (argc < 5)
        fail("usage: jpod-helper net-attach HOLDERPID CONTAINERPID NETIF...");
    struct netif ifs[MAX_NETIFS];
    size_t n = 0;
    for (int i = 4; i < argc && n < MAX_NETIFS; i++)
        if (parse_netif(argv[i], &ifs[n++]) < 0)
            fail("net-attach: bad interface record \"%s\"", argv[i]);
    if (attach((pid_t)atoi(argv[2]), (pid_t)atoi(argv[3]), ifs, n) < 0) {
        report();
        return EXIT_ENGINE;
    }
    return 0;
}

int cmd_link_del(int argc, char **argv)
{
    if (argc != 4)
        fail("usage: jpod-helper link-del HOLDERPID NAME");
    int ns = open_netns((pid_t)atoi(argv[2]), "network namespace holder");
    if (ns < 0 || setns(ns, CLONE_NEWNET) < 0) {
        if (ns >= 0)
            failed(errno, "join the holder's network namespace");
        report();
        return EXIT_ENGINE;
    }
    int nl = nl_open();
    unsigned idx = if_nametoindex(argv[3]);
    if (!idx)
        return 0;   /* never created, or gone: nothing to delete */
    if (nl < 0 || link_del(nl, idx) < 0)
        die("delete link %s", argv[3]);
    return 0;
}

int cmd_netns_exec(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--"))
        fail("usage: jpod-helper netns-exec PID -- CMD...");
    int ns = open_netns((pid_t)atoi(argv[2]), "network namespace holder");
    if (ns < 0) {
        report();
        return EXIT_ENGINE;
    }
    if (setns(ns, CLONE_NEWNET) < 0)
        die("join the network namespace of %s", argv[2]);
    execvp(argv[4], argv + 4);
    die("exec %s", argv[4]);
}

/* ---------------------------------------------------------------- the holder */

static int wait_readable(int fd, int ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    int r;
    do
        r = poll(&p, 1, ms);
    while (r < 0 && errno == EINTR);
    return r;
}

int cmd_netns_holder(int argc, char **argv)
{
    if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "ipv6")))
        fail("usage: jpod-helper netns-holder DIR SLIRP4NETNS [ipv6]");
    const char *dir = argv[2], *slirp = argv[3];
    int ipv6 = argc == 5;
    int hready[2], ex[2], sready[2];
    if (pipe2(hready, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0 || pipe2(sready, O_CLOEXEC) < 0)
        die("pipe");
    pid_t holder = fork();
    if (holder < 0)
        die("fork the network namespace holder");
    if (holder == 0) {
        close(hready[0]);
        close(ex[0]);
        close(sready[0]);
        close(sready[1]);
        setsid();
        prctl(PR_SET_NAME, "jpod-netns", 0, 0, 0);
        int err = 0;
        if (unshare(CLONE_NEWNET) < 0) {
            err = errno;
            snprintf(step, sizeof step, "unshare the network namespace");
        } else {
            int nl = nl_open();
            unsigned lo = if_nametoindex("lo");
            if (nl < 0 || !lo || link_set(nl, lo, 0, 0) < 0) {
                err = errno;
                snprintf(step, sizeof step, "set lo up in the holder");
            }
            if (nl >= 0)
                close(nl);
            int f = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
            if (!err && (f < 0 || write(f, "1", 1) != 1)) {
                err = errno;
                snprintf(step, sizeof step, "enable forwarding in the holder (/proc/sys/net/ipv4/ip_forward)");
            }
            if (f >= 0)
                close(f);
            f = ipv6 ? open("/proc/sys/net/ipv6/conf/all/forwarding", O_WRONLY | O_CLOEXEC) : -1;
            if (!err && ipv6 && (f < 0 || write(f, "1", 1) != 1)) {
                err = errno;
                snprintf(step, sizeof step, "enable IPv6 forwarding in the holder (/proc/sys/net/ipv6/conf/all/forwarding)");
            }
            if (f >= 0)
                close(f);
            /* slirp4netns configures tap0's IPv6 address and default route by router advertisement, which a
               forwarding interface ignores unless accept_ra is 2; tap0 is made later, so it takes the default */
            f = ipv6 ? open("/proc/sys/net/ipv6/conf/default/accept_ra", O_WRONLY | O_CLOEXEC) : -1;
            if (!err && ipv6 && (f < 0 || write(f, "2", 1) != 1)) {
                err = errno;
                snprintf(step, sizeof step, "accept router advertisements in the holder (/proc/sys/net/ipv6/conf/default/accept_ra)");
            }
            if (f >= 0)
                close(f);
        }
        if (err)
            print_error(step, err);
        if (write(hready[1], &err, sizeof err) != sizeof err || err)
            _exit(EXIT_ENGINE);
        close(hready[1]);
        redirect_stdio_to_null();
        /* ex[1] stays open for as long as we live: slirp4netns's --exit-fd sees it close when we die */
        dns_serve(dir);
    }
    close(hready[1]);
    close(ex[1]);
    int err = -1;
    if (wait_readable(hready[0], READY_TIMEOUT_MS) <= 0 || read(hready[0], &err, sizeof err) != sizeof err || err) {
        kill(holder, SIGKILL);
        if (err < 0)
            fprintf(stderr, "jpod-helper: the network namespace holder did not start\n");
        return EXIT_ENGINE;
    }
    char sock[4096], log[4096];
    snprintf(sock, sizeof sock, "%s/slirp.sock", dir);
    snprintf(log, sizeof log, "%s/slirp.log", dir);
    unlink(sock);
    pid_t s = fork();
    if (s < 0)
        die("fork slirp4netns");
    if (s == 0) {
        close(sready[0]);
        setsid();
        int errfd = fcntl(2, F_DUPFD_CLOEXEC, 3);
        int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0)
            dup2(null, 0);
        if (logfd >= 0) {
            dup2(logfd, 1);
            dup2(logfd, 2);
        }
        if (fcntl(sready[1], F_SETFD, 0) < 0 || fcntl(ex[0], F_SETFD, 0) < 0)
            _exit(EXIT_ENGINE);
        char rfd[32], efd[32], api[4200], pid[16];
        snprintf(rfd, sizeof rfd, "--ready-fd=%d", sready[1]);
        snprintf(efd, sizeof efd, "--exit-fd=%d", ex[0]);
        snprintf(api, sizeof api, "--api-socket=%s", sock);
        snprintf(pid, sizeof pid, "%d", (int)holder);
        char *args[] = { (char *)slirp, "--configure", "--mtu=65520", "--disable-host-loopback", "--enable-sandbox",
                         "--enable-seccomp", rfd, efd, api, pid, "tap0", NULL, NULL };
        if (ipv6) {   /* tap0 gets fd00::100/64 and a default route; the networks' IPv6 goes out masqueraded */
            memmove(args + 2, args + 1, sizeof args - 2 * sizeof *args);
            args[1] = "--enable-ipv6";
        }
        execvp(slirp, args);
        int e = errno;
        if (errfd >= 0)
            dprintf(errfd, "jpod-helper: exec %s: %s (errno %d)\n", slirp, strerror(e), e);
        _exit(127);
    }
    close(sready[1]);
    close(ex[0]);
    char c;
    if (wait_readable(sready[0], READY_TIMEOUT_MS) <= 0 || read(sready[0], &c, 1) != 1) {
        kill(holder, SIGKILL);
        kill(s, SIGKILL);
        fprintf(stderr, "jpod-helper: slirp4netns for the network namespace did not become ready within %d s (see %s)\n",
                READY_TIMEOUT_MS / 1000, log);
        return EXIT_ENGINE;
    }
    char path[4096], content[64];
    snprintf(content, sizeof content, "%d\n", (int)s);
    snprintf(path, sizeof path, "%s/slirp.pid", dir);
    if (write_file_atomic(path, content) < 0)
        die("write %s", path);
    snprintf(content, sizeof content, "%d\n", (int)holder);
    snprintf(path, sizeof path, "%s/holder.pid", dir);
    if (write_file_atomic(path, content) < 0)
        die("write %s", path);
    return 0;
}
