/*
 * test_awscreds.c: the AWS credential chain without the network: static
 * keys, profiles of the shared files and their precedence, the reasons
 * listed when nothing is found, region, partition and endpoints. The
 * network sources (STS, container, IMDS) are driven end to end by
 * tests/e2e/test_aws_creds.py against tests/emulators/aws_creds.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tlsrpt/err.h"

#include "../../providers/aws/creds.h"

#define MAXENV 32

/* A fake environment and a fake HOME with .aws/ files. */
struct fx {
	const char *name[MAXENV];
	const char *value[MAXENV];
	size_t n;
	char home[64];
	char path[128];
	struct tp_aws_conf c;
};

static const char *
fake_getenv(void *ctx, const char *name)
{
	struct fx *f = ctx;
	size_t i;

	for (i = f->n; i-- > 0;)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

static void
env(struct fx *f, const char *name, const char *value)
{
	assert_true(f->n < MAXENV);
	f->name[f->n] = name;
	f->value[f->n++] = value;
}

static void
write_file(struct fx *f, const char *rel, const char *text)
{
	FILE *fp;

	snprintf(f->path, sizeof(f->path), "%s/%s", f->home, rel);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->home, sizeof(f->home), "/tmp/tp-awscreds-XXXXXX");
	if (mkdtemp(f->home) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/.aws", f->home);
	mkdir(f->path, 0700);
	env(f, "HOME", f->home);
	f->c.getenv = fake_getenv;
	f->c.getenv_ctx = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char p[160];

	snprintf(p, sizeof(p), "%s/.aws/credentials", f->home);
	unlink(p);
	snprintf(p, sizeof(p), "%s/.aws/config", f->home);
	unlink(p);
	snprintf(p, sizeof(p), "%s/.aws", f->home);
	rmdir(p);
	rmdir(f->home);
	free(f);
	return 0;
}

/* Resolve through the whole chain; IMDS is disabled so nothing here ever
 * touches the network. */
static int
resolve(struct fx *f, struct tp_aws_creds **out)
{
	env(f, "AWS_EC2_METADATA_DISABLED", "true");
	return tp_aws_creds_resolve(out, &f->c);
}

static void
test_env_keys(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	env(f, "AWS_ACCESS_KEY_ID", "AKIDENV");
	env(f, "AWS_SECRET_ACCESS_KEY", "envsecret");
	env(f, "AWS_SESSION_TOKEN", "envtoken");
	write_file(f, ".aws/credentials",
	           "[default]\naws_access_key_id = AKIDFILE\n"
	           "aws_secret_access_key = filesecret\n");
	assert_int_equal(resolve(f, &c), 0);
	assert_string_equal(c->access_key_id, "AKIDENV");
	assert_string_equal(c->secret_access_key, "envsecret");
	assert_string_equal(c->session_token, "envtoken");
	assert_string_equal(c->source, "AWS_ACCESS_KEY_ID");
	assert_int_equal(c->expiration, 0);
	tp_aws_creds_free(c);
	tp_aws_creds_free(NULL);
}

static void
test_settings_and_legacy_token(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	f->c.access_key_id = "AKIDSET";
	f->c.secret_access_key = "setsecret";
	env(f, "AWS_SECURITY_TOKEN", "legacytoken");
	assert_int_equal(resolve(f, &c), 0);
	assert_string_equal(c->access_key_id, "AKIDSET");
	assert_string_equal(c->session_token, "legacytoken");
	assert_string_equal(c->source, "the access_key_id setting");
	tp_aws_creds_free(c);
}

static void
test_half_a_key_pair_is_an_error(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	env(f, "AWS_ACCESS_KEY_ID", "AKIDENV");
	write_file(f, ".aws/credentials",
	           "[default]\naws_access_key_id = AKIDFILE\n"
	           "aws_secret_access_key = filesecret\n");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_null(c);
	assert_non_null(strstr(tp_err_msg(), "AWS_SECRET_ACCESS_KEY is not"));
}

static void
test_bad_characters_never_echoed(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	env(f, "AWS_ACCESS_KEY_ID", "AKIDENV");
	env(f, "AWS_SECRET_ACCESS_KEY", "sec ret\n");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "control characters"));
	assert_null(strstr(tp_err_msg(), "sec ret"));
}

static void
test_default_profile(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	write_file(f, ".aws/credentials",
	           "[default]\naws_access_key_id = AKIDFILE\n"
	           "aws_secret_access_key = filesecret\n"
	           "aws_session_token = filetoken\n"
	           "[dev]\naws_access_key_id = AKIDDEV\n"
	           "aws_secret_access_key = devsecret\n");
	assert_int_equal(resolve(f, &c), 0);
	assert_string_equal(c->access_key_id, "AKIDFILE");
	assert_string_equal(c->session_token, "filetoken");
	assert_non_null(strstr(c->source, "profile 'default'"));
	assert_non_null(strstr(c->source, "/.aws/credentials"));
	tp_aws_creds_free(c);
}

static void
test_named_profile_credentials_beat_config(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	env(f, "AWS_PROFILE", "dev");
	write_file(f, ".aws/credentials",
	           "[default]\naws_access_key_id = AKIDFILE\n"
	           "aws_secret_access_key = filesecret\n"
	           "[dev]\naws_access_key_id = AKIDDEV\n"
	           "aws_secret_access_key = devsecret\n");
	write_file(f, ".aws/config",
	           "[profile dev]\nregion = eu-west-1\n"
	           "aws_access_key_id = AKIDCONFIG\n"
	           "aws_secret_access_key = configsecret\n");
	assert_int_equal(resolve(f, &c), 0);
	assert_string_equal(c->access_key_id, "AKIDDEV");
	assert_null(c->session_token);
	tp_aws_creds_free(c);
}

static void
test_profile_keys_in_config_file(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;
	char cfg[160];

	/* Paths from the environment, and the setting over AWS_PROFILE. */
	snprintf(cfg, sizeof(cfg), "%s/.aws/config", f->home);
	write_file(f, ".aws/config",
	           "[default]\nregion = us-east-1\n"
	           "[profile ci]\naws_access_key_id = AKIDCI\n"
	           "aws_secret_access_key = cisecret\n");
	env(f, "AWS_CONFIG_FILE", cfg);
	env(f, "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
	env(f, "AWS_PROFILE", "other");
	f->c.profile = "ci";
	assert_int_equal(resolve(f, &c), 0);
	assert_string_equal(c->access_key_id, "AKIDCI");
	assert_non_null(strstr(c->source, "profile 'ci'"));
	tp_aws_creds_free(c);
}

static void
test_missing_named_profile(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	env(f, "AWS_PROFILE", "nosuch");
	write_file(f, ".aws/credentials", "[default]\n");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "profile 'nosuch'"));
	assert_non_null(strstr(tp_err_msg(), "AWS_PROFILE"));
}

static void
test_profile_half_pair(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	write_file(f, ".aws/credentials", "[default]\naws_access_key_id = A\n");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "aws_secret_access_key"));
}

static void
unsupported_case(struct fx *f, const char *config, const char *want)
{
	struct tp_aws_creds *c = NULL;

	write_file(f, ".aws/config", config);
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), want));
	assert_non_null(strstr(tp_err_msg(), "export-credentials"));
}

static void
test_unsupported_profiles_explained(void **state)
{
	struct fx *f = *state;

	unsupported_case(f,
	                 "[default]\nrole_arn = arn:aws:iam::1:role/r\n"
	                 "source_profile = base\n",
	                 "source_profile");
	unsupported_case(f, "[default]\ncredential_process = /bin/creds\n",
	                 "credential_process");
	unsupported_case(f, "[default]\nsso_session = corp\n", "SSO");
}

static void
test_web_identity_config_errors(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	env(f, "AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "AWS_ROLE_ARN is not"));
	env(f, "AWS_ROLE_ARN", "my-role");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "'my-role'"));
	assert_non_null(strstr(tp_err_msg(), "not an ARN"));
	env(f, "AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "/nonexistent/token"));
	write_file(f, "token", "\n");
	env(f, "AWS_WEB_IDENTITY_TOKEN_FILE", f->path);
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "empty"));
	unlink(f->path);
}

static void
test_profile_web_identity_needs_role(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	write_file(f, ".aws/config",
	           "[default]\nweb_identity_token_file = /tmp/t\n");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "no role_arn"));
}

static void
test_nothing_found_lists_every_source(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;
	const char *m;

	env(f, "AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_null(c);
	m = tp_err_msg();
	assert_non_null(strstr(m, "no credentials found"));
	assert_non_null(strstr(m,
	                       "AWS_ACCESS_KEY_ID and "
	                       "AWS_SECRET_ACCESS_KEY not set"));
	assert_non_null(strstr(m,
	                       "AWS_WEB_IDENTITY_TOKEN_FILE not set "
	                       "(AWS_ROLE_ARN alone is not enough)"));
	assert_non_null(strstr(m, "no [default] profile"));
	assert_non_null(strstr(m, "container: "));
	assert_non_null(strstr(m, "AWS_EC2_METADATA_DISABLED is true"));
}

static void
test_profile_without_keys_is_skipped(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	write_file(f, ".aws/config", "[default]\nregion = us-east-1\n");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "profile 'default' has no keys"));
}

static void
test_container_config_errors(void **state)
{
	struct fx *f = *state;
	struct tp_aws_creds *c = NULL;

	env(f, "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "http://example.com/creds");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "must be https"));
	env(f, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/creds");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "does not start with '/'"));
	env(f, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds");
	env(f, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok\r\nX-Evil: 1");
	assert_int_equal(resolve(f, &c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "line break"));
}

static void
test_region_order(void **state)
{
	struct fx *f = *state;
	struct tp_aws_shared sh;
	const char *r;

	write_file(f, ".aws/config", "[default]\nregion = eu-central-1\n");
	assert_int_equal(tp_aws_shared_load(&sh, &f->c), 0);
	assert_int_equal(tp_aws_region(&r, &f->c, &sh), 0);
	assert_string_equal(r, "eu-central-1");
	env(f, "AWS_DEFAULT_REGION", "us-west-2");
	assert_int_equal(tp_aws_region(&r, &f->c, &sh), 0);
	assert_string_equal(r, "us-west-2");
	env(f, "AWS_REGION", "ap-south-1");
	assert_int_equal(tp_aws_region(&r, &f->c, &sh), 0);
	assert_string_equal(r, "ap-south-1");
	f->c.region = "cn-north-1";
	assert_int_equal(tp_aws_region(&r, &f->c, &sh), 0);
	assert_string_equal(r, "cn-north-1");
	f->c.region = "evil.example.com/";
	assert_int_equal(tp_aws_region(&r, &f->c, &sh), TP_ECONFIG);
	assert_null(r);
	assert_non_null(strstr(tp_err_msg(), "'evil.example.com/'"));
	tp_aws_shared_release(&sh);
	tp_aws_shared_release(NULL);
}

static void
test_partitions(void **state)
{
	struct fx *f = *state;
	const char *p;

	assert_int_equal(tp_aws_partition(&p, &f->c, NULL), 0);
	assert_string_equal(p, "aws");
	assert_int_equal(tp_aws_partition(&p, &f->c, "eu-west-1"), 0);
	assert_string_equal(p, "aws");
	assert_int_equal(tp_aws_partition(&p, &f->c, "cn-northwest-1"), 0);
	assert_string_equal(p, "aws-cn");
	assert_int_equal(tp_aws_partition(&p, &f->c, "us-gov-east-1"), 0);
	assert_string_equal(p, "aws-us-gov");
	f->c.partition = "aws-cn";
	assert_int_equal(tp_aws_partition(&p, &f->c, NULL), 0);
	assert_string_equal(p, "aws-cn");
	assert_int_equal(tp_aws_partition(&p, &f->c, "us-east-1"), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "not in partition 'aws-cn'"));
	f->c.partition = "aws-mars";
	assert_int_equal(tp_aws_partition(&p, &f->c, NULL), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "'aws-mars'"));
}

static void
r53(struct fx *f, const char *url, const char *region, const char *src)
{
	struct tp_aws_endpoint e;
	int rc = tp_aws_endpoint_route53(&e, &f->c);

	if (rc != 0)
		fail_msg("endpoint: %s", tp_err_msg());
	assert_string_equal(e.url, url);
	assert_string_equal(e.signing_region, region);
	assert_string_equal(e.source, src);
	tp_aws_endpoint_release(&e);
}

static void
test_route53_endpoints(void **state)
{
	struct fx *f = *state;

	r53(f, "https://route53.amazonaws.com", "us-east-1", "default");
	f->c.region = "cn-north-1";
	r53(f, "https://route53.amazonaws.com.cn", "cn-northwest-1", "default");
	f->c.region = NULL;
	f->c.partition = "aws-us-gov";
	r53(f, "https://route53.us-gov.amazonaws.com", "us-gov-west-1",
	    "default");
	f->c.partition = NULL;
	write_file(f, ".aws/config",
	           "[default]\nservices = local\n"
	           "endpoint_url = https://profile.example\n"
	           "[services local]\nroute_53 =\n"
	           "  endpoint_url = https://services.example/\n");
	r53(f, "https://services.example", "us-east-1",
	    "the profile's services section");
	env(f, "AWS_ENDPOINT_URL", "https://global.example/base/");
	r53(f, "https://global.example/base", "us-east-1", "AWS_ENDPOINT_URL");
	f->c.endpoint_url = "https://127.0.0.1:8443";
	r53(f, "https://127.0.0.1:8443", "us-east-1",
	    "the endpoint_url setting");
	env(f, "AWS_ENDPOINT_URL_ROUTE_53", "http://localhost:4566/");
	r53(f, "http://localhost:4566", "us-east-1",
	    "AWS_ENDPOINT_URL_ROUTE_53");
	/* Ignoring configured endpoints keeps only the tool's own setting. */
	env(f, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
	r53(f, "https://127.0.0.1:8443", "us-east-1",
	    "the endpoint_url setting");
	f->c.endpoint_url = NULL;
	r53(f, "https://route53.amazonaws.com", "us-east-1", "default");
}

static void
test_bad_endpoint_urls(void **state)
{
	struct fx *f = *state;
	struct tp_aws_endpoint e;

	env(f, "AWS_ENDPOINT_URL_ROUTE_53", "http://route53.example.com");
	assert_int_equal(tp_aws_endpoint_route53(&e, &f->c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "not loopback"));
	env(f, "AWS_ENDPOINT_URL_ROUTE_53", "ftp://x");
	assert_int_equal(tp_aws_endpoint_route53(&e, &f->c), TP_ECONFIG);
	assert_non_null(strstr(tp_err_msg(), "AWS_ENDPOINT_URL_ROUTE_53"));
	env(f, "AWS_ENDPOINT_URL_ROUTE_53", "https://x/?a=b");
	assert_int_equal(tp_aws_endpoint_route53(&e, &f->c), TP_ECONFIG);
	assert_null(e.url);
	tp_aws_endpoint_release(NULL);
}

static void
sts(struct fx *f, const char *url, const char *region)
{
	struct tp_aws_endpoint e;
	int rc = tp_aws_endpoint_sts(&e, &f->c);

	if (rc != 0)
		fail_msg("endpoint: %s", tp_err_msg());
	assert_string_equal(e.url, url);
	assert_string_equal(e.signing_region, region);
	tp_aws_endpoint_release(&e);
}

static void
test_sts_endpoints(void **state)
{
	struct fx *f = *state;

	sts(f, "https://sts.amazonaws.com", "us-east-1");
	env(f, "AWS_REGION", "eu-west-1");
	sts(f, "https://sts.eu-west-1.amazonaws.com", "eu-west-1");
	write_file(f, ".aws/config",
	           "[default]\nsts_regional_endpoints = legacy\n");
	sts(f, "https://sts.amazonaws.com", "us-east-1");
	env(f, "AWS_STS_REGIONAL_ENDPOINTS", "regional");
	sts(f, "https://sts.eu-west-1.amazonaws.com", "eu-west-1");
	env(f, "AWS_STS_REGIONAL_ENDPOINTS", "legacy");
	sts(f, "https://sts.amazonaws.com", "us-east-1");
	env(f, "AWS_REGION", "cn-northwest-1");
	sts(f, "https://sts.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1");
	env(f, "AWS_REGION", "");
	f->c.partition = "aws-cn";
	sts(f, "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1");
	f->c.partition = NULL;
	env(f, "AWS_ENDPOINT_URL", "https://all.example");
	sts(f, "https://all.example", "us-east-1");
	env(f, "AWS_ENDPOINT_URL_STS", "https://127.0.0.1:9443/");
	sts(f, "https://127.0.0.1:9443", "us-east-1");
}

static void
test_home_expansion(void **state)
{
	struct fx *f = *state;
	char *p, want[128];

	p = tp_aws_expand_home(&f->c, "~/.aws/token");
	snprintf(want, sizeof(want), "%s/.aws/token", f->home);
	assert_string_equal(p, want);
	free(p);
	p = tp_aws_expand_home(&f->c, "/abs/~/x");
	assert_string_equal(p, "/abs/~/x");
	free(p);
	env(f, "HOME", "");
	assert_null(tp_aws_expand_home(&f->c, "~/x"));
}

static void
test_times(void **state)
{
	struct tp_aws_creds c;
	time_t t;

	(void)state;
	assert_int_equal(tp_aws_parse_time(&t, "2026-11-22T16:05:00Z"), 0);
	assert_int_equal((long long)t, 1795363500LL);
	assert_int_equal(tp_aws_parse_time(&t, "2026-11-22T16:05:00.000Z"), 0);
	assert_int_equal((long long)t, 1795363500LL);
	assert_int_equal(tp_aws_parse_time(&t, "yesterday"), TP_ENETWORK);
	memset(&c, 0, sizeof(c));
	assert_false(tp_aws_creds_expiring(&c, 1000, 300));
	c.expiration = 1200;
	assert_true(tp_aws_creds_expiring(&c, 1000, 300));
	assert_false(tp_aws_creds_expiring(&c, 800, 300));
	assert_false(tp_aws_creds_expiring(NULL, 800, 300));
}

static void
test_setting_defs(void **state)
{
	size_t i, secrets = 0;

	(void)state;
	for (i = 0; i < TP_AWS_NSETTING_DEFS; i++) {
		assert_non_null(tp_aws_setting_defs[i].key);
		assert_non_null(tp_aws_setting_defs[i].help);
		/* Secrets never come from the command line. */
		if (tp_aws_setting_defs[i].flags & TP_SETTING_SECRET) {
			assert_null(tp_aws_setting_defs[i].flag);
			secrets++;
		}
	}
	assert_int_equal(secrets, 2);
	assert_string_equal(tp_aws_setting_defs[0].env, "AWS_ACCESS_KEY_ID");
	assert_string_equal(tp_aws_setting_defs[TP_AWS_NSETTING_DEFS - 1].key,
	                    "config_file");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_env_keys),
	    T(test_settings_and_legacy_token),
	    T(test_half_a_key_pair_is_an_error),
	    T(test_bad_characters_never_echoed),
	    T(test_default_profile),
	    T(test_named_profile_credentials_beat_config),
	    T(test_profile_keys_in_config_file),
	    T(test_missing_named_profile),
	    T(test_profile_half_pair),
	    T(test_unsupported_profiles_explained),
	    T(test_web_identity_config_errors),
	    T(test_profile_web_identity_needs_role),
	    T(test_nothing_found_lists_every_source),
	    T(test_profile_without_keys_is_skipped),
	    T(test_container_config_errors),
	    T(test_region_order),
	    T(test_partitions),
	    T(test_route53_endpoints),
	    T(test_bad_endpoint_urls),
	    T(test_sts_endpoints),
	    T(test_home_expansion),
	    T(test_times),
	    T(test_setting_defs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
