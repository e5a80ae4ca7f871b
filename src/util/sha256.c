#include "util/sha256.h"
#include "util/buf.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL)) {
		fputs("strata: libcrypto SHA-256 failed\n", stderr);
		abort();
	}
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < mdlen && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

void sha256_hex_text(const char *text, size_t len, char hex[65])
{
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
