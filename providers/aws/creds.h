/*
 * creds.h: the AWS credential chain, private to providers/.
 *
 * The first source that applies wins, in this order:
 *   1. static keys: access_key_id + secret_access_key (+ session_token)
 *      from the tool's settings or AWS_ACCESS_KEY_ID,
 *      AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (legacy
 *      AWS_SECURITY_TOKEN);
 *   2. web identity: role_arn + web_identity_token_file (AWS_ROLE_ARN,
 *      AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_SESSION_NAME) through STS
 *      AssumeRoleWithWebIdentity, unsigned, as GitHub Actions OIDC and
 *      EKS use it;
 *   3. the profile (setting, AWS_PROFILE, else "default") of the shared
 *      files: a role_arn + web_identity_token_file profile through STS,
 *      else aws_access_key_id/aws_secret_access_key in the credentials
 *      file, then in the config file;
 *   4. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      (http://169.254.170.2), else AWS_CONTAINER_CREDENTIALS_FULL_URI
 *      with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN (ECS, EKS
 *      Pod Identity);
 *   5. EC2 instance metadata, IMDSv2 (a session token first; IMDSv1
 *      only when the token PUT is refused and AWS_EC2_METADATA_V1_DISABLED
 *      is not true), 1 s timeouts so machines off EC2 move on quickly;
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT (or _ENDPOINT_MODE=IPv6) and
 *      AWS_EC2_METADATA_DISABLED=true honoured.
 * A source that applies but fails (STS refuses the token, a named profile
 * does not exist, a half-set key pair) stops the chain with its error;
 * one that does not apply is skipped, and when none is left the error
 * lists each source and why it did not apply.
 *
 * Secrets: keys live only in struct tp_aws_creds and are wiped when it is
 * freed. Requests to STS, the container endpoint and instance metadata are
 * marked no_body_log (their bodies hold keys); response buffers are wiped.
 */
#ifndef TLSRPT_AWS_CREDS_H
#define TLSRPT_AWS_CREDS_H

#include <time.h>

#include "tlsrpt/buf.h"

#include "awsconf.h"

struct tp_aws_creds {
	char *access_key_id;
	char *secret_access_key; /* secret */
	char *session_token;     /* secret; NULL when none */
	time_t expiration;       /* 0 when they do not expire */
	char *source;            /* where they came from, for -v and
				  * messages: no secret in it */
};

/* Resolve credentials through the chain. *out owned by the caller, freed
 * with tp_aws_creds_free. TP_ECONFIG when none is found or the
 * configuration is wrong, TP_EAUTH when a source refused us, TP_ENETWORK
 * / TP_ETIMEOUT when one could not be reached. */
int tp_aws_creds_resolve(struct tp_aws_creds **out,
                         const struct tp_aws_conf *c);

/* 1 when c expires within margin seconds of now (0 when it never does):
 * time to resolve again before signing. */
int tp_aws_creds_expiring(const struct tp_aws_creds *c, time_t now,
                          long margin);

/* Wipe and free; c may be NULL. */
void tp_aws_creds_free(struct tp_aws_creds *c);

/*
 * The sources, for the chain and for tests. Each returns 0 with *out set
 * when it produced credentials, 0 with *out NULL when it does not apply
 * (appending one line saying why to skipped), or an error.
 */
struct tp_aws_shared;

int tp_aws_creds_static(struct tp_aws_creds **out, struct tp_buf *skipped,
                        const struct tp_aws_conf *c);
int tp_aws_creds_web_identity(struct tp_aws_creds **out, struct tp_buf *skipped,
                              const struct tp_aws_conf *c);
int tp_aws_creds_profile(struct tp_aws_creds **out, struct tp_buf *skipped,
                         const struct tp_aws_conf *c,
                         const struct tp_aws_shared *sh);
int tp_aws_creds_container(struct tp_aws_creds **out, struct tp_buf *skipped,
                           const struct tp_aws_conf *c);
int tp_aws_creds_imds(struct tp_aws_creds **out, struct tp_buf *skipped,
                      const struct tp_aws_conf *c);

/* STS AssumeRoleWithWebIdentity with the token in token_file (used by
 * the environment and profile sources). source describes the caller's
 * configuration for messages. */
int tp_aws_creds_assume_web_identity(struct tp_aws_creds **out,
                                     const struct tp_aws_conf *c,
                                     const char *role_arn,
                                     const char *token_file,
                                     const char *session_name,
                                     const char *source);

/* Read a token file (a leading "~/" expanded) with trailing whitespace
 * dropped; *out is a secret: free with tp_free_secret. what names it in
 * messages. TP_ECONFIG when unreadable, empty or over 64 KiB. */
int tp_aws_read_token_file(char **out, const struct tp_aws_conf *c,
                           const char *path, const char *what);

/* Grow b's storage to hold n bytes now, so that appending a secret never
 * reallocates (which would leave unwiped copies behind). */
void tp_aws_buf_reserve(struct tp_buf *b, size_t n);

/* Helpers for the sources: a new struct with copies of the strings
 * (token may be NULL), and an ISO 8601 "2026-11-22T16:05:00Z" time. */
int tp_aws_creds_new(struct tp_aws_creds **out, const char *key_id,
                     const char *secret, const char *token, const char *source);
int tp_aws_parse_time(time_t *out, const char *iso);

#endif
