/* sha256: hex digests (and random bytes) through OpenSSL's libcrypto, which is
 * opened at the first call instead of linked, so that commands that never hash do
 * not pay for loading it. A libcrypto that cannot be loaded ends the process with
 * the reason on stderr. */
#ifndef STRATA_UTIL_SHA256_H
#define STRATA_UTIL_SHA256_H

#include <stddef.h>

/* Writes the 64 lowercase hex digits and a NUL into `hex` (65 bytes). */
void sha256_hex(const void *data, size_t len, char hex[65]);
/* The same, over `text` with CRLF and lone CR normalised to LF first, so a checkout
 * with Windows line endings has the checksum of the LF one. */
void sha256_hex_text(const char *text, size_t len, char hex[65]);
/* Fills `out` with n cryptographically random bytes (RAND_bytes); 0, or -1 when
 * libcrypto failed. */
int sha256_random(unsigned char *out, size_t n);

#endif
