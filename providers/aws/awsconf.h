/*
 * awsconf.h: AWS configuration shared by the AWS backends (private to
 * providers/): the tool's own settings for an AWS account, the
 * environment, the shared config and credentials files with profiles,
 * region and partition, and the endpoints of Route 53 and STS.
 *
 * Endpoint URL precedence (AWS SDKs & Tools reference guide, "service-
 * specific endpoints"), for Route 53:
 *   AWS_ENDPOINT_URL_ROUTE_53 > the tool's endpoint_url setting >
 *   AWS_ENDPOINT_URL > [services NAME] route_53.endpoint_url of the
 *   profile > the profile's endpoint_url > the partition's endpoint;
 * for STS the same with AWS_ENDPOINT_URL_STS and "sts" (and no tool
 * setting). AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true drops every source
 * but the tool's own setting. An override must be https://, or http://
 * to a loopback host (a local test server): session tokens travel in
 * its headers.
 *
 * Ownership: struct tp_aws_conf only borrows; struct tp_aws_shared and
 * struct tp_aws_endpoint own their strings and are released with their
 * _release functions, which accept NULL.
 */
#ifndef TLSRPT_AWS_CONF_H
#define TLSRPT_AWS_CONF_H

#include <stddef.h>

#include "tlsrpt/http.h"
#include "tlsrpt/provider.h"

#include "ini.h"

/*
 * The settings an AWS backend declares, for its struct tp_setting_def
 * list: static const struct tp_setting_def s[] = {TP_AWS_SETTING_DEFS,
 * ...backend's own...}. The generic resolver then fills them from the
 * AWS_* variable (environment beats config file, as everywhere) or the
 * config file section; tp_aws_conf_from_settings() maps them below.
 */
#define TP_AWS_SETTING_DEFS                                                    \
	{"access_key_id",                                                      \
	 "AWS_ACCESS_KEY_ID",                                                  \
	 NULL,                                                                 \
	 0,                                                                    \
	 NULL,                                                                 \
	 "access key id (with secret_access_key)"},                            \
	    {"secret_access_key",                                              \
	     "AWS_SECRET_ACCESS_KEY",                                          \
	     NULL,                                                             \
	     TP_SETTING_SECRET,                                                \
	     NULL,                                                             \
	     "secret access key"},                                             \
	    {"session_token",                                                  \
	     "AWS_SESSION_TOKEN",                                              \
	     NULL,                                                             \
	     TP_SETTING_SECRET,                                                \
	     NULL,                                                             \
	     "session token of temporary credentials"},                        \
	    {"profile", "AWS_PROFILE",                                         \
	     NULL,      0,                                                     \
	     NULL,      "profile of ~/.aws/config and ~/.aws/credentials"},    \
	    {"role_arn",                                                       \
	     "AWS_ROLE_ARN",                                                   \
	     NULL,                                                             \
	     0,                                                                \
	     NULL,                                                             \
	     "role assumed with web identity (with web_identity_token_file)"}, \
	    {"web_identity_token_file",                                        \
	     "AWS_WEB_IDENTITY_TOKEN_FILE",                                    \
	     NULL,                                                             \
	     0,                                                                \
	     NULL,                                                             \
	     "OIDC token file for STS AssumeRoleWithWebIdentity"},             \
	    {"role_session_name",                                              \
	     "AWS_ROLE_SESSION_NAME",                                          \
	     NULL,                                                             \
	     0,                                                                \
	     NULL,                                                             \
	     "session name of the assumed role"},                              \
	    {"region", "AWS_REGION",                                           \
	     NULL,     0,                                                      \
	     NULL,     "region: picks the partition and the STS endpoint"},    \
	    {"partition",                                                      \
	     NULL,                                                             \
	     NULL,                                                             \
	     0,                                                                \
	     NULL,                                                             \
	     "aws, aws-cn or aws-us-gov (default: from the region)"},          \
	    {"endpoint_url",                                                   \
	     NULL,                                                             \
	     NULL,                                                             \
	     0,                                                                \
	     NULL,                                                             \
	     "API base URL (AWS_ENDPOINT_URL_ROUTE_53 wins over it)"},         \
	    {"shared_credentials_file",                                        \
	     "AWS_SHARED_CREDENTIALS_FILE",                                    \
	     NULL,                                                             \
	     0,                                                                \
	     NULL,                                                             \
	     "default ~/.aws/credentials"},                                    \
	{                                                                      \
		"config_file", "AWS_CONFIG_FILE", NULL, 0, NULL,               \
		    "default ~/.aws/config"                                    \
	}

/* How many entries TP_AWS_SETTING_DEFS has. */
#define TP_AWS_NSETTING_DEFS 12

/* The same list as an array (for tests and documentation). */
extern const struct tp_setting_def tp_aws_setting_defs[TP_AWS_NSETTING_DEFS];

/* What the credential chain and endpoint resolution read. */
struct tp_aws_conf {
	/* The tool's own settings: borrowed, NULL when unset. Each falls
	 * back to its AWS_* variable when NULL. */
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;
	const char *profile;
	const char *role_arn;
	const char *web_identity_token_file;
	const char *role_session_name;
	const char *region;
	const char *partition;
	const char *endpoint_url; /* Route 53 */
	const char *shared_credentials_file;
	const char *config_file;

	/* Environment lookup; NULL means getenv(3). Tests inject theirs. */
	const char *(*getenv)(void *ctx, const char *name);
	void *getenv_ctx;

	/* Base HTTP options for STS, container and instance metadata
	 * requests (cacert, sink, stop); NULL for the defaults. */
	const struct tp_http_opts *http;

	/* Tests only: replaces http://169.254.170.2, the ECS container
	 * credentials address, which a test cannot listen on. */
	const char *container_base;
};

/*
 * Fill c from resolved settings (the keys of TP_AWS_SETTING_DEFS); the
 * other fields are left as they were. Strings borrowed from s. Inline so
 * that users of struct tp_aws_conf without the settings module (tests,
 * fuzzers) do not need it linked in.
 */
static inline void
tp_aws_conf_from_settings(struct tp_aws_conf *c, const struct tp_settings *s)
{
	c->access_key_id = tp_settings_get(s, "access_key_id");
	c->secret_access_key = tp_settings_get(s, "secret_access_key");
	c->session_token = tp_settings_get(s, "session_token");
	c->profile = tp_settings_get(s, "profile");
	c->role_arn = tp_settings_get(s, "role_arn");
	c->web_identity_token_file =
	    tp_settings_get(s, "web_identity_token_file");
	c->role_session_name = tp_settings_get(s, "role_session_name");
	c->region = tp_settings_get(s, "region");
	c->partition = tp_settings_get(s, "partition");
	c->endpoint_url = tp_settings_get(s, "endpoint_url");
	c->shared_credentials_file =
	    tp_settings_get(s, "shared_credentials_file");
	c->config_file = tp_settings_get(s, "config_file");
}

/* A variable's value, NULL when unset or empty. */
const char *tp_aws_env(const struct tp_aws_conf *c, const char *name);

/* The tool setting when set, else the variable (NULL when neither). */
const char *tp_aws_value(const struct tp_aws_conf *c, const char *setting,
                         const char *env);

/* A path with a leading "~/" expanded from $HOME; malloc'd, NULL when
 * out of memory or "~/" without HOME. */
char *tp_aws_expand_home(const struct tp_aws_conf *c, const char *path);

/* The shared files and the profile chosen in them. */
struct tp_aws_shared {
	struct tp_aws_ini *credentials; /* NULL when the file is absent */
	struct tp_aws_ini *config;
	char *credentials_path;
	char *config_path;
	char *profile;            /* the profile name */
	const char *profile_from; /* "AWS_PROFILE", "setting 'profile'", ...
				   * or NULL for the implicit "default" */
};

/* Load both files (absent ones are fine) and pick the profile: tool
 * setting, AWS_PROFILE, AWS_DEFAULT_PROFILE, else "default". TP_ECONFIG
 * when a file is unreadable or malformed. */
int tp_aws_shared_load(struct tp_aws_shared *sh, const struct tp_aws_conf *c);

/* A key of the chosen profile in the config file ([profile NAME], or
 * [default] for "default"), or in the credentials file ([NAME]). */
const char *tp_aws_profile_config(const struct tp_aws_shared *sh,
                                  const char *key);
const char *tp_aws_profile_credentials(const struct tp_aws_shared *sh,
                                       const char *key);

/* 1 when the profile has a section in either file. */
int tp_aws_profile_exists(const struct tp_aws_shared *sh);

void tp_aws_shared_release(struct tp_aws_shared *sh);

/*
 * The region: setting/AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * region (sh may be NULL), else NULL. Borrowed. TP_ECONFIG when it is not
 * a plausible region name (it becomes part of a host name).
 */
int tp_aws_region(const char **out, const struct tp_aws_conf *c,
                  const struct tp_aws_shared *sh);

/* The partition: the setting when set (checked against the region),
 * else from the region's prefix (cn- → aws-cn, us-gov- → aws-us-gov),
 * else "aws". Static string. */
int tp_aws_partition(const char **out, const struct tp_aws_conf *c,
                     const char *region);

struct tp_aws_endpoint {
	char *url;            /* base URL, no trailing slash; may have a
			       * path */
	char *signing_region; /* SigV4 region */
	const char *partition;
	const char *source; /* "AWS_ENDPOINT_URL_ROUTE_53", "default", ...
			     * static */
};

/* Route 53: route53.amazonaws.com (us-east-1), route53.amazonaws.com.cn
 * (cn-northwest-1), route53.us-gov.amazonaws.com (us-gov-west-1), or an
 * override. */
int tp_aws_endpoint_route53(struct tp_aws_endpoint *out,
                            const struct tp_aws_conf *c);

/* STS: regional sts.REGION.amazonaws.com[.cn] when a region is known
 * (the SDKs' default), else the partition's (sts.amazonaws.com), or an
 * override. */
int tp_aws_endpoint_sts(struct tp_aws_endpoint *out,
                        const struct tp_aws_conf *c);

void tp_aws_endpoint_release(struct tp_aws_endpoint *e);

#endif
