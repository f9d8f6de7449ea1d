/*
 * dnsaddr.c: server addresses as users write them ("192.0.2.1:5353",
 * "[2001:db8::1]:53", "::1") and as the reports print them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dnsmsg.h"
#include "tlsrpt/dns.h"
#include "tlsrpt/err.h"

static void
addr_text(struct tp_dns_addr *a)
{
	if (a->port == 53)
		(void)snprintf(a->text, sizeof(a->text), "%s", a->host);
	else if (a->family == AF_INET6)
		(void)snprintf(a->text, sizeof(a->text), "[%s]:%u", a->host,
		               a->port);
	else
		(void)snprintf(a->text, sizeof(a->text), "%s:%u", a->host,
		               a->port);
}

int
tp_dns_addr_make(struct tp_dns_addr *out, const char *host, unsigned int port)
{
	memset(out, 0, sizeof(*out));
	if (port == 0 || port > 65535)
		return tp_err_set(TP_EUSAGE, "dns: port %u out of range", port);
	if (inet_pton(AF_INET, host, out->bytes) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, host, out->bytes) == 1)
		out->family = AF_INET6;
	else
		return tp_err_set(TP_EUSAGE, "dns: '%s' is not an IP address",
		                  host);
	/* Print it back canonically: "2001:DB8:0::1" becomes "2001:db8::1". */
	if (inet_ntop(out->family, out->bytes, out->host, sizeof(out->host)) ==
	    NULL)
		return tp_err_set(TP_EUSAGE, "dns: '%s' is not an IP address",
		                  host);
	out->port = port;
	addr_text(out);
	return 0;
}

static int
parse_port(unsigned int *port, const char *s)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (unsigned int)v;
	return 0;
}

int
tp_dns_addr_parse(struct tp_dns_addr *out, const char *in, const char *what)
{
	char host[64];
	const char *p, *colon;
	unsigned int port = 53;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (in[0] == '[') {
		p = strchr(in, ']');
		if (p == NULL || (p[1] != '\0' && p[1] != ':'))
			goto bad;
		n = (size_t)(p - in - 1);
		if (p[1] == ':' && parse_port(&port, p + 2) != 0)
			goto bad;
		p = in + 1;
	} else {
		colon = strchr(in, ':');
		/* One colon: IPv4:PORT. Several: a bare IPv6 address. */
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			if (parse_port(&port, colon + 1) != 0)
				goto bad;
			n = (size_t)(colon - in);
		} else {
			n = strlen(in);
		}
		p = in;
	}
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, p, n);
	host[n] = '\0';
	if (tp_dns_addr_make(out, host, port) == 0)
		return 0;
bad:
	return tp_err_set(TP_EUSAGE,
	                  "%s: '%s' is not ADDR[:PORT]: give an IPv4 address "
	                  "(192.0.2.1:53) or an IPv6 one in brackets "
	                  "([2001:db8::1]:53)",
	                  what, in);
}

/* ICMP "port unreachable" and "no route" both end as ECONNREFUSED; a UDP
 * connect() (no packet sent) tells them apart. */
int
tp_dns_addr_noroute(const struct tp_dns_addr *a)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct sockaddr *sa;
	socklen_t len;
	int fd, r, e;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (a->family == AF_INET) {
		s4.sin_family = AF_INET;
		s4.sin_port = htons((unsigned short)a->port);
		memcpy(&s4.sin_addr, a->bytes, 4);
		sa = (struct sockaddr *)&s4;
		len = sizeof(s4);
	} else {
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons((unsigned short)a->port);
		memcpy(&s6.sin6_addr, a->bytes, 16);
		sa = (struct sockaddr *)&s6;
		len = sizeof(s6);
	}
	fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno == EAFNOSUPPORT;
	r = connect(fd, sa, len);
	e = errno;
	close(fd);
	return r != 0 &&
	    (e == ENETUNREACH || e == EHOSTUNREACH || e == EADDRNOTAVAIL ||
	     e == EAFNOSUPPORT);
}
