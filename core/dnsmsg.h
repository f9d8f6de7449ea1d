/*
 * dnsmsg.h: core-internal split of the DNS module. dnsmsg.c walks DNS
 * messages with glibc's libresolv (sections, names, TTLs, SOA fields);
 * dns.c, the one file that includes <ares.h>, adds the TXT strings with
 * c-ares' parser so that no DNS byte is parsed by hand.
 */
#ifndef TLSRPT_CORE_DNSMSG_H
#define TLSRPT_CORE_DNSMSG_H

#include <stddef.h>

#include "tlsrpt/dns.h"

/*
 * Fill out (initialised here) with the header flags and every RR of the
 * message except the TXT character-strings: each TXT RR of class IN gets
 * an empty txt, and *ntxt counts the TXT RRs c-ares' parser yields a
 * group of strings for (class IN or CHAOS, RDATA not empty), in order;
 * txtmap[k] is the index in out->rr of the k-th such RR, or (size_t)-1
 * for a CHAOS one. *txtmap is malloc'd (caller frees). TP_ENETWORK when
 * malformed.
 */
int tp_dnsmsg_walk(struct tp_dns_answer *out, size_t **txtmap, size_t *ntxt,
                   const unsigned char *msg, size_t len);

/*
 * 1 when this host has no route to a (no network of its family, no route
 * to the host): ICMP "port unreachable" and "no route" both reach c-ares
 * as ECONNREFUSED, and a UDP connect() (which sends nothing) tells them
 * apart.
 */
int tp_dns_addr_noroute(const struct tp_dns_addr *a);

#endif
