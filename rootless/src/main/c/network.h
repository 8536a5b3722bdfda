/* The helper's network extras (protocol: the spec keys below; Java decides, this executes):
 *   port=PROTO<TAB>HOSTIP<TAB>HOSTPORT<TAB>GUESTPORT   published port, forwarded through slirp4netns's API
 *   slirp_api=PATH                                     slirp4netns --api-socket (needed for port=)
 *   slirp_host_loopback=1                              leave out --disable-host-loopback
 *   slirp_arg=--OPTION[=VALUE]                         a further slirp4netns option (--enable-ipv6, --cidr=...)
 *   pasta=PATH                                         run pasta on the container's (private) network namespace
 *   pasta_dir=DIR                                      where the netns bind mount, pid FIFO and pasta.log go
 *   pasta_arg=ARG                                      a pasta argument (-t SPEC, -u SPEC, ...)
 *   pasta_forward_only=1                               no --config-net: pasta only forwards ports (its tap stays
 *                                                      down); loopback clients are spliced in as 127.0.0.1
 */
#ifndef JPOD_NETWORK_H
#define JPOD_NETWORK_H

#include <stddef.h>

/* 1 when key is a network key (value consumed, kept by reference), 0 otherwise; exits 125 on a bad value. */
int net_spec_key(const char *key, char *value);

/* Appends the configured slirp4netns options to argv[*n] (room for max entries in all). */
void net_slirp_args(char **argv, size_t *n, size_t max);

/* After slirp4netns is ready: every port= through add_hostfwd. 0, or -1 after one line on stderr. */
int net_publish_ports(void);

/* Before unshare(CLONE_NEWPID): fork the pasta launcher (pasta must live outside the container's PID namespace). */
void net_pasta_fork(void);

/* Once the container's namespaces exist: bind its netns to a file, let pasta configure it, wait (bounded) until
   pasta is ready. 0 (also when pasta is not used), or -1 after one line on stderr. */
int net_pasta_start(int child_pid);

/* Stop pasta (bounded), remove the netns bind mount. */
void net_pasta_stop(void);

#endif
