#include "util/vec.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

void vec_push(vec *a, void *item)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = item;
}

void vec_free(vec *a)
{
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

long vec_index(const vec *a, const void *item)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == item)
			return (long)i;
	return -1;
}

void strvec_push_owned(strvec *a, char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = s;
}

void strvec_push(strvec *a, const char *s)
{
	strvec_push_owned(a, xstrdup(s));
}

int strvec_contains(const strvec *a, const char *s)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], s) == 0)
			return 1;
	return 0;
}

void strvec_clear(strvec *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

void strvec_free(strvec *a)
{
	strvec_clear(a);
	free(a->v);
	a->v = NULL;
	a->cap = 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

void strvec_sort(strvec *a)
{
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), cmp_str);
}

void strvec_split_ws(strvec *a, const char *s)
{
	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		const char *start = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (s > start)
			strvec_push_owned(a, xstrndup(start, (size_t)(s - start)));
	}
}

char *strvec_join(const strvec *a, const char *sep)
{
	buf b = BUF_INIT;
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			buf_puts(&b, sep);
		buf_puts(&b, a->v[i]);
	}
	return buf_detach(&b);
}
