/* SHA-256 and random bytes from OpenSSL's libcrypto, loaded at first use (see sha256.h). */
#define _POSIX_C_SOURCE 200809L
#include "util/sha256.h"
#include "util/buf.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)
#if OPENSSL_VERSION_MAJOR >= 3
#define LIBCRYPTO "libcrypto.so." STR(OPENSSL_VERSION_MAJOR)
#else
#define LIBCRYPTO "libcrypto.so.1.1"
#endif

/* The three functions strata uses, looked up once. */
static struct {
	int (*digest)(const void *data, size_t count, unsigned char *md, unsigned int *size,
		      const EVP_MD *type, ENGINE *impl);
	const EVP_MD *(*sha256)(void);
	int (*rand_bytes)(unsigned char *buf, int num);
} api;
static const EVP_MD *md; /* SHA-256 */
static int loaded;
static char why[256]; /* why the one load failed */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* Sets api and loaded (pthread_once: several handles may hash at the same moment).
 * libcrypto is opened here rather than linked: relocating it costs every process
 * start, and most commands (current, heads, history) never hash. */
static void load(void)
{
	void *h = dlopen(LIBCRYPTO, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *m = dlerror();
		snprintf(why, sizeof why, "%s", m ? m : "not found");
		return;
	}
	void *d = dlsym(h, "EVP_Digest"), *s = dlsym(h, "EVP_sha256"), *r = dlsym(h, "RAND_bytes");
	if (!d || !s || !r) {
		snprintf(why, sizeof why, "it lacks EVP_Digest, EVP_sha256 or RAND_bytes");
		return;
	}
	/* dlsym returns an object pointer; POSIX lets it convert to a function pointer,
	 * which memcpy does without the cast C forbids. */
	memcpy(&api.digest, &d, sizeof d);
	memcpy(&api.sha256, &s, sizeof s);
	memcpy(&api.rand_bytes, &r, sizeof r);
	/* libcrypto 3 looks EVP_sha256() up in its providers at every digest; the
	 * algorithm fetched once spares each checksum that search. */
#if OPENSSL_VERSION_MAJOR >= 3
	void *f = dlsym(h, "EVP_MD_fetch");
	if (f) {
		EVP_MD *(*fetch)(OSSL_LIB_CTX *, const char *, const char *);
		memcpy(&fetch, &f, sizeof f);
		md = fetch(NULL, "SHA256", NULL);
	}
#endif
	if (!md)
		md = api.sha256();
	loaded = 1;
}

/* libcrypto's functions, or the end of the process with the reason: a checksum
 * strata cannot compute must not be taken for one. */
static void need(void)
{
	pthread_once(&load_once, load);
	if (!loaded) {
		fprintf(stderr, "strata: %s could not be loaded (%s); install it (Debian: apt-get "
				"install libssl3)\n", LIBCRYPTO, why);
		abort();
	}
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	need();
	if (!api.digest(data, len, out, &mdlen, md, NULL)) {
		fputs("strata: libcrypto SHA-256 failed\n", stderr);
		abort();
	}
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < mdlen && i < 32; i++) {
		hex[2 * i] = digits[out[i] >> 4];
		hex[2 * i + 1] = digits[out[i] & 15];
	}
	hex[64] = '\0';
}

int sha256_random(unsigned char *out, size_t n)
{
	need();
	return n <= 0x7fffffff && api.rand_bytes(out, (int)n) == 1 ? 0 : -1;
}

void sha256_hex_text(const char *text, size_t len, char hex[65])
{
	/* Nothing to normalise (the usual case): hash the text itself. */
	if (!memchr(text, '\r', len)) {
		sha256_hex(text, len, hex);
		return;
	}
	buf b = BUF_INIT;
	buf_grow(&b, len);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r') {
			buf_putc(&b, '\n');
			if (i + 1 < len && text[i + 1] == '\n')
				i++;
		} else {
			buf_putc(&b, text[i]);
		}
	}
	sha256_hex(b.ptr, b.len, hex);
	buf_free(&b);
}
