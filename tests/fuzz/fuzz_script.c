/*
 * libFuzzer harness for the revision-file parser (src/core/script.c).
 *
 * Each input is parsed straight from libFuzzer's buffer, which holds exactly `size` bytes
 * and no NUL after them, so AddressSanitizer reports any read past `len`. Beyond memory
 * safety it checks what the graph and the runner rely on:
 *   - a failure sets STRATA_EFAIL and a message "PATH:LINE: …" (or "PATH: …" for a file
 *     with NUL bytes) whose line lies inside the file, and leaves *out NULL;
 *   - a parsed revision has a valid id, valid parent/label/dependency ids, no parent equal
 *     to itself, non-NULL message and sections, and section lines inside the file;
 *   - rendering it (script_render) gives a file that parses back to the same headers and
 *     the same SQL (up to the trailing newlines rendering adds between sections).
 * Build and run: see tests/fuzz/README.md (or tests/fuzz/run.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/script.h"

#define PATH "v/f.sql"

#define CHECK(cond)                                                                      \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_script: %s:%d: check failed: %s\n", __FILE__,  \
				__LINE__, #cond);                                         \
			abort();                                                          \
		}                                                                         \
	} while (0)

static void check_ids(const strvec *v)
{
	for (size_t i = 0; i < v->n; i++)
		CHECK(script_valid_id(v->v[i]));
}

static int same_strvec(const strvec *a, const strvec *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

/* Length of s without its trailing CR/LF. */
static size_t rtrim_nl(const char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n;
}

static int same_sql(const char *a, const char *b)
{
	size_t na = rtrim_nl(a), nb = rtrim_nl(b);
	return na == nb && memcmp(a, b, na) == 0;
}

/* The message as rendering writes it and parsing reads it back: CR/LF folded to spaces,
 * leading blanks/tabs and trailing whitespace dropped. malloc'd. */
static char *norm_message(const char *m)
{
	size_t n = strlen(m);
	char *o = malloc(n + 1);
	CHECK(o != NULL);
	for (size_t i = 0; i <= n; i++)
		o[i] = (m[i] == '\r' || m[i] == '\n') ? ' ' : m[i];
	char *p = o;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t k = strlen(p);
	while (k && (p[k - 1] == ' ' || (p[k - 1] >= '\t' && p[k - 1] <= '\r')))
		k--;
	memmove(o, p, k);
	o[k] = '\0';
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += in[i] == '\n';

	script *s = (script *)(uintptr_t)1;
	strata_err e = STRATA_ERR_INIT;
	int rc = script_parse(&s, PATH, in, size, &e);
	if (rc != 0) {
		CHECK(rc == STRATA_EFAIL && e.code == STRATA_EFAIL);
		CHECK(s == NULL);
		CHECK(e.msg != NULL);
		CHECK(strncmp(e.msg, PATH ":", strlen(PATH ":")) == 0);
		const char *p = e.msg + strlen(PATH ":");
		if (*p == ' ') {
			CHECK(memchr(in, '\0', size) != NULL);
		} else {
			int line = atoi(p);
			CHECK(line >= 1 && line <= lines);
		}
		err_clear(&e);
		return 0;
	}
	CHECK(e.code == 0 && e.msg == NULL);
	CHECK(s != NULL && memchr(in, '\0', size) == NULL);
	CHECK(script_valid_id(s->id));
	check_ids(&s->parents);
	check_ids(&s->labels);
	check_ids(&s->depends);
	for (size_t i = 0; i < s->parents.n; i++)
		CHECK(strcmp(s->parents.v[i], s->id) != 0);
	CHECK(strcmp(s->path, PATH) == 0);
	CHECK(s->message && s->upgrade && s->downgrade);
	CHECK(s->transactional == 0 || s->transactional == 1);
	CHECK(s->upgrade_line >= 2 && s->upgrade_line <= lines + 1);
	if (s->has_downgrade)
		CHECK(s->downgrade_line > s->upgrade_line && s->downgrade_line <= lines + 1);
	else
		CHECK(s->downgrade[0] == '\0');
	CHECK(s->revises_line >= 0 && s->revises_line <= lines);
	CHECK(s->parents.n == 0 || s->revises_line >= 1);
	CHECK(s->depends.n == 0 || s->depends_line >= 1);
	CHECK(strlen(s->upgrade) <= size && strlen(s->downgrade) <= size);

	/* Render and parse again. */
	buf out = BUF_INIT;
	script_render(&out, s);
	script *r = NULL;
	if (script_parse(&r, PATH, out.ptr, out.len, &e) != 0) {
		fprintf(stderr, "fuzz_script: the rendered file does not parse: %s\n", e.msg);
		abort();
	}
	CHECK(strcmp(r->id, s->id) == 0);
	CHECK(same_strvec(&r->parents, &s->parents));
	CHECK(same_strvec(&r->labels, &s->labels));
	CHECK(same_strvec(&r->depends, &s->depends));
	CHECK(r->transactional == s->transactional);
	CHECK((r->created == NULL) == (s->created == NULL));
	if (s->created)
		CHECK(strcmp(r->created, s->created) == 0);
	char *m = norm_message(s->message);
	CHECK(strcmp(r->message, m) == 0);
	free(m);
	CHECK(same_sql(r->upgrade, s->upgrade));
	CHECK(same_sql(r->downgrade, s->downgrade));
	script_free(r);
	buf_free(&out);
	script_free(s);
	return 0;
}
