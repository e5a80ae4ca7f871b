/*
 * vec: a growable array of pointers; strvec: one of owned strings.
 * Both start zeroed ({0}) and own their storage; vec does not own its items.
 */
#ifndef STRATA_UTIL_VEC_H
#define STRATA_UTIL_VEC_H

#include <stddef.h>

typedef struct vec {
	void **v;
	size_t n;
	size_t cap;
} vec;

void vec_push(vec *a, void *item);
void vec_free(vec *a);
/* Index of `item` (pointer equality), or -1. */
long vec_index(const vec *a, const void *item);

typedef struct strvec {
	char **v;
	size_t n;
	size_t cap;
} strvec;

/* Appends a copy of `s`. */
void strvec_push(strvec *a, const char *s);
/* Appends `s` itself; the strvec takes ownership. */
void strvec_push_owned(strvec *a, char *s);
int strvec_contains(const strvec *a, const char *s);
void strvec_clear(strvec *a);
void strvec_free(strvec *a);
void strvec_sort(strvec *a);
/* Splits `s` on runs of spaces/tabs into words appended to `a`. */
void strvec_split_ws(strvec *a, const char *s);
/* Joins with `sep` into a malloc'd string. */
char *strvec_join(const strvec *a, const char *sep);

#endif
