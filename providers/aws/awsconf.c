/*
 * awsconf.c: AWS settings, environment, shared files and profiles,
 * region, partition, and the Route 53 and STS endpoints.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/err.h"

#include "awsconf.h"

const struct tp_setting_def tp_aws_setting_defs[TP_AWS_NSETTING_DEFS] = {
    TP_AWS_SETTING_DEFS};

/* What differs between partitions for the services we call. */
struct partition {
	const char *name;
	const char *prefix;     /* of its region names, NULL: the rest */
	const char *r53_host;   /* Route 53 is global within a partition */
	const char *r53_region; /* and signs for this region */
	const char *dns_suffix; /* sts.REGION.SUFFIX */
	const char *sts_region; /* STS when no region is configured */
	const char *sts_global; /* host of the global STS, or NULL */
};

static const struct partition parts[] = {
    {"aws", NULL, "route53.amazonaws.com", "us-east-1", "amazonaws.com",
     "us-east-1", "sts.amazonaws.com"},
    {"aws-cn", "cn-", "route53.amazonaws.com.cn", "cn-northwest-1",
     "amazonaws.com.cn", "cn-north-1", NULL},
    {"aws-us-gov", "us-gov-", "route53.us-gov.amazonaws.com", "us-gov-west-1",
     "amazonaws.com", "us-gov-west-1", NULL},
};
#define NPARTS (sizeof(parts) / sizeof(parts[0]))

const char *
tp_aws_env(const struct tp_aws_conf *c, const char *name)
{
	const char *v;

	v = c->getenv ? c->getenv(c->getenv_ctx, name) : getenv(name);
	return v != NULL && *v != '\0' ? v : NULL;
}

const char *
tp_aws_value(const struct tp_aws_conf *c, const char *setting, const char *env)
{
	if (setting != NULL && *setting != '\0')
		return setting;
	return env ? tp_aws_env(c, env) : NULL;
}

char *
tp_aws_expand_home(const struct tp_aws_conf *c, const char *path)
{
	struct tp_buf b = TP_BUF_INIT(8192);
	const char *home;

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		if ((home = tp_aws_env(c, "HOME")) == NULL)
			return NULL;
		tp_buf_adds(&b, home);
		path++;
	}
	tp_buf_adds(&b, path);
	return tp_buf_detach(&b);
}

static int
load_one(struct tp_aws_ini **ini, char **path, const struct tp_aws_conf *c,
         const char *setting, const char *env, const char *def)
{
	const char *p = tp_aws_value(c, setting, env);

	*path = tp_aws_expand_home(c, p ? p : def);
	if (*path == NULL)
		return 0; /* "~/" without HOME: no file */
	return tp_aws_ini_load(ini, *path);
}

int
tp_aws_shared_load(struct tp_aws_shared *sh, const struct tp_aws_conf *c)
{
	const char *p;
	int rc;

	memset(sh, 0, sizeof(*sh));
	if ((rc = load_one(&sh->credentials, &sh->credentials_path, c,
	                   c->shared_credentials_file,
	                   "AWS_SHARED_CREDENTIALS_FILE",
	                   "~/.aws/credentials")) != 0 ||
	    (rc = load_one(&sh->config, &sh->config_path, c, c->config_file,
	                   "AWS_CONFIG_FILE", "~/.aws/config")) != 0) {
		tp_aws_shared_release(sh);
		return rc;
	}
	if (c->profile != NULL && *c->profile != '\0') {
		p = c->profile;
		sh->profile_from = "profile setting or AWS_PROFILE";
	} else if ((p = tp_aws_env(c, "AWS_PROFILE")) != NULL) {
		sh->profile_from = "AWS_PROFILE";
	} else if ((p = tp_aws_env(c, "AWS_DEFAULT_PROFILE")) != NULL) {
		sh->profile_from = "AWS_DEFAULT_PROFILE";
	} else {
		p = "default";
	}
	if ((sh->profile = strdup(p)) == NULL) {
		tp_aws_shared_release(sh);
		return tp_err_set(TP_EINTERNAL, "aws: out of memory");
	}
	return 0;
}

/* [profile NAME] in the config file; the default profile may also be
 * written [default]. */
static const char *
config_section(const struct tp_aws_shared *sh, char *buf, size_t n)
{
	snprintf(buf, n, "profile %s", sh->profile);
	if (tp_aws_ini_has_section(sh->config, buf))
		return buf;
	if (strcmp(sh->profile, "default") == 0 &&
	    tp_aws_ini_has_section(sh->config, "default"))
		return "default";
	return NULL;
}

const char *
tp_aws_profile_config(const struct tp_aws_shared *sh, const char *key)
{
	char buf[512];
	const char *sec;

	if (sh == NULL || sh->config == NULL ||
	    (sec = config_section(sh, buf, sizeof(buf))) == NULL)
		return NULL;
	return tp_aws_ini_get(sh->config, sec, key);
}

const char *
tp_aws_profile_credentials(const struct tp_aws_shared *sh, const char *key)
{
	if (sh == NULL || sh->credentials == NULL)
		return NULL;
	return tp_aws_ini_get(sh->credentials, sh->profile, key);
}

int
tp_aws_profile_exists(const struct tp_aws_shared *sh)
{
	char buf[512];

	return sh != NULL &&
	    (config_section(sh, buf, sizeof(buf)) != NULL ||
	     tp_aws_ini_has_section(sh->credentials, sh->profile));
}

void
tp_aws_shared_release(struct tp_aws_shared *sh)
{
	if (sh == NULL)
		return;
	tp_aws_ini_free(sh->credentials);
	tp_aws_ini_free(sh->config);
	free(sh->credentials_path);
	free(sh->config_path);
	free(sh->profile);
	memset(sh, 0, sizeof(*sh));
}

/* Region names go into host names: letters, digits, dashes. */
static int
plausible_region(const char *r)
{
	size_t i;

	if (!islower((unsigned char)r[0]) || strlen(r) > 64)
		return 0;
	for (i = 0; r[i] != '\0'; i++)
		if (!islower((unsigned char)r[i]) &&
		    !isdigit((unsigned char)r[i]) && r[i] != '-')
			return 0;
	return 1;
}

int
tp_aws_region(const char **out, const struct tp_aws_conf *c,
              const struct tp_aws_shared *sh)
{
	const char *r, *from = "region setting or AWS_REGION";

	if ((r = tp_aws_value(c, c->region, "AWS_REGION")) == NULL) {
		from = "AWS_DEFAULT_REGION";
		r = tp_aws_env(c, "AWS_DEFAULT_REGION");
	}
	if (r == NULL) {
		from = "the profile's region";
		r = tp_aws_profile_config(sh, "region");
	}
	*out = NULL;
	if (r != NULL && *r != '\0' && !plausible_region(r))
		return tp_err_set(TP_ECONFIG,
		                  "aws: region '%s' (from %s) is not a region "
		                  "name: use one like 'us-east-1'",
		                  r, from);
	*out = r != NULL && *r != '\0' ? r : NULL;
	return 0;
}

static const struct partition *
part_of_region(const char *region)
{
	size_t i;

	for (i = 1; region != NULL && i < NPARTS; i++)
		if (strncmp(region, parts[i].prefix, strlen(parts[i].prefix)) ==
		    0)
			return &parts[i];
	return &parts[0];
}

static int
find_partition(const struct partition **out, const struct tp_aws_conf *c,
               const char *region)
{
	size_t i;

	*out = part_of_region(region);
	if (c->partition == NULL || *c->partition == '\0')
		return 0;
	for (i = 0; i < NPARTS; i++)
		if (strcmp(c->partition, parts[i].name) == 0)
			break;
	if (i == NPARTS)
		return tp_err_set(TP_ECONFIG,
		                  "aws: unknown partition '%s': use aws, "
		                  "aws-cn or aws-us-gov",
		                  c->partition);
	if (region != NULL && *out != &parts[i])
		return tp_err_set(TP_ECONFIG,
		                  "aws: region '%s' is not in partition '%s': "
		                  "fix the region or the partition",
		                  region, c->partition);
	*out = &parts[i];
	return 0;
}

int
tp_aws_partition(const char **out, const struct tp_aws_conf *c,
                 const char *region)
{
	const struct partition *p;
	int rc;

	*out = NULL;
	if ((rc = find_partition(&p, c, region)) != 0)
		return rc;
	*out = p->name;
	return 0;
}

static int
is_true(const char *v)
{
	return v != NULL && strcasecmp(v, "true") == 0;
}

/* Loopback hosts, the only ones plain http:// may name. */
static int
loopback_host(const char *h, size_t n)
{
	return (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    (n == 5 && strncmp(h, "[::1]", 5) == 0) ||
	    (n >= 4 && strncmp(h, "127.", 4) == 0);
}

/* Check an override and copy it without trailing slashes. */
static int
check_url(char **out, const char *url, const char *from)
{
	const char *host, *end;
	size_t n = strlen(url), hn;

	*out = NULL;
	if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		goto bad;
	hn = strcspn(host, "/:");
	if (host[0] == '[')
		hn = strcspn(host, "]") + 1;
	end = host + strcspn(host, "?#");
	if (hn == 0 || *end != '\0' || strpbrk(url, " \t\r\n") != NULL)
		goto bad;
	if (host == url + 7 && !loopback_host(host, hn))
		return tp_err_set(TP_ECONFIG,
		                  "aws: endpoint '%s' (from %s) is plain http "
		                  "to a host that is not loopback: use https",
		                  url, from);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if ((*out = strndup(url, n)) == NULL)
		return tp_err_set(TP_EINTERNAL, "aws: out of memory");
	return 0;
bad:
	return tp_err_set(TP_ECONFIG,
	                  "aws: endpoint '%s' (from %s) is not an https:// "
	                  "URL without query: fix it",
	                  url, from);
}

/* The configured endpoint of one service, in the SDKs' order (see the
 * header), or NULL. */
static const char *
override(const char **from, const struct tp_aws_conf *c,
         const struct tp_aws_shared *sh, const char *env, const char *key,
         const char *setting)
{
	int ignore =
	    is_true(tp_aws_env(c, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"));
	const char *v, *services;
	char sec[512], k[128];

	if (!ignore && (v = tp_aws_env(c, env)) != NULL) {
		*from = env;
		return v;
	}
	if (setting != NULL && *setting != '\0') {
		*from = "the endpoint_url setting";
		return setting;
	}
	if (ignore)
		return NULL;
	if ((v = tp_aws_env(c, "AWS_ENDPOINT_URL")) != NULL) {
		*from = "AWS_ENDPOINT_URL";
		return v;
	}
	if ((services = tp_aws_profile_config(sh, "services")) != NULL) {
		snprintf(sec, sizeof(sec), "services %s", services);
		snprintf(k, sizeof(k), "%s.endpoint_url", key);
		if ((v = tp_aws_ini_get(sh->config, sec, k)) != NULL) {
			*from = "the profile's services section";
			return v;
		}
	}
	if ((v = tp_aws_profile_config(sh, "endpoint_url")) != NULL)
		*from = "the profile's endpoint_url";
	return v;
}

/* Shared files, region and partition: what both endpoints start from. */
static int
endpoint_base(struct tp_aws_shared *sh, const char **region,
              const struct partition **part, const struct tp_aws_conf *c)
{
	int rc;

	if ((rc = tp_aws_shared_load(sh, c)) != 0)
		return rc;
	if ((rc = tp_aws_region(region, c, sh)) != 0 ||
	    (rc = find_partition(part, c, *region)) != 0)
		tp_aws_shared_release(sh);
	return rc;
}

static int
endpoint_set(struct tp_aws_endpoint *out, const char *ov, const char *from,
             const char *def_host, const char *region)
{
	struct tp_buf b = TP_BUF_INIT(1024);
	int rc = 0;

	if (ov != NULL) {
		rc = check_url(&out->url, ov, from);
		out->source = from;
	} else {
		tp_buf_addf(&b, "https://%s", def_host);
		out->url = tp_buf_detach(&b);
		out->source = "default";
	}
	out->signing_region = strdup(region);
	if (rc == 0 && (out->url == NULL || out->signing_region == NULL))
		rc = tp_err_set(TP_EINTERNAL, "aws: out of memory");
	if (rc != 0)
		tp_aws_endpoint_release(out);
	return rc;
}

int
tp_aws_endpoint_route53(struct tp_aws_endpoint *out,
                        const struct tp_aws_conf *c)
{
	const struct partition *p;
	struct tp_aws_shared sh;
	const char *region, *ov, *from = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = endpoint_base(&sh, &region, &p, c)) != 0)
		return rc;
	ov = override(&from, c, &sh, "AWS_ENDPOINT_URL_ROUTE_53", "route_53",
	              c->endpoint_url);
	out->partition = p->name;
	rc = endpoint_set(out, ov, from, p->r53_host, p->r53_region);
	tp_aws_shared_release(&sh);
	return rc;
}

int
tp_aws_endpoint_sts(struct tp_aws_endpoint *out, const struct tp_aws_conf *c)
{
	struct tp_buf host = TP_BUF_INIT(1024);
	const struct partition *p;
	struct tp_aws_shared sh;
	const char *region, *ov, *from = NULL, *legacy;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = endpoint_base(&sh, &region, &p, c)) != 0)
		return rc;
	ov = override(&from, c, &sh, "AWS_ENDPOINT_URL_STS", "sts", NULL);
	/* The environment beats the profile, as for every AWS setting. */
	if ((legacy = tp_aws_env(c, "AWS_STS_REGIONAL_ENDPOINTS")) == NULL)
		legacy = tp_aws_profile_config(&sh, "sts_regional_endpoints");
	if (legacy != NULL && strcmp(legacy, "legacy") != 0)
		legacy = NULL;
	if (region == NULL || (legacy != NULL && p->sts_global != NULL)) {
		region = p->sts_region;
		if (p->sts_global != NULL)
			tp_buf_adds(&host, p->sts_global);
	}
	if (host.len == 0)
		tp_buf_addf(&host, "sts.%s.%s", region, p->dns_suffix);
	out->partition = p->name;
	rc = endpoint_set(out, ov, from, host.s, region);
	tp_buf_release(&host);
	tp_aws_shared_release(&sh);
	return rc;
}

void
tp_aws_endpoint_release(struct tp_aws_endpoint *e)
{
	if (e == NULL)
		return;
	free(e->url);
	free(e->signing_region);
	memset(e, 0, sizeof(*e));
}
