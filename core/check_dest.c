/*
 * check_dest.c: what `check` says about the report destinations of a
 * valid record (rfc8460.md §4.5): which domains they deliver to, whether
 * those lie outside the policy domain (info: RFC 8460, unlike DMARC, has
 * no way for another domain to authorise reports, so there is nothing to
 * publish and nothing to verify), and the verdict of their DNS lookups
 * (check_destq.c): a mail domain with a null MX (RFC 7505) or with
 * neither MX nor address (RFC 5321 §5.1 implicit MX) cannot take the
 * reports, nor can an https host without an address. Network findings
 * are warnings, never errors: the record itself is valid, and a lookup
 * that fails says only that the destination was not checked.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_int.h"
#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/record.h"
#include "uri.h"

#define DIAG(r, sev, code, hint, ...)                                          \
	tp_diags_add(&(r)->diagnostics, (sev), (code), 0, (hint), __VA_ARGS__)

struct collect {
	struct check_destv *out;
	const char *uri;
	int rc;
};

/* A host name as DNS compares it (lower case, no final dot), or NULL
 * when it is empty or an address literal. */
static char *
dest_name(const char *s, size_t len)
{
	char *n;
	size_t i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || s[0] == '[')
		return NULL;
	n = malloc(len + 1);
	if (n == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		n[i] = (char)tolower((unsigned char)s[i]);
	n[len] = '\0';
	return n;
}

static int
add_dest(struct collect *cl, enum check_dest_kind kind, const char *s,
         size_t len)
{
	struct check_destv *v = cl->out;
	struct check_dest *d;
	char *name;
	size_t i;

	if ((name = dest_name(s, len)) == NULL)
		return 0; /* nothing DNS can be asked about */
	for (i = 0; i < v->n; i++)
		if (v->v[i].kind == kind && strcmp(v->v[i].name, name) == 0) {
			free(name);
			return 0;
		}
	d = realloc(v->v, (v->n + 1) * sizeof(*d));
	if (d == NULL) {
		free(name);
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	}
	v->v = d;
	d = &v->v[v->n];
	d->kind = kind;
	d->name = name;
	if ((d->uri = strdup(cl->uri)) == NULL) {
		free(name);
		return tp_err_set(TP_EINTERNAL, "check: out of memory");
	}
	v->n++;
	return 0;
}

/* One mail address: the domain after its last '@'. */
static int
on_addr(void *arg, const char *addr, size_t len)
{
	struct collect *cl = arg;
	size_t at;

	for (at = len; at > 0 && addr[at - 1] != '@'; at--)
		;
	if (at == 0)
		return 0;
	return add_dest(cl, CHECK_DEST_MAIL, addr + at, len - at);
}

static int
one_uri(struct collect *cl, const char *s)
{
	struct tp_uri_problem p;
	struct tp_uri u;

	if (!tp_uri_check(&u, s, strlen(s), TP_URI_TLSRPT, &p))
		return 0;
	cl->uri = s;
	switch (tp_uri_use(s, &u, &p)) {
	case TP_URI_USE_MAILTO:
		return tp_uri_mailto_each(s, &u, on_addr, cl);
	case TP_URI_USE_HTTPS:
		if (u.host_kind != TP_URI_HOST_REG ||
		    memchr(s + u.host.off, '%', u.host.len) != NULL)
			return 0; /* an address, or an encoded name */
		return add_dest(cl, CHECK_DEST_HTTPS, s + u.host.off,
		                u.host.len);
	default:
		return 0;
	}
}

int
tp_check_dest_list(struct check_destv *out, const char *record)
{
	struct tp_strv uris = TP_STRV_INIT;
	struct collect cl;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&cl, 0, sizeof(cl));
	cl.out = out;
	rc = tp_record_rua(&uris, record, strlen(record));
	for (i = 0; rc == 0 && i < uris.n; i++)
		rc = one_uri(&cl, uris.v[i]);
	tp_strv_release(&uris);
	return rc;
}

void
tp_check_destv_release(struct check_destv *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].uri);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/* The labels of a name; "." and "" have none. */
static size_t
labels(const char *s)
{
	size_t n = 1;

	if (*s == '\0' || strcmp(s, ".") == 0)
		return 0;
	for (; *s != '\0'; s++)
		n += *s == '.';
	return n;
}

int
tp_check_dest_related(const char *domain, const char *name)
{
	const char *parent;

	if (tp_dns_name_in(name, domain))
		return 1; /* the domain, or below it */
	if (tp_dns_name_in(domain, name) && labels(name) >= 2)
		return 1; /* an ancestor: example.com for mail.example.com */
	parent = strchr(domain, '.');
	return parent != NULL && labels(parent + 1) >= 2 &&
	    tp_dns_name_in(name, parent + 1);
}

/* ---- verdicts ----------------------------------------------------------- */

static int
has_address(const struct check_dname *n)
{
	return n->a == CHECK_ANS_DATA || n->aaaa == CHECK_ANS_DATA;
}

/* Both address lookups said: nothing here. */
static int
no_address(const struct check_dname *n)
{
	return (n->a == CHECK_ANS_NODATA || n->a == CHECK_ANS_NXDOMAIN) &&
	    (n->aaaa == CHECK_ANS_NODATA || n->aaaa == CHECK_ANS_NXDOMAIN);
}

static enum check_dest_verdict
mail_verdict(const struct check_dname *n)
{
	switch (n->mx) {
	case CHECK_ANS_DATA:
		return n->null_mx ? CHECK_DEST_NULL_MX : CHECK_DEST_OK;
	case CHECK_ANS_NXDOMAIN:
		return CHECK_DEST_NXDOMAIN;
	case CHECK_ANS_NODATA:
		/* RFC 5321 §5.1: no MX, then the address is the MX. */
		if (has_address(n))
			return CHECK_DEST_OK;
		if (no_address(n))
			return CHECK_DEST_NO_MAIL;
		if (n->a == CHECK_ANS_PENDING || n->aaaa == CHECK_ANS_PENDING)
			return CHECK_DEST_PENDING;
		return CHECK_DEST_UNKNOWN;
	case CHECK_ANS_FAILED:
		return CHECK_DEST_UNKNOWN;
	default:
		return CHECK_DEST_PENDING;
	}
}

enum check_dest_verdict
tp_check_dest_verdict(const struct check_dname *n, enum check_dest_kind kind)
{
	if (kind == CHECK_DEST_MAIL)
		return mail_verdict(n);
	if (has_address(n))
		return CHECK_DEST_OK;
	if (n->a == CHECK_ANS_NXDOMAIN || n->aaaa == CHECK_ANS_NXDOMAIN)
		return CHECK_DEST_NXDOMAIN;
	if (no_address(n))
		return CHECK_DEST_NO_ADDRESS;
	if (n->a == CHECK_ANS_FAILED || n->aaaa == CHECK_ANS_FAILED)
		return CHECK_DEST_UNKNOWN;
	return CHECK_DEST_PENDING;
}

/* ---- diagnostics ------------------------------------------------------- */

static int
diag_other(struct tp_result *r, const char *domain, const struct check_dest *d)
{
	return DIAG(r, TP_SEV_INFO, "rua-other-domain",
	            "nothing to publish: make sure that destination expects "
	            "reports for this domain (compared by name, without the "
	            "public suffix list)",
	            "%s delivers to %s, outside %s: RFC 8460 has no "
	            "authorisation for destinations in another domain (unlike "
	            "DMARC), so reporters send there as they are told",
	            d->uri, d->name, domain);
}

static int
diag_mail(struct tp_result *r, const struct check_dest *d,
          enum check_dest_verdict v)
{
	if (v == CHECK_DEST_NULL_MX)
		return DIAG(r, TP_SEV_WARNING, "rua-null-mx",
		            "send the reports to a domain that accepts mail, "
		            "or remove the null MX",
		            "%s: %s publishes a null MX (RFC 7505 \"0 .\"): it "
		            "accepts no mail, so the reports bounce",
		            d->uri, d->name);
	if (v == CHECK_DEST_NXDOMAIN)
		return DIAG(r, TP_SEV_WARNING, "rua-undeliverable",
		            "fix the address, or create the domain with an MX "
		            "record",
		            "%s: the domain %s does not exist (NXDOMAIN), so "
		            "the reports cannot be delivered",
		            d->uri, d->name);
	if (v == CHECK_DEST_NO_MAIL)
		return DIAG(r, TP_SEV_WARNING, "rua-undeliverable",
		            "add an MX record for the domain (or an address "
		            "record for its mail server), or fix the address",
		            "%s: %s has no MX and no A or AAAA record, so the "
		            "reports cannot be delivered",
		            d->uri, d->name);
	return 0;
}

static int
diag_verdict(struct tp_result *r, const struct check_dest *d,
             const struct check_dname *n)
{
	enum check_dest_verdict v = tp_check_dest_verdict(n, d->kind);

	if (v == CHECK_DEST_OK)
		return 0;
	if (v == CHECK_DEST_UNKNOWN || v == CHECK_DEST_PENDING)
		return DIAG(r, TP_SEV_INFO, "rua-dest-unchecked",
		            "not counted; check --resolver, or skip these "
		            "lookups with --no-destination-checks",
		            "%s: could not look up %s (%s): not known whether "
		            "it can take the reports",
		            d->uri, d->name,
		            n->why != NULL ? n->why : "no answer");
	if (d->kind == CHECK_DEST_MAIL)
		return diag_mail(r, d, v);
	return DIAG(r, TP_SEV_WARNING, "rua-host-unresolved",
	            "fix the host name, or publish its A/AAAA records",
	            v == CHECK_DEST_NXDOMAIN
	                ? "%s: the host %s does not exist (NXDOMAIN), so no "
	                  "report can be posted"
	                : "%s: the host %s has no A or AAAA record, so no "
	                  "report can be posted",
	            d->uri, d->name);
}

int
tp_check_dest_diags(struct tp_result *r, const char *domain,
                    const struct check_destv *dv,
                    const struct check_dname *const *names)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < dv->n; i++) {
		/* One info per name, when it is both a mail domain and an
		 * https host. */
		for (k = 0; k < i && strcmp(dv->v[k].name, dv->v[i].name); k++)
			;
		if (k == i && !tp_check_dest_related(domain, dv->v[i].name))
			rc = diag_other(r, domain, &dv->v[i]);
	}
	for (i = 0; rc == 0 && names != NULL && i < dv->n; i++)
		if (names[i] != NULL)
			rc = diag_verdict(r, &dv->v[i], names[i]);
	return rc;
}
