/* User-defined networks (bridge.c): one network namespace per user held by a small process, one Linux bridge per
 * network in it, a veth pair per container and network. Java decides names and addresses; this executes.
 *
 * Spec keys of `run` (see net_spec_key):
 *   netns_holder=PID                        the holder process whose network namespace has the bridges
 *   netif=IFNAME<TAB>HOSTVETH<TAB>BRIDGE<TAB>ADDR/PREFIX<TAB>GATEWAY/PREFIX<TAB>MTU<TAB>DEFAULTROUTE(0|1)
 *         [<TAB>ADDR6/PREFIX<TAB>GATEWAY6/PREFIX]
 *                                           one interface of the container on one network (IPv6: --ipv6 networks)
 */
#ifndef JPOD_BRIDGE_H
#define JPOD_BRIDGE_H

#include <sys/types.h>

/* 1 when key is a bridge key (value consumed, kept by reference), 0 otherwise; exits 125 on a bad value. */
int bridge_spec_key(const char *key, char *value);

/* Before the monitor leaves the outer user namespace: fork the worker that will attach the container's
   interfaces (it must stay in the namespace that owns the holder's netns). No-op without netif= records. */
void bridge_fork(void);

/* Once the container's network namespace exists: the worker attaches the interfaces; 0, or -1 after one line on
   stderr. */
int bridge_start(pid_t child);

/* jpod-helper netns-holder DIR SLIRP4NETNS [ipv6]: creates the holder (DIR/holder.pid: "PID"), its slirp4netns
   (DIR/slirp.sock its API socket; with ipv6 also IPv6 forwarding and slirp4netns --enable-ipv6) and returns once
   both are ready. */
int cmd_netns_holder(int argc, char **argv);

/* jpod-helper netns-exec PID -- CMD…: CMD in the network namespace of PID. */
int cmd_netns_exec(int argc, char **argv);

/* jpod-helper net-attach HOLDERPID CONTAINERPID NETIF…: network connect of a running container. */
int cmd_net_attach(int argc, char **argv);

/* jpod-helper link-del HOLDERPID NAME: deletes a link (a network's bridge) in the holder's namespace. */
int cmd_link_del(int argc, char **argv);

#endif
