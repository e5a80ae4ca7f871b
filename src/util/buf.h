/*
 * buf: a growable string.
 *
 * Invariants: `ptr` is never NULL and always NUL-terminated at `len`, so a buf can be
 * passed wherever a C string is wanted, even before anything was written to it.
 * A buf initialised with BUF_INIT owns nothing until the first write; buf_free()
 * returns it to that state.
 */
#ifndef STRATA_UTIL_BUF_H
#define STRATA_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

extern char buf_empty_[1];

typedef struct buf {
	char *ptr;
	size_t len;
	size_t cap; /* 0 while ptr is buf_empty_ */
} buf;

#define BUF_INIT { buf_empty_, 0, 0 }

void buf_init(buf *b);
/* Makes room for `extra` more bytes plus the NUL; aborts on out-of-memory. */
void buf_grow(buf *b, size_t extra);
void buf_add(buf *b, const void *data, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
void buf_truncate(buf *b, size_t len);
void buf_reset(buf *b);
/* Returns the malloc'd string and leaves `b` empty; the caller frees it. */
char *buf_detach(buf *b);
void buf_free(buf *b);
/* Strips trailing whitespace. */
void buf_rtrim(buf *b);

/* malloc/strdup that abort on out-of-memory: strata treats OOM as fatal. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
