/*
 * creds.c: the AWS credential chain (order and reasons in creds.h), the
 * static-key and shared-profile sources, and the credentials struct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/err.h"
#include "tlsrpt/sink.h"

#include "creds.h"

#define SKIPPED_MAX 2048

/* Keys end up in HTTP headers: no whitespace or control characters. */
static int
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

int
tp_aws_creds_new(struct tp_aws_creds **out, const char *key_id,
                 const char *secret, const char *token, const char *source)
{
	struct tp_aws_creds *c;

	*out = NULL;
	if (!clean(key_id) || !clean(secret) || (token && !clean(token)))
		return tp_err_set(TP_ECONFIG,
		                  "aws: the credentials from %s contain spaces "
		                  "or control characters: check for a stray "
		                  "newline or quote",
		                  source);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto oom;
	c->access_key_id = strdup(key_id);
	c->secret_access_key = strdup(secret);
	c->session_token = token && *token ? strdup(token) : NULL;
	c->source = strdup(source);
	if (c->access_key_id == NULL || c->secret_access_key == NULL ||
	    (token && *token && c->session_token == NULL) || c->source == NULL)
		goto oom;
	*out = c;
	return 0;
oom:
	tp_aws_creds_free(c);
	return tp_err_set(TP_EINTERNAL, "aws: out of memory");
}

void
tp_aws_buf_reserve(struct tp_buf *b, size_t n)
{
	if (b->len != 0 || n > b->max)
		return;
	tp_buf_addf(b, "%*s", (int)n, "");
	tp_buf_reset(b);
}

void
tp_aws_creds_free(struct tp_aws_creds *c)
{
	if (c == NULL)
		return;
	tp_free_secret(c->access_key_id);
	tp_free_secret(c->secret_access_key);
	tp_free_secret(c->session_token);
	free(c->source);
	tp_wipe(c, sizeof(*c));
	free(c);
}

int
tp_aws_creds_expiring(const struct tp_aws_creds *c, time_t now, long margin)
{
	return c != NULL && c->expiration != 0 &&
	    c->expiration - now <= (time_t)margin;
}

int
tp_aws_parse_time(time_t *out, const char *iso)
{
	struct tm tm;
	char rest[16] = "";
	int n;

	memset(&tm, 0, sizeof(tm));
	*out = 0;
	n = sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%15s", &tm.tm_year, &tm.tm_mon,
	           &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, rest);
	if (n < 6 || tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return tp_err_set(TP_ENETWORK, "aws: bad time '%s'", iso);
	/* Fractions and "Z" / "+00:00" are all UTC in AWS's answers. */
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return 0;
}

static void
skip(struct tp_buf *skipped, const char *fmt, const char *a, const char *b)
{
	if (skipped->len > 0)
		tp_buf_adds(skipped, "; ");
	tp_buf_addf(skipped, fmt, a, b);
}

int
tp_aws_creds_static(struct tp_aws_creds **out, struct tp_buf *skipped,
                    const struct tp_aws_conf *c)
{
	const char *id, *secret, *token, *from;

	*out = NULL;
	id = tp_aws_value(c, c->access_key_id, "AWS_ACCESS_KEY_ID");
	secret = tp_aws_value(c, c->secret_access_key, "AWS_SECRET_ACCESS_KEY");
	token = tp_aws_value(c, c->session_token, "AWS_SESSION_TOKEN");
	if (token == NULL)
		token = tp_aws_env(c, "AWS_SECURITY_TOKEN");
	if (id == NULL && secret == NULL) {
		skip(skipped, "keys: %s and %s not set", "AWS_ACCESS_KEY_ID",
		     "AWS_SECRET_ACCESS_KEY");
		return 0;
	}
	if (id == NULL || secret == NULL)
		return tp_err_set(
		    TP_ECONFIG,
		    "aws: %s is set but %s is not: set both "
		    "(environment or the access_key_id and "
		    "secret_access_key settings), or neither",
		    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	from = c->access_key_id && *c->access_key_id
	    ? "the access_key_id setting"
	    : "AWS_ACCESS_KEY_ID";
	return tp_aws_creds_new(out, id, secret, token, from);
}

int
tp_aws_creds_web_identity(struct tp_aws_creds **out, struct tp_buf *skipped,
                          const struct tp_aws_conf *c)
{
	const char *arn, *file, *name;

	*out = NULL;
	arn = tp_aws_value(c, c->role_arn, "AWS_ROLE_ARN");
	file = tp_aws_value(c, c->web_identity_token_file,
	                    "AWS_WEB_IDENTITY_TOKEN_FILE");
	name = tp_aws_value(c, c->role_session_name, "AWS_ROLE_SESSION_NAME");
	if (file == NULL) {
		skip(skipped, "web identity: %s not set%s",
		     "AWS_WEB_IDENTITY_TOKEN_FILE",
		     arn ? " (AWS_ROLE_ARN alone is not enough)" : "");
		return 0;
	}
	if (arn == NULL)
		return tp_err_set(TP_ECONFIG,
		                  "aws: AWS_WEB_IDENTITY_TOKEN_FILE is set but "
		                  "AWS_ROLE_ARN is not: set the role to assume "
		                  "(or the role_arn setting)");
	return tp_aws_creds_assume_web_identity(out, c, arn, file, name,
	                                        "AWS_WEB_IDENTITY_TOKEN_FILE");
}

/* Static keys in one file's section of the profile. */
static int
profile_keys(struct tp_aws_creds **out, const struct tp_aws_shared *sh,
             int config)
{
	const char *(*get)(const struct tp_aws_shared *, const char *) =
	    config ? tp_aws_profile_config : tp_aws_profile_credentials;
	const char *id = get(sh, "aws_access_key_id");
	const char *secret = get(sh, "aws_secret_access_key");
	const char *token = get(sh, "aws_session_token");
	const char *path = config ? sh->config_path : sh->credentials_path;
	char from[1024];

	if (token == NULL)
		token = get(sh, "aws_security_token");
	if (id == NULL && secret == NULL)
		return 0;
	if (id == NULL || id[0] == '\0' || secret == NULL || secret[0] == '\0')
		return tp_err_set(
		    TP_ECONFIG,
		    "aws: profile '%s' in '%s' has %s but not %s: "
		    "set both",
		    sh->profile, path,
		    id ? "aws_access_key_id" : "aws_secret_access_key",
		    id ? "aws_secret_access_key" : "aws_access_key_id");
	snprintf(from, sizeof(from), "profile '%s' in '%s'", sh->profile, path);
	return tp_aws_creds_new(out, id, secret, token, from);
}

/* What a profile may hold that we do not run, with what to do instead. */
static int
unsupported(const struct tp_aws_shared *sh)
{
	const char *what = NULL;

	if (tp_aws_profile_config(sh, "role_arn") != NULL)
		what = "role_arn with source_profile or credential_source";
	else if (tp_aws_profile_config(sh, "credential_process") != NULL)
		what = "credential_process";
	else if (tp_aws_profile_config(sh, "sso_session") != NULL ||
	         tp_aws_profile_config(sh, "sso_start_url") != NULL)
		what = "IAM Identity Center (SSO)";
	if (what == NULL)
		return 0;
	return tp_err_set(TP_ECONFIG,
	                  "aws: profile '%s' uses %s, which tlsrpt-publish "
	                  "does not run: export its credentials first (eval "
	                  "\"$(aws configure export-credentials --profile %s "
	                  "--format env)\")",
	                  sh->profile, what, sh->profile);
}

int
tp_aws_creds_profile(struct tp_aws_creds **out, struct tp_buf *skipped,
                     const struct tp_aws_conf *c,
                     const struct tp_aws_shared *sh)
{
	const char *arn, *file;
	char from[1024];
	int rc;

	*out = NULL;
	if (!tp_aws_profile_exists(sh)) {
		if (sh->profile_from != NULL)
			return tp_err_set(
			    TP_ECONFIG,
			    "aws: profile '%s' (from %s) is in "
			    "neither '%s' nor '%s': check its name",
			    sh->profile, sh->profile_from,
			    sh->credentials_path ? sh->credentials_path
			                         : "~/.aws/credentials",
			    sh->config_path ? sh->config_path
			                    : "~/.aws/config");
		skip(skipped, "shared files: no [default] profile in %s or %s",
		     sh->credentials_path ? sh->credentials_path : "(no HOME)",
		     sh->config_path ? sh->config_path : "(no HOME)");
		return 0;
	}
	arn = tp_aws_profile_config(sh, "role_arn");
	file = tp_aws_profile_config(sh, "web_identity_token_file");
	if (file != NULL) {
		if (arn == NULL)
			return tp_err_set(TP_ECONFIG,
			                  "aws: profile '%s' has "
			                  "web_identity_token_file but no "
			                  "role_arn: add the role to assume",
			                  sh->profile);
		snprintf(from, sizeof(from), "profile '%s' in '%s'",
		         sh->profile, sh->config_path);
		return tp_aws_creds_assume_web_identity(
		    out, c, arn, file,
		    tp_aws_profile_config(sh, "role_session_name"), from);
	}
	if ((rc = profile_keys(out, sh, 0)) != 0 || *out != NULL ||
	    (rc = profile_keys(out, sh, 1)) != 0 || *out != NULL)
		return rc;
	if ((rc = unsupported(sh)) != 0)
		return rc;
	skip(skipped, "shared files: profile '%s' has no keys%s", sh->profile,
	     " (aws_access_key_id, or role_arn + web_identity_token_file)");
	return 0;
}

static void
log_result(const struct tp_aws_conf *c, const struct tp_aws_creds *cr,
           const struct tp_buf *skipped)
{
	const struct tp_sink *s = c->http ? c->http->sink : NULL;

	if (skipped->len > 0)
		tp_sink_log(s, TP_LOG_DEBUG,
		            "aws: credential sources skipped: %s", skipped->s);
	if (cr != NULL)
		tp_sink_log(s, TP_LOG_INFO, "aws: using credentials from %s%s",
		            cr->source, cr->session_token ? " (session)" : "");
}

int
tp_aws_creds_resolve(struct tp_aws_creds **out, const struct tp_aws_conf *c)
{
	struct tp_buf skipped = TP_BUF_INIT(SKIPPED_MAX);
	struct tp_aws_shared sh;
	int rc;

	*out = NULL;
	memset(&sh, 0, sizeof(sh));
	if ((rc = tp_aws_creds_static(out, &skipped, c)) != 0 || *out ||
	    (rc = tp_aws_creds_web_identity(out, &skipped, c)) != 0 || *out ||
	    (rc = tp_aws_shared_load(&sh, c)) != 0 ||
	    (rc = tp_aws_creds_profile(out, &skipped, c, &sh)) != 0 || *out ||
	    (rc = tp_aws_creds_container(out, &skipped, c)) != 0 || *out ||
	    (rc = tp_aws_creds_imds(out, &skipped, c)) != 0 || *out)
		goto out;
	rc = tp_err_set(TP_ECONFIG,
	                "aws: no credentials found (%s): set AWS_ACCESS_KEY_ID "
	                "and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or see "
	                "docs/providers/route53.md",
	                skipped.s);
out:
	log_result(c, *out, &skipped);
	tp_aws_shared_release(&sh);
	tp_buf_release(&skipped);
	return rc;
}
