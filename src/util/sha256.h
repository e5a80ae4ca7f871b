/* sha256: hex digests through OpenSSL's libcrypto. */
#ifndef STRATA_UTIL_SHA256_H
#define STRATA_UTIL_SHA256_H

#include <stddef.h>

/* Writes the 64 lowercase hex digits and a NUL into `hex` (65 bytes). */
void sha256_hex(const void *data, size_t len, char hex[65]);
/* The same, over `text` with CRLF and lone CR normalised to LF first, so a checkout
 * with Windows line endings has the checksum of the LF one. */
void sha256_hex_text(const char *text, size_t len, char hex[65]);

#endif
