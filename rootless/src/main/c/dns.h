/* The user networks' name server, in the network namespace holder (dns.c). */
#ifndef JPOD_DNS_H
#define JPOD_DNS_H

/* Answers on port 53 of every bridge gateway until the process dies; names from DIR/dns/<gateway>. */
__attribute__((noreturn)) void dns_serve(const char *dir);

#endif
