/*
 * types.c — PostgreSQL's type-narrowing rule for the diff.
 *
 * Column types are enforced: a type change converts every stored value, so anything
 * but a known widening may lose or reject data. Types are as format_type() prints them
 * ("integer", "character varying(80)", "numeric(10,2)", "text[]").
 */
#include "backends/postgres/postgres_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>


/* A type's base name without modifiers and array brackets, lower-cased, into `dst`;
 * sets *mods to the text after '(' (or NULL) and *array when it ends in []. */
static void strict_base(char *dst, size_t cap, const char *type, const char **mods, int *array)
{
	size_t n = strlen(type);
	*array = n > 2 && strcmp(type + n - 2, "[]") == 0;
	const char *paren = strchr(type, '(');
	*mods = paren ? paren + 1 : NULL;
	size_t k = 0;
	for (const char *p = type; *p && p != paren && k + 1 < cap; p++) {
		if (*array && p >= type + n - 2)
			break;
		dst[k++] = (char)tolower((unsigned char)*p);
	}
	while (k && dst[k - 1] == ' ')
		k--;
	dst[k] = '\0';
}

/* A serial type's integer type in place (`base` from strict_base): serial, bigserial
 * and smallserial are integer columns that own a sequence. */
static void serial_base(char *base, size_t cap)
{
	const char *plain = strcmp(base, "serial") == 0	       ? "integer"
			    : strcmp(base, "bigserial") == 0   ? "bigint"
			    : strcmp(base, "smallserial") == 0 ? "smallint"
							       : NULL;
	if (plain && strlen(plain) < cap)
		memcpy(base, plain, strlen(plain) + 1);
}

/* Integer types by width, 0 for others. */
static int int_width(const char *base)
{
	return strcmp(base, "smallint") == 0 ? 2 : strcmp(base, "integer") == 0 ? 4
	       : strcmp(base, "bigint") == 0 ? 8 : 0;
}

/* Decimal digits an integer type needs. */
static long int_digits(int width)
{
	return width == 2 ? 5 : width == 4 ? 10 : 19;
}

static int is_string(const char *base)
{
	return strcmp(base, "text") == 0 || strcmp(base, "character varying") == 0;
}

/* See postgres_internal.h. */
int pg_type_narrows(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return 0;
	char ba[128], bb[128];
	const char *ma, *mb;
	int arr_a, arr_b;
	strict_base(ba, sizeof ba, a, &ma, &arr_a);
	strict_base(bb, sizeof bb, b, &mb, &arr_b);
	serial_base(ba, sizeof ba);
	serial_base(bb, sizeof bb);
	if (strcmp(bb, "text") == 0 && !arr_b)
		return 0; /* every value has a text form */
	if (arr_a != arr_b)
		return 1;
	long pa = ma ? strtol(ma, NULL, 10) : -1, pb = mb ? strtol(mb, NULL, 10) : -1;
	const char *ca = ma ? strchr(ma, ',') : NULL, *cb = mb ? strchr(mb, ',') : NULL;
	long sa = ca ? strtol(ca + 1, NULL, 10) : 0, sb = cb ? strtol(cb + 1, NULL, 10) : 0;
	int wa = int_width(ba), wb = int_width(bb);
	if (wa && wb)
		return wb < wa;
	if (wa && strcmp(bb, "numeric") == 0)
		return pb >= 0 && pb - sb < int_digits(wa);
	if (wa && wa < 8 && strcmp(bb, "double precision") == 0)
		return 0;
	if (strcmp(ba, "real") == 0 && strcmp(bb, "double precision") == 0)
		return 0;
	if (strcmp(ba, "numeric") == 0 && strcmp(bb, "numeric") == 0)
		return pb >= 0 && (pa < 0 || sb < sa || pb - sb < pa - sa);
	if (is_string(ba) && is_string(bb))
		return pb >= 0 && (pa < 0 || pb < pa);
	/* date -> timestamp is no widening: dates after 294276 AD are rejected. */
	return 1;
}
