/*
 * settings.c: a provider's declared settings resolved from flags, the
 * environment, the config file and defaults (precedence and refusals in
 * settings.h), plus the HTTP options every provider shares.
 *
 * Providers never read getenv() or the config themselves: declaring a
 * setting is enough for it to work everywhere, be listed by `providers`,
 * and be named in the error when it is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/settings.h"

#define SECRET_FILE_MAX (64 * 1024)
#define NAME_MAX_LEN    256

struct setting_val {
	const struct tp_setting_def *def;
	char *value;
	char *source;
};

struct tp_settings {
	const struct tp_provider *p;
	struct setting_val *v;
	size_t n;
};

/* Where one resolution is happening, for messages. */
struct ctx {
	const struct tp_provider *p;
	const struct tp_conf *conf;
	const char *account; /* section when it is an account, else NULL */
	const struct tp_strv *flags;
};

static int
nomem(void)
{
	return tp_err_set(TP_EINTERNAL, "settings: out of memory");
}

static char *
fmt(const char *f, const char *a, const char *b)
{
	struct tp_buf buf = TP_BUF_INIT(8192);

	tp_buf_addf(&buf, f, a, b != NULL ? b : "");
	return tp_buf_detach(&buf);
}

/* Read a secret from a file: one trailing newline dropped, nothing
 * unprintable allowed (it would end up inside an HTTP header). */
static int
read_secret(const struct ctx *x, const char *key, const char *path,
            const char *from, char **out)
{
	struct tp_buf b = TP_BUF_INIT(SECRET_FILE_MAX);
	char chunk[4096];
	struct stat st;
	ssize_t n;
	size_t i;
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tp_err_set(TP_ECONFIG,
		                  "%s: cannot read %s file '%s' (named by %s): "
		                  "%s",
		                  x->p->name, key, path, from, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tp_err_set(TP_ECONFIG,
		                  "%s: %s file '%s' (named by %s) is not a "
		                  "regular file",
		                  x->p->name, key, path, from);
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		tp_buf_add(&b, chunk, (size_t)n);
	tp_wipe(chunk, sizeof(chunk));
	close(fd);
	if (n < 0 || b.err) {
		rc = tp_err_set(TP_ECONFIG,
		                "%s: %s file '%s' (named by %s) cannot be read "
		                "or is larger than %d bytes",
		                x->p->name, key, path, from, SECRET_FILE_MAX);
		goto out;
	}
	if (b.len > 0 && b.s[b.len - 1] == '\n')
		b.s[--b.len] = '\0';
	if (b.len > 0 && b.s[b.len - 1] == '\r')
		b.s[--b.len] = '\0';
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.s[i] < 0x20 || b.s[i] == 0x7f)
			break;
	if (b.len == 0 || i < b.len) {
		rc = tp_err_set(TP_ECONFIG, "%s: %s file '%s' (named by %s) %s",
		                x->p->name, key, path, from,
		                b.len == 0 ? "is empty"
		                           : "holds a line break or control "
		                             "character: it must hold the "
		                             "secret alone");
		goto out;
	}
	*out = tp_buf_detach(&b);
	if (*out == NULL)
		rc = nomem();
out:
	tp_wipe(b.s, b.len);
	tp_buf_release(&b);
	return rc;
}

/* A relative KEY_file in the config is relative to the config's folder. */
static int
conf_relative(const struct ctx *x, const char *path, char **out)
{
	const char *cp = tp_conf_path(x->conf), *slash;
	struct tp_buf b = TP_BUF_INIT(8192);

	slash = cp != NULL ? strrchr(cp, '/') : NULL;
	if (path[0] != '/' && slash != NULL)
		tp_buf_add(&b, cp, (size_t)(slash - cp + 1));
	tp_buf_adds(&b, path);
	*out = tp_buf_detach(&b);
	return *out == NULL ? nomem() : 0;
}

static int
set(struct setting_val *v, char *value, char *source)
{
	if (value == NULL || source == NULL) {
		tp_free_secret(value);
		free(source);
		return nomem();
	}
	v->value = value;
	v->source = source;
	return 0;
}

/* From one config section: KEY or KEY_file. 0 found, 1 absent, < 0. */
static int
from_conf(const struct ctx *x, struct setting_val *v, const char *section)
{
	const struct tp_setting_def *d = v->def;
	const char *val = NULL, *file = NULL;
	char fkey[NAME_MAX_LEN], line[32], *path = NULL, *secret;
	int rc, l = 0, lf = 0;

	if ((rc = tp_conf_get_value(x->conf, section, d->key, &val, &l)) < 0)
		return rc;
	if (d->flags & TP_SETTING_SECRET) {
		(void)snprintf(fkey, sizeof(fkey), "%s_file", d->key);
		rc = tp_conf_get_value(x->conf, section, fkey, &file, &lf);
		if (rc < 0)
			return rc;
	}
	if (val != NULL && file != NULL)
		return tp_err_set(TP_ECONFIG,
		                  "%s: both '%s' and '%s' are set (%s): keep "
		                  "one",
		                  x->p->name, d->key, fkey,
		                  tp_conf_where(x->conf, section, fkey));
	if (val == NULL && file == NULL)
		return 1;
	(void)snprintf(line, sizeof(line), "%d", file != NULL ? lf : l);
	if (val != NULL)
		return set(v, strdup(val),
		           fmt("config file line %s%s", line, NULL));
	if ((rc = conf_relative(x, file, &path)) != 0)
		return rc;
	rc = read_secret(x, d->key, path, tp_conf_where(x->conf, section, fkey),
	                 &secret);
	if (rc == 0)
		rc = set(v, secret,
		         fmt("file '%s' (config file line %s)", path, line));
	free(path);
	return rc;
}

/* From the environment: ENV or ENV_FILE. 0 found, 1 absent, < 0. */
static int
from_env(const struct ctx *x, struct setting_val *v)
{
	const struct tp_setting_def *d = v->def;
	const char *val, *file = NULL;
	char fenv[NAME_MAX_LEN], *secret;
	int rc;

	if (d->env == NULL)
		return 1;
	val = getenv(d->env);
	if (val != NULL && val[0] == '\0')
		val = NULL;
	if (d->flags & TP_SETTING_SECRET) {
		(void)snprintf(fenv, sizeof(fenv), "%s_FILE", d->env);
		file = getenv(fenv);
		if (file != NULL && file[0] == '\0')
			file = NULL;
	}
	if (val != NULL && file != NULL)
		return tp_err_set(TP_ECONFIG,
		                  "%s: both %s and %s are set: unset one",
		                  x->p->name, d->env, fenv);
	if (val != NULL)
		return set(v, strdup(val),
		           fmt("environment %s%s", d->env, NULL));
	if (file == NULL)
		return 1;
	rc = read_secret(x, d->key, file, fenv, &secret);
	if (rc == 0)
		rc = set(v, secret,
		         fmt("file '%s' (environment %s)", file, fenv));
	return rc;
}

/* "key=value" or "flag=value" from the command line. */
static int
from_flags(const struct ctx *x, struct setting_val *v)
{
	const struct tp_setting_def *d = v->def;
	const char *f, *eq;
	size_t i, n;

	for (i = 0; x->flags != NULL && i < x->flags->n; i++) {
		f = x->flags->v[i];
		eq = strchr(f, '=');
		if (eq == NULL)
			continue;
		n = (size_t)(eq - f);
		if (!((strlen(d->key) == n && strncmp(f, d->key, n) == 0) ||
		      (d->flag != NULL && strlen(d->flag) == n &&
		       strncmp(f, d->flag, n) == 0)))
			continue;
		if (d->flags & TP_SETTING_SECRET)
			return tp_err_set(TP_EUSAGE,
			                  "%s: '%s' is a secret and is never "
			                  "taken from the command line: set %s "
			                  "or %s_file in the config file",
			                  x->p->name, d->key,
			                  d->env != NULL ? d->env : "it",
			                  d->key);
		return set(
		    v, strdup(eq + 1),
		    fmt("--%s%s", d->flag != NULL ? d->flag : d->key, NULL));
	}
	return 1;
}

/* Every flag string must name one of p's settings. */
static int
check_flags(const struct ctx *x)
{
	const struct tp_setting_def *d;
	const char *f, *eq;
	size_t i, k, n;

	for (i = 0; x->flags != NULL && i < x->flags->n; i++) {
		f = x->flags->v[i];
		eq = strchr(f, '=');
		n = eq != NULL ? (size_t)(eq - f) : strlen(f);
		for (k = 0; k < x->p->nsettings; k++) {
			d = &x->p->settings[k];
			if ((strlen(d->key) == n &&
			     strncmp(f, d->key, n) == 0) ||
			    (d->flag != NULL && strlen(d->flag) == n &&
			     strncmp(f, d->flag, n) == 0))
				break;
		}
		if (eq == NULL || k == x->p->nsettings)
			return tp_err_set(
			    TP_EUSAGE,
			    "%s: unknown setting '%.*s' (expected "
			    "NAME=VALUE with a setting 'providers' "
			    "lists)",
			    x->p->name, (int)n, f);
	}
	return 0;
}

static int
missing(const struct ctx *x, const struct tp_setting_def *d)
{
	struct tp_buf b = TP_BUF_INIT(TP_ERR_MSG_MAX);
	const char *cp = tp_conf_path(x->conf);
	int secret = (d->flags & TP_SETTING_SECRET) != 0, rc;

	tp_buf_addf(&b, "%s: missing %s", x->p->name, d->key);
	/* A secret's help repeats what the how-to and the permissions below
	 * say; other settings need it to say what they are. */
	if (d->help != NULL && !(secret && x->p->permissions != NULL))
		tp_buf_addf(&b, " (%s)", d->help);
	tp_buf_adds(&b, ": ");
	if (d->flag != NULL)
		tp_buf_addf(&b, "pass --%s, ", d->flag);
	if (d->env != NULL && secret)
		tp_buf_addf(&b,
		            "set %s or %s_FILE (naming a file that holds "
		            "it), ",
		            d->env, d->env);
	else if (d->env != NULL)
		tp_buf_addf(&b, "set %s, ", d->env);
	if (secret)
		tp_buf_addf(&b, "or put %s_file (or %s) ", d->key, d->key);
	else
		tp_buf_addf(&b, "or put %s ", d->key);
	tp_buf_addf(&b, "in the '%s' section of %s",
	            x->account != NULL ? x->account : x->p->name,
	            cp != NULL ? cp
	                       : "the config file (see tlsrpt-publish(1), "
	                         "FILES)");
	if (secret && x->p->permissions != NULL)
		tp_buf_addf(&b, "; the credentials need: %s",
		            x->p->permissions);
	rc = tp_err_set(TP_ECONFIG, "%s", b.s);
	tp_buf_release(&b);
	return rc;
}

static int
resolve_one(const struct ctx *x, struct setting_val *v)
{
	const struct tp_setting_def *d = v->def;
	int rc;

	if ((rc = from_flags(x, v)) <= 0)
		return rc;
	if (x->account != NULL && (rc = from_conf(x, v, x->account)) <= 0)
		return rc;
	if ((rc = from_env(x, v)) <= 0)
		return rc;
	if ((rc = from_conf(x, v, x->p->name)) <= 0)
		return rc;
	if (d->def != NULL)
		return set(v, strdup(d->def), strdup("default"));
	if (d->flags & TP_SETTING_REQUIRED)
		return missing(x, d);
	return 0;
}

static int
check_section(struct ctx *x, const char *section)
{
	const char *prov;
	size_t i;

	for (i = 0; i < x->p->nsettings; i++)
		if ((x->p->settings[i].flags & TP_SETTING_SECRET) &&
		    x->p->settings[i].flag != NULL)
			return tp_err_set(TP_EINTERNAL,
			                  "%s: setting '%s' is secret and must "
			                  "not have a command-line flag",
			                  x->p->name, x->p->settings[i].key);
	if (section == NULL || strcmp(section, x->p->name) == 0)
		return 0;
	prov = tp_conf_account_provider(x->conf, section);
	if (prov == NULL)
		return tp_err_set(
		    TP_ECONFIG,
		    "%s: account '%s' is not in the accounts list "
		    "of %s",
		    x->p->name, section,
		    tp_conf_path(x->conf) != NULL
		        ? tp_conf_path(x->conf)
		        : "the config file (there is none)");
	if (strcmp(prov, x->p->name) != 0)
		return tp_err_set(TP_ECONFIG,
		                  "%s: account '%s' (%s) is a '%s' account",
		                  x->p->name, section,
		                  tp_conf_where(x->conf, section, NULL), prov);
	x->account = section;
	return 0;
}

int
tp_settings_resolve(struct tp_settings **out, const struct tp_provider *p,
                    const struct tp_conf *conf, const char *section,
                    const struct tp_strv *flags)
{
	struct tp_settings *s;
	struct ctx x;
	size_t i;
	int rc;

	*out = NULL;
	memset(&x, 0, sizeof(x));
	x.p = p;
	x.conf = conf;
	x.flags = flags;
	if ((rc = check_section(&x, section)) != 0 ||
	    (rc = check_flags(&x)) != 0)
		return rc;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return nomem();
	s->p = p;
	if (p->nsettings > 0 &&
	    (s->v = calloc(p->nsettings, sizeof(*s->v))) == NULL) {
		free(s);
		return nomem();
	}
	s->n = p->nsettings;
	for (i = 0; i < s->n; i++) {
		s->v[i].def = &p->settings[i];
		if ((rc = resolve_one(&x, &s->v[i])) != 0) {
			tp_settings_free(s);
			return rc;
		}
	}
	*out = s;
	return 0;
}

static const struct setting_val *
find(const struct tp_settings *s, const char *key)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (strcmp(s->v[i].def->key, key) == 0)
			return &s->v[i];
	return NULL;
}

const char *
tp_settings_get(const struct tp_settings *s, const char *key)
{
	const struct setting_val *v = find(s, key);

	return v != NULL ? v->value : NULL;
}

const char *
tp_settings_source(const struct tp_settings *s, const char *key)
{
	const struct setting_val *v = find(s, key);

	return v != NULL && v->source != NULL ? v->source : "unset";
}

void
tp_settings_free(struct tp_settings *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		tp_free_secret(s->v[i].value);
		free(s->v[i].source);
	}
	free(s->v);
	free(s);
}

/* A number of seconds > 0 from the defaults section, as milliseconds. */
static int
http_ms(const struct tp_conf *conf, const char *key, long *ms)
{
	double v;
	int rc;

	if ((rc = tp_conf_get_double(conf, "defaults", key, &v)) != 0)
		return rc < 0 ? rc : 0;
	if (!(v > 0 && v <= 3600))
		return tp_err_set(
		    TP_ECONFIG,
		    "%s: '%s' must be a number of seconds above 0 and "
		    "at most 3600",
		    tp_conf_where(conf, "defaults", key), key);
	*ms = (long)(v * 1000 + 0.5);
	return 0;
}

/* The first retry's backoff in seconds (then doubled up to 30 s). */
static int
http_backoff(const struct tp_conf *conf, double *out)
{
	double v;
	int rc;

	if ((rc = tp_conf_get_double(conf, "defaults", "http_backoff", &v)) !=
	    0)
		return rc < 0 ? rc : 0;
	if (!(v > 0 && v <= 60))
		return tp_err_set(
		    TP_ECONFIG,
		    "%s: 'http_backoff' must be a number of seconds above 0 "
		    "and at most 60",
		    tp_conf_where(conf, "defaults", "http_backoff"));
	*out = v;
	return 0;
}

/*
 * The defaults section: every key known and of its type, so that a typo
 * ("tll") or a quoted number is reported rather than silently ignored.
 * Kinds: s string, l string or list of strings, i whole number, n number,
 * d seconds above 0 and at most a day (the bounds `check` holds them to,
 * so that publish never silently replaces a bad one by its default).
 */
static int
check_defaults(const struct tp_conf *conf)
{
	static const struct {
		const char *key;
		char kind;
	} known[] = {
	    {"provider", 's'},     {"rua", 'l'},
	    {"ttl", 'i'},          {"timeout", 'd'},
	    {"interval", 'd'},     {"resolver", 'l'},
	    {"nameserver", 'l'},   {"cacert", 's'},
	    {"http_timeout", 'n'}, {"http_connect_timeout", 'n'},
	    {"http_retries", 'i'}, {"http_backoff", 'n'},
	    {"jobs", 'i'},
	};
	const char *names[sizeof(known) / sizeof(known[0])], *str;
	struct tp_strv list = TP_STRV_INIT;
	size_t i, n = sizeof(known) / sizeof(known[0]);
	double d;
	long l;
	int rc = 0;

	for (i = 0; i < n; i++)
		names[i] = known[i].key;
	if ((rc = tp_conf_check_keys(conf, "defaults", names, n)) != 0)
		return rc;
	for (i = 0; i < n && rc >= 0; i++) {
		switch (known[i].kind) {
		case 's':
			rc = tp_conf_get_string(conf, "defaults", names[i],
			                        &str);
			break;
		case 'l':
			rc =
			    tp_conf_get_list(conf, "defaults", names[i], &list);
			break;
		case 'i':
			rc = tp_conf_get_long(conf, "defaults", names[i], &l);
			break;
		default:
			rc = tp_conf_get_double(conf, "defaults", names[i], &d);
			if (rc == 0 && known[i].kind == 'd' &&
			    !(d > 0 && d <= 86400))
				rc = tp_err_set(
				    TP_ECONFIG,
				    "%s: '%s' must be a number of seconds "
				    "above 0 (at most 86400)",
				    tp_conf_where(conf, "defaults", names[i]),
				    names[i]);
			break;
		}
	}
	tp_strv_release(&list);
	return rc < 0 ? rc : 0;
}

int
tp_settings_http(struct tp_http_opts *o, const struct tp_conf *conf,
                 const char *cacert_flag)
{
	const char *ca = cacert_flag, *from = "--cacert", *env;
	long n;
	int rc, line = 0;

	if ((rc = check_defaults(conf)) != 0)
		return rc;
	env = getenv("CURL_CA_BUNDLE");
	if (ca == NULL && env != NULL && env[0] != '\0') {
		ca = env;
		from = "CURL_CA_BUNDLE";
	}
	if (ca == NULL &&
	    (rc = tp_conf_get_value(conf, "defaults", "cacert", &ca, &line)) <
	        0)
		return rc;
	if (line > 0 && ca != NULL)
		from = tp_conf_where(conf, "defaults", "cacert");
	if (ca != NULL && (ca[0] == '\0' || access(ca, R_OK) != 0))
		return tp_err_set(
		    TP_ECONFIG,
		    "settings: CA bundle '%s' (from %s) cannot be "
		    "read: %s",
		    ca, from, ca[0] ? strerror(errno) : "empty name");
	o->cacert = ca;
	if ((rc = http_ms(conf, "http_timeout", &o->timeout_ms)) != 0 ||
	    (rc = http_ms(conf, "http_connect_timeout",
	                  &o->connect_timeout_ms)) != 0)
		return rc;
	if ((rc = http_backoff(conf, &o->backoff_base)) != 0)
		return rc;
	rc = tp_conf_get_long(conf, "defaults", "http_retries", &n);
	if (rc < 0)
		return rc;
	if (rc == 0 && (n < 0 || n > 20))
		return tp_err_set(
		    TP_ECONFIG, "%s: 'http_retries' must be between 0 and 20",
		    tp_conf_where(conf, "defaults", "http_retries"));
	if (rc == 0)
		o->max_retries = (int)n;
	return 0;
}
