/*
 * aws_creds_driver.c: the AWS credential chain as a small program, for
 * the end-to-end tests until the Route 53 backend drives it from the
 * binary. Built by tests/harness/fixtures_aws.py against the build's
 * libtlsrpt.a.
 *
 *   aws_creds_driver [--identity]
 *
 * Reads everything from the environment, like the tool: AWS_* variables,
 * CURL_CA_BUNDLE (the CA for STS), TLSRPT_TEST_CONTAINER_BASE (stands in
 * for http://169.254.170.2), TLSRPT_TEST_DEBUG=1 (every log line,
 * including the redacted HTTP dump, on stderr). Prints one JSON object:
 * the source, the access key id, sha256 of the secret and the token
 * (never the values), the expiration; with --identity, also the answer to
 * an STS GetCallerIdentity signed with them (SigV4 through the prepare
 * hook). On failure prints {"error": MESSAGE, "kind": KIND} and exits 1
 * (2 for a configuration error, as the tool does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "tlsrpt/err.h"
#include "tlsrpt/http.h"
#include "tlsrpt/sink.h"

#include "../../providers/aws/awsxml.h"
#include "../../providers/aws/creds.h"
#include "../../providers/aws/sigv4.h"

static void
log_line(void *ctx, enum tp_log_level level, const char *line)
{
	(void)ctx;
	fprintf(stderr, "log%d: %s\n", (int)level, line);
}

static void
add_hash(cJSON *o, const char *key, const char *value)
{
	char hex[65];

	if (value == NULL) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	tp_sigv4_sha256_hex(hex, value, strlen(value));
	cJSON_AddStringToObject(o, key, hex);
}

/* POST Action=GetCallerIdentity to the STS endpoint, signed with cr. */
static int
identity(cJSON *o, const struct tp_aws_conf *conf,
         const struct tp_http_opts *opts, const struct tp_aws_creds *cr)
{
	static const char body[] =
	    "Action=GetCallerIdentity&Version=2011-06-15";
	static const struct tp_http_header hdr[] = {
	    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8",
	     0}};
	struct tp_aws_endpoint ep;
	struct tp_sigv4_signer s;
	struct tp_http_req req;
	struct tp_http_resp resp;
	struct tp_aws_error e;
	struct tp_http *h = NULL;
	cJSON *id = cJSON_AddObjectToObject(o, "identity");
	char url[1024];
	xmlDoc *doc;
	char *arn;
	int rc;

	if ((rc = tp_aws_endpoint_sts(&ep, conf)) != 0)
		return rc;
	snprintf(url, sizeof(url), "%s/", ep.url);
	memset(&s, 0, sizeof(s));
	s.key.access_key_id = cr->access_key_id;
	s.key.secret_access_key = cr->secret_access_key;
	s.key.session_token = cr->session_token;
	s.region = ep.signing_region;
	s.service = "sts";
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers = hdr;
	req.nheaders = 1;
	req.body = body;
	req.body_len = strlen(body);
	req.idempotent = 1;
	req.prepare = tp_sigv4_prepare;
	req.prepare_ctx = &s;
	if ((rc = tp_http_new(&h, opts)) != 0 ||
	    (rc = tp_http_do(h, &req, &resp)) != 0)
		goto out;
	cJSON_AddNumberToObject(id, "status", (double)resp.status);
	if (resp.status == 200 &&
	    tp_aws_xml_parse(&doc, resp.body, resp.body_len, "identity") == 0) {
		arn = tp_aws_xml_text(tp_aws_xml_path(
		    tp_aws_xml_root(doc), "GetCallerIdentityResult/Arn"));
		cJSON_AddStringToObject(id, "arn", arn ? arn : "");
		free(arn);
		tp_aws_xml_free(doc);
	} else if (tp_aws_xml_error(&e, resp.body, resp.body_len) == 0) {
		cJSON_AddStringToObject(id, "code", e.code ? e.code : "");
		cJSON_AddStringToObject(id, "message",
		                        e.message ? e.message : "");
		tp_aws_error_release(&e);
	}
	tp_http_resp_release(&resp);
out:
	tp_http_free(h);
	tp_aws_endpoint_release(&ep);
	return rc;
}

static int
fail(int rc)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "error", tp_err_msg());
	cJSON_AddStringToObject(o, "kind", tp_err_kind(rc));
	s = cJSON_PrintUnformatted(o);
	printf("%s\n", s);
	free(s);
	cJSON_Delete(o);
	return rc == TP_ECONFIG || rc == TP_EUSAGE ? 2 : 1;
}

int
main(int argc, char **argv)
{
	struct tp_sink sink;
	struct tp_http_opts opts;
	struct tp_aws_conf conf;
	struct tp_aws_creds *cr = NULL;
	cJSON *o;
	char *s;
	int rc;

	memset(&sink, 0, sizeof(sink));
	sink.log = log_line;
	sink.level = getenv("TLSRPT_TEST_DEBUG") ? TP_LOG_DEBUG : TP_LOG_WARN;
	memset(&opts, 0, sizeof(opts));
	opts.cacert = getenv("CURL_CA_BUNDLE");
	opts.sink = &sink;
	opts.backoff_base = 0.05;
	opts.max_retries = -1;
	memset(&conf, 0, sizeof(conf));
	conf.http = &opts;
	conf.container_base = getenv("TLSRPT_TEST_CONTAINER_BASE");
	if (tp_http_global_init() != 0)
		return fail(TP_EINTERNAL);
	if ((rc = tp_aws_creds_resolve(&cr, &conf)) != 0) {
		rc = fail(rc);
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "source", cr->source);
	cJSON_AddStringToObject(o, "access_key_id", cr->access_key_id);
	add_hash(o, "secret_sha256", cr->secret_access_key);
	add_hash(o, "token_sha256", cr->session_token);
	cJSON_AddNumberToObject(o, "expiration", (double)cr->expiration);
	if (argc > 1 && strcmp(argv[1], "--identity") == 0 &&
	    (rc = identity(o, &conf, &opts, cr)) != 0) {
		cJSON_Delete(o);
		rc = fail(rc);
		goto out;
	}
	s = cJSON_PrintUnformatted(o);
	printf("%s\n", s);
	free(s);
	cJSON_Delete(o);
	rc = 0;
out:
	tp_aws_creds_free(cr);
	tp_http_global_cleanup();
	return rc;
}
