/*
 * test_wipe.c: no secret is left in memory handed back to the allocator.
 *
 * This test replaces free() and realloc() for the whole process (the
 * libraries too: libconfig, OpenSSL, the C library's stdio): each block
 * freed is searched for the secret of the moment before it goes back to
 * the C library. realloc is done as malloc + copy + free so that a block
 * a buffer grows out of is searched too. Then the paths that hold
 * secrets (the string buffer, the config file, settings from files and
 * the environment, the Cloudflare and GoDaddy auth headers, the AWS
 * shared files, credentials and SigV4 signing) are run and must leave no
 * copy behind. A first test proves the detector sees an unwiped copy.
 *
 * Skipped under AddressSanitizer, which owns the allocator.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tlsrpt/buf.h"
#include "tlsrpt/conf.h"
#include "tlsrpt/err.h"
#include "tlsrpt/provider.h"
#include "tlsrpt/settings.h"

#include "../../providers/aws/creds.h"
#include "../../providers/aws/ini.h"
#include "../../providers/aws/sigv4.h"
#include "../../providers/cloudflare/api.h"
#include "../../providers/godaddy/api.h"

#if defined(__SANITIZE_ADDRESS__)
#define NO_HOOK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_HOOK 1
#endif
#endif

/* The secret being looked for (NULL: none) and what was found: by our
 * code and the libraries it hands secrets to, and by libconfig's scanner,
 * whose copies only glibc's free-time fill (tp_wipe_freed_memory) clears. */
static const char *secret;
static int found, found_libconfig, hooked;

#ifndef NO_HOOK
static void (*real_free)(void *);
static void *(*real_malloc)(size_t);

static void
look(void *p, void *caller)
{
	const char *s = secret;
	Dl_info info;
	size_t n;

	if (p == NULL || s == NULL)
		return;
	n = malloc_usable_size(p);
	if (memmem(p, n, s, strlen(s)) == NULL)
		return;
	secret = NULL; /* dladdr may allocate */
	if (dladdr(caller, &info) != 0 && info.dli_fname != NULL &&
	    strstr(info.dli_fname, "libconfig") != NULL)
		found_libconfig++;
	else
		found++;
	secret = s;
}

void
free(void *p)
{
	if (real_free == NULL)
		real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	if (real_free == NULL)
		return; /* dlsym itself freeing before we know: keep it */
	hooked = 1;
	look(p, __builtin_return_address(0));
	real_free(p);
}

void *
realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (real_malloc == NULL)
		real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	if (p == NULL)
		return real_malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	if ((q = real_malloc(n)) == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}
#endif

#define SECRET  "s3cr3tV4lu3-wipe-me-0123456789abcdef"
#define SECRET2 "an0th3rS3cr3t-from-a-file-9876543210"

static char dir[64];

/* Skip when this test does not own free(): under AddressSanitizer, or
 * Valgrind, which replaces it even in the executable. */
static void
need_hook(void)
{
#ifdef NO_HOOK
	skip();
#else
	free(strdup("probe"));
	if (!hooked)
		skip();
#endif
}

static int
setup(void **state)
{
	(void)state;
	secret = NULL;
	found = 0;
	return 0;
}

static void
watch(const char *s)
{
	need_hook();
	secret = s;
	found = found_libconfig = 0;
}

static int
unwatch(void)
{
	secret = NULL;
	return found;
}

static char *
write_file(const char *name, const char *text, mode_t mode)
{
	static char path[128];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void
test_detector_sees_a_copy(void **state)
{
	char *p;

	(void)state;
	watch(SECRET);
	p = strdup("x " SECRET " y");
	free(p);
	assert_true(hooked);
	assert_int_equal(unwatch(), 1);
	watch(SECRET);
	p = strdup("x " SECRET " y");
	tp_free_secret(p);
	assert_int_equal(unwatch(), 0);
}

static void
test_buffer_growth(void **state)
{
	struct tp_buf b = TP_BUF_INIT(1 << 20);
	size_t i;

	(void)state;
	watch(SECRET);
	tp_buf_adds(&b, SECRET);
	for (i = 0; i < 5000; i++) /* the block is moved many times */
		tp_buf_addc(&b, 'x');
	tp_buf_release(&b);
	tp_buf_adds(&b, "Bearer ");
	tp_buf_adds(&b, SECRET);
	tp_buf_addf(&b, "%0300d", 0);
	tp_free_secret(tp_buf_detach(&b));
	assert_int_equal(unwatch(), 0);
}

static void
test_config_and_settings(void **state)
{
	const struct tp_provider *cf = tp_provider_find("cloudflare");
	struct tp_settings *s = NULL;
	struct tp_conf *c = NULL;
	char *path, *warn = NULL;

	(void)state;
	path = write_file("config",
	                  "defaults = { rua = [\"mailto:a@example.com\"]; };\n"
	                  "cloudflare = { api_token = \"" SECRET "\"; };\n",
	                  0600);
	watch(SECRET);
	assert_int_equal(tp_conf_load(&c, path, &warn), 0);
	assert_null(warn);
	assert_int_equal(tp_settings_resolve(&s, cf, c, "cloudflare", NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), SECRET);
	tp_settings_free(s);
	tp_conf_free(c);
	assert_int_equal(unwatch(), 0);

	/* From a *_file named in the config. */
	write_file("token", SECRET2 "\n", 0600);
	path = write_file(
	    "config2", "cloudflare = { api_token_file = \"token\"; };\n", 0600);
	watch(SECRET2);
	assert_int_equal(tp_conf_load(&c, path, NULL), 0);
	assert_int_equal(tp_settings_resolve(&s, cf, c, "cloudflare", NULL), 0);
	assert_string_equal(tp_settings_get(s, "api_token"), SECRET2);
	tp_settings_free(s);
	tp_conf_free(c);
	assert_int_equal(unwatch(), 0);
}

static void
test_provider_auth(void **state)
{
	struct tp_cf_api cf;
	struct tp_gd_api gd;

	(void)state;
	watch(SECRET);
	assert_int_equal(tp_cf_api_init(&cf, NULL, SECRET,
	                                "https://api.example/client/v4", "x"),
	                 0);
	tp_cf_api_release(&cf);
	assert_int_equal(tp_gd_api_init(&gd, NULL, "key0123456789", SECRET,
	                                NULL, "https://api.example", "x", NULL),
	                 0);
	tp_gd_api_release(&gd);
	assert_int_equal(unwatch(), 0);
}

static void
test_aws(void **state)
{
	static const char ini_text[] =
	    "[default]\naws_access_key_id = AKIDEXAMPLE\n"
	    "aws_secret_access_key = " SECRET "\n"
	    "aws_session_token = tok" SECRET2 "\n";
	struct tp_http_header h[] = {{"Host", "route53.amazonaws.com", 0}};
	struct tp_sigv4_key key = {"AKIDEXAMPLE", SECRET, NULL};
	struct tp_sigv4_params par = {"us-east-1", "route53", 1700000000, 0, 0};
	struct tp_sigv4_req req = {
	    "GET", "/2013-04-01/hostedzone", NULL, h, 1, NULL, 0};
	struct tp_sigv4_out out;
	struct tp_aws_creds *cr = NULL;
	struct tp_aws_ini *ini = NULL;
	char *path;

	(void)state;
	path = write_file("credentials", ini_text, 0600);
	watch(SECRET);
	assert_int_equal(
	    tp_aws_ini_parse(&ini, ini_text, sizeof(ini_text) - 1, "mem"), 0);
	assert_string_equal(
	    tp_aws_ini_get(ini, "default", "aws_secret_access_key"), SECRET);
	tp_aws_ini_free(ini);
	assert_int_equal(tp_aws_ini_load(&ini, path), 0);
	tp_aws_ini_free(ini);
	assert_int_equal(
	    tp_aws_creds_new(&cr, "AKIDEXAMPLE", SECRET, "tok", "test"), 0);
	tp_aws_creds_free(cr);
	memset(&out, 0, sizeof(out));
	assert_int_equal(tp_sigv4_sign(&out, &key, &par, &req), 0);
	tp_sigv4_out_release(&out);
	assert_int_equal(unwatch(), 0);
}

static int
make_dir(void **state)
{
	(void)state;
	(void)snprintf(dir, sizeof(dir), "/tmp/test_wipe.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
remove_dir(void **state)
{
	static const char *const names[] = {"config", "config2", "token",
	                                    "credentials"};
	char path[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_detector_sees_a_copy, setup),
	    cmocka_unit_test_setup(test_buffer_growth, setup),
	    cmocka_unit_test_setup(test_config_and_settings, setup),
	    cmocka_unit_test_setup(test_provider_auth, setup),
	    cmocka_unit_test_setup(test_aws, setup),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
