/*
 * awsconf_settings.c: the AWS settings, as the generic resolver found
 * them, into struct tp_aws_conf. Its own file so that code using
 * struct tp_aws_conf without the settings module (tests, the fuzzers)
 * does not pull it in.
 */
#include "awsconf.h"

void
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
